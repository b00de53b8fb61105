"""The report's views in Chinese, charts that show themselves in Jupyter, alert messages."""

from __future__ import annotations

import datetime as dt
import os
import warnings
from typing import TYPE_CHECKING, Any

import duckdb
import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from ordercore.kpi import PastDueNotShipped, StuckInStatus, _report_view, alerts, monthly_report
from ordercore.kpi._figure import Chart
from ordercore.kpi._report_view import chinese_fonts
from ordercore.kpi._texts import column_label

if TYPE_CHECKING:
    from pathlib import Path

AS_OF = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
PNG = b"\x89PNG\r\n\x1a\n"


def _orders(months: dict[int, tuple[int, int]], channel: str = "web") -> pd.DataFrame:
    """Orders of 2026 by month: (on time, late) delivered orders received mid-month."""
    rows: list[dict[str, Any]] = []
    for month, (good, late) in months.items():
        received = dt.datetime(2026, month, 10, 12, tzinfo=dt.UTC)
        rows.extend(
            {
                "order_id": f"{channel}-{month}-{i}",
                "customer_id": "C",
                "channel": channel,
                "owner_id": "S-1",
                "received_at": received,
                "promised_at": received + dt.timedelta(days=3),
                "delivered_at": received + dt.timedelta(days=1 if i < good else 5),
                "qty_ordered": 1.0,
                "qty_delivered": 1.0,
            }
            for i in range(good + late)
        )
    return pd.DataFrame(rows)


REPORT = monthly_report(_orders({1: (40, 0), 2: (0, 1), 4: (30, 10)}), as_of=AS_OF)
ZH = REPORT.in_language("zh")


def test_the_chinese_markdown_has_chinese_headers_status_and_note() -> None:
    text = ZH.to_markdown(["period", "counted", "otif_rate", "status"])
    assert text.startswith("| 期间 | 计入订单数 | 准时足量交付率 | 状态 |")
    assert "| 2026-02 | 1 | (0.0 %) | 样本不足 |" in text
    assert "| 2026-03 | 0 | – | 无数据 |" in text
    assert "观测值少于 30 个（计入订单数）" in text


def test_the_english_markdown_keeps_the_column_names() -> None:
    assert REPORT.to_markdown(["period", "otif_rate"]).startswith("| period | otif_rate |")


def test_markdown_may_be_asked_for_in_chinese_without_changing_the_report() -> None:
    assert REPORT.to_markdown(["period"], lang="zh").startswith("| 期间 |")
    assert REPORT.lang == "en"


def test_the_chinese_html_table_has_a_chinese_caption_and_percentages() -> None:
    html = ZH._repr_html_()
    assert "月度考核报表，截至 2026-06-01 00:00（UTC）" in html
    assert "<th>期间</th>" in html
    assert ">100.0 %</td>" in html
    assert "otif_rate" not in html


def test_the_html_table_scrolls_inside_its_cell_and_right_aligns_figures() -> None:
    html = REPORT._repr_html_()
    assert html.startswith('<div class="ordercore" style="max-width:100%;overflow-x:auto">')
    assert '<td style="text-align:right">100.0 %</td>' in html
    assert "<td>2026-01</td>" in html


def test_a_report_in_another_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        REPORT.in_language("fr")  # type: ignore[arg-type]


def test_markdown_in_another_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        REPORT.to_markdown(lang="fr")  # type: ignore[arg-type]


def test_the_chart_is_a_figure_that_shows_itself_as_png() -> None:
    figure = REPORT.plot(("otif_rate",))
    assert isinstance(figure, Figure)
    assert isinstance(figure, Chart)
    assert figure._repr_png_().startswith(PNG)


def test_the_chinese_chart_has_chinese_title_axis_legend_and_notes() -> None:
    figure = ZH.plot(("otif_rate",))
    (axes,) = figure.axes
    assert axes.get_title() == "月度考核指标（截至 2026-06-01，UTC）"
    assert axes.get_ylabel() == "占比"
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["准时足量交付率"]
    assert "未绘出（观测值少于 30 个）：准时足量交付率 2026-02" in figure.get_supxlabel()
    assert "无可统计数据：2026-03" in figure.get_supxlabel()


def test_the_chinese_chart_by_channel_names_the_channels_in_chinese() -> None:
    orders = pd.concat([_orders({1: (40, 0)}, "web"), _orders({1: (35, 5)}, "phone")])
    figure = monthly_report(orders, as_of=AS_OF, by=["channel"]).plot(("otif_rate",), lang="zh")
    (axes,) = figure.axes
    assert axes.get_title() == "准时足量交付率（按渠道）"
    assert sorted(t.get_text() for t in axes.get_legend().get_texts()) == ["电话", "网站"]


@pytest.mark.skipif(
    not chinese_fonts() and os.environ.get("CI") != "true",
    reason="no font with Chinese glyphs installed (Debian: apt install fonts-wqy-microhei)",
)
def test_the_chinese_chart_draws_every_glyph_in_an_installed_chinese_font() -> None:
    figure = ZH.plot(("otif_rate",))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns for every glyph it cannot draw
        assert figure._repr_png_().startswith(PNG)
    assert figure.axes[0].title.get_fontfamily()[0] == chinese_fonts()[0]


def test_a_chinese_font_installed_after_matplotlib_cached_its_font_list_is_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a stale font list: the preferred font is on the system but not in matplotlib's list
    # (DejaVu Sans stands in for a Chinese font: its file comes with matplotlib)
    manager = font_manager.fontManager
    path = font_manager.findfont("DejaVu Sans", fallback_to_default=False)
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    stale = [entry for entry in manager.ttflist if entry.name != "DejaVu Sans"]
    monkeypatch.setattr(manager, "ttflist", stale)
    monkeypatch.setattr(_report_view, "_CJK_FONTS", ("No Such Font", "DejaVu Sans"))
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: [str(broken), path])
    assert _report_view.chinese_fonts() == ["DejaVu Sans"]
    assert path in {entry.fname for entry in manager.ttflist}
    # found once, read from the list thereafter: the system is not searched again
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: pytest.fail("searched again"))
    assert _report_view.chinese_fonts() == ["DejaVu Sans"]


def test_no_chinese_font_on_the_system_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_report_view, "_CJK_FONTS", ("No Such Font",))
    monkeypatch.setattr(font_manager, "findSystemFonts", list)
    assert _report_view.chinese_fonts() == []


def test_a_column_without_a_label_is_shown_by_its_name() -> None:
    assert column_label("region", "zh") == "region"


def _due() -> pd.DataFrame:
    t = AS_OF - dt.timedelta(hours=30)
    return pd.DataFrame(
        {
            "order_id": ["a"],
            "customer_id": "c",
            "channel": "web",
            "received_at": [t - dt.timedelta(days=2)],
            "promised_at": [t],
            "shipped_at": pd.Series([None], dtype="datetime64[us, UTC]"),
            "status": "approved",
            "status_since": [t - dt.timedelta(days=2)],
        }
    )


@pytest.mark.parametrize("backend", ["pandas", "polars", "duckdb"])
def test_alert_messages_read_the_same_on_every_backend(backend: str) -> None:
    frame: Any = _due()
    if backend == "polars":
        frame = pl.from_pandas(frame)
    elif backend == "duckdb":
        frame = duckdb.sql("select * from frame")
    found = alerts(frame, [PastDueNotShipped()], as_of=AS_OF, lang="zh")
    messages = nw.from_native(found).lazy().collect()["message"].to_list()
    assert messages == ["订单 a：已超过承诺交期 30.0 小时，尚未发货（严重）"]


def test_an_alert_message_in_english_names_the_status_and_its_sla() -> None:
    found = alerts(_due(), [StuckInStatus("approved", 48)], as_of=AS_OF, lang="en")
    assert list(found["message"]) == ["order a: 78.0 h in status Approved, SLA 48 h (Warning)"]


def test_a_chinese_alert_names_the_status_by_its_label() -> None:
    found = alerts(_due(), [StuckInStatus("approved", 48)], as_of=AS_OF, lang="zh")
    assert list(found["message"]) == ["订单 a：处于“已审核”状态已 78.0 小时，时限 48 小时（警告）"]


def test_alerts_without_a_language_have_no_message() -> None:
    assert "message" not in alerts(_due(), [PastDueNotShipped()], as_of=AS_OF).columns


def test_alerts_in_another_language_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        alerts(_due(), [PastDueNotShipped()], as_of=AS_OF, lang="fr")  # type: ignore[arg-type]
