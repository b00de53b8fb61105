"""How a monthly report reads: Markdown and HTML tables and the trend chart.

Rates are percentages, hours and units have one decimal, counts are whole numbers. A figure
whose sample (the column it is computed from: counted orders, delivered orders, CSAT
responses, owed units) is below the report's minimum sample is shown in parentheses in the
tables and left out of the chart's lines, which the chart says; "–" means nothing to count.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ordercore._lang import is_zh, text
from ordercore.kpi._texts import CHART, TABLE, column_label
from ordercore.labels import LABELS, label

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_MISSING = "–"
_VALUE_LABELS = {"status": "KpiStatus", "channel": "Channel"}
"""Columns whose values have labels: column -> label namespace."""
_TEXT_COLUMNS = frozenset(
    {"period", "status", "owner_id", "channel", "channel_detail", "customer_id"}
)
"""Columns shown left-aligned (the others are figures)."""
_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimHei",
    "Heiti SC",
    "Arial Unicode MS",
)
"""Fonts with Chinese glyphs, in order of preference; a Chinese chart uses those installed."""
_LISTED = 6
"""At most this many left-out points are named under a chart."""


def _small(column: str, row: Mapping[str, Any], samples: Mapping[str, str], minimum: int) -> bool:
    sample = samples.get(column)
    return sample is not None and sample in row and (row[sample] or 0) < minimum


def cell(
    column: str,
    row: Mapping[str, Any],
    samples: Mapping[str, str],
    min_sample: int,
    lang: str = "en",
) -> str:
    """One figure as text, in parentheses when its sample is below `min_sample`.

    In Chinese the status and a channel read as their labels (``样本不足``, ``网站``).

    Examples:
        >>> samples = {"otif_rate": "counted"}
        >>> cell("otif_rate", {"otif_rate": 0.5, "counted": 2}, samples, 30)
        '(50.0 %)'
        >>> cell("otif_rate", {"otif_rate": None, "counted": 0}, samples, 30)
        '–'
        >>> cell("counted", {"counted": 74830}, samples, 30)
        '74830'
        >>> cell("status", {"status": "insufficient_sample"}, samples, 30, "zh")
        '样本不足'
    """
    value = row.get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING
    if is_zh(lang) and (_VALUE_LABELS.get(column), str(value)) in LABELS:
        return label((_VALUE_LABELS[column], str(value)), lang)
    if column.endswith("_rate") and isinstance(value, int | float):
        text = f"{100 * value:.1f} %"
    elif isinstance(value, float):
        text = f"{value:.1f}"
    else:
        text = str(value)
    return f"({text})" if _small(column, row, samples, min_sample) else text


def _legend(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    samples: Mapping[str, str],
    min_sample: int,
    lang: str,
) -> str:
    used = sorted(
        {
            samples[c]
            for c in columns
            for r in rows
            if r.get(c) is not None and _small(c, r, samples, min_sample)
        }
    )
    if not used:
        return ""
    names = text(TABLE, "list", lang).join(
        column_label(c, lang) if is_zh(lang) else c for c in used
    )
    return text(TABLE, "legend", lang, min_sample=min_sample, samples=names, missing=_MISSING)


def _header(column: str, lang: str) -> str:
    """English headers are the frame's column names; Chinese ones their labels."""
    return column_label(column, lang) if is_zh(lang) else column


def markdown(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    samples: Mapping[str, str],
    min_sample: int,
    lang: str = "en",
) -> str:
    """A Markdown table of `columns`, with the legend for parenthesised figures below it."""
    headers = [_header(c, lang) for c in columns]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(columns)]
    lines.extend(
        "| " + " | ".join(cell(c, r, samples, min_sample, lang) for c in columns) + " |"
        for r in rows
    )
    legend = _legend(rows, columns, samples, min_sample, lang)
    return "\n".join(lines) + "\n" + (f"\n{legend}\n" if legend else "")


def html(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    samples: Mapping[str, str],
    min_sample: int,
    *,
    caption: str,
    lang: str = "en",
) -> str:
    """An HTML table of every row (never truncated), formatted as the Markdown table.

    Figures are right-aligned and the table scrolls sideways inside its cell when it is
    wider than the notebook.
    """
    from ordercore import _html  # noqa: PLC0415 - only notebooks call this

    legend = _legend(rows, columns, samples, min_sample, lang)
    cells = [[cell(c, r, samples, min_sample, lang) for c in columns] for r in rows]
    return _html.table(
        [_header(c, lang) for c in columns],
        cells,
        caption=f"{caption}. {legend}" if legend else caption,
        numeric=[c not in _TEXT_COLUMNS for c in columns],
    )


def _label(values: tuple[Any, ...], lang: str = "en") -> str:
    return " / ".join(text(TABLE, "none", lang) if v is None else str(v) for v in values)


def _series(
    rows: Sequence[Mapping[str, Any]],
    periods: Sequence[str],
    ratio: tuple[str, str],
    min_sample: int,
) -> tuple[list[float], list[str], list[str]]:
    """Σ numerator / Σ denominator per period; NaN (and listed) where the sample is small."""
    num, den = ratio
    sums = {p: [0.0, 0.0] for p in periods}
    for row in rows:
        if row["period"] in sums:
            sums[row["period"]][0] += row[num] or 0
            sums[row["period"]][1] += row[den] or 0
    ys, small, empty = [], [], []
    for period in periods:
        k, n = sums[period]
        if n <= 0:
            empty.append(period)
        elif n < min_sample:
            small.append(period)
        ys.append(k / n if n >= min_sample and n > 0 else math.nan)
    return ys, small, empty


def chinese_fonts() -> list[str]:
    """The installed fonts of `_CJK_FONTS`, in order of preference.

    Read from matplotlib's font list. That list is cached on disk when matplotlib first
    runs: a Chinese font installed later is missing from it, so when it names none of
    `_CJK_FONTS`, the system's font files it does not know are added to it first (a file
    matplotlib cannot read is passed over).
    """
    from matplotlib import font_manager  # noqa: PLC0415 - optional extra

    manager = font_manager.fontManager

    def listed() -> list[str]:
        installed = {entry.name for entry in manager.ttflist}
        return [name for name in _CJK_FONTS if name in installed]

    found = listed()
    if found:
        return found
    known = {entry.fname for entry in manager.ttflist}
    for path in font_manager.findSystemFonts():
        if path in known:
            continue
        try:
            manager.addfont(path)
        except (OSError, RuntimeError, ValueError):  # not a font matplotlib can read
            continue
    return listed()


def plot(
    rows: Sequence[Mapping[str, Any]],
    rates: Mapping[str, tuple[str, str]],
    *,
    by: Sequence[str],
    min_sample: int,
    as_of: str,
    tz: str,
    lang: str = "en",
) -> Any:
    """The trend chart: one panel of all `rates`, or one panel per rate with a line per group.

    In Chinese, the title, axis, legend and notes are Chinese, and the text is set in the
    first installed font of `_CJK_FONTS` (DejaVu Sans, matplotlib's own, has no Chinese).

    Raises:
        ImportError: If matplotlib is not installed (``pip install 'ordercore-domain[plot]'``).
    """
    try:
        from matplotlib.ticker import PercentFormatter  # noqa: PLC0415 - optional extra

        from ordercore.kpi._figure import Chart  # noqa: PLC0415
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plot() needs matplotlib: pip install 'ordercore-domain[plot]'"
        ) from error
    zh = is_zh(lang)
    font: dict[str, Any] = {"fontfamily": [*chinese_fonts(), "sans-serif"]} if zh else {}
    legend_font: dict[str, Any] = {"prop": {"family": font["fontfamily"], "size": 8}} if zh else {}

    def name(column: str) -> str:
        return column_label(column, lang) if zh else column

    periods = sorted({r["period"] for r in rows if r["period"] is not None})
    xs = list(range(len(periods)))
    title = text(CHART, "title", lang, as_of=as_of, tz=tz)
    by_text = text(TABLE, "list", lang).join(name(c) for c in by)
    panels: list[tuple[str, list[str]]] = (
        [(text(CHART, "panel", lang, rate=name(rate), by=by_text), [rate]) for rate in rates]
        if by
        else [(title, list(rates))]
    )
    groups = sorted({tuple(r[c] for c in by) for r in rows}, key=_label) if by else []
    figure = Chart(figsize=(8, 4 if not by else 1 + 2.6 * len(panels)), layout="constrained")
    axes_list = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    left_out: list[str] = []
    nothing: set[str] = set()
    for axes, (heading, measures) in zip(axes_list, panels, strict=True):
        for measure in measures:
            selections = (
                [
                    (_group_text(g, by, lang), [r for r in rows if tuple(r[c] for c in by) == g])
                    for g in groups
                ]
                if by
                else [(name(measure), list(rows))]
            )
            for group, chosen in selections:
                ys, small, empty = _series(chosen, periods, rates[measure], min_sample)
                axes.plot(xs, ys, marker="o", label=group)
                left_out.extend(f"{name(measure)} {group + ' ' if by else ''}{p}" for p in small)
                if not by:
                    nothing.update(empty)
        axes.set_title(heading, fontsize=10, **font)
        axes.set_ylabel(text(CHART, "axis", lang), **font)
        axes.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
        axes.legend(fontsize=8, ncols=1 + len(groups) // 12, **legend_font)
    last = axes_list[-1]
    last.set_xticks(xs, periods, rotation=45 if len(periods) > 8 else 0)  # noqa: PLR2004 - readability
    if by:
        figure.suptitle(title, **font)
    notes = _notes(left_out, nothing, min_sample, lang)
    if notes:
        figure.supxlabel(notes, fontsize=8, **font)
    return figure


def _notes(left_out: Sequence[str], nothing: set[str], min_sample: int, lang: str) -> str:
    """The chart's note on the points it left out and the months with nothing to count."""
    notes = []
    if left_out:
        more = len(left_out) - _LISTED
        shown = text(CHART, "separator", lang).join(left_out[:_LISTED]) + (
            text(CHART, "more", lang, count=more) if more > 0 else ""
        )
        notes.append(text(CHART, "left_out", lang, min_sample=min_sample, points=shown))
    if nothing:
        periods_text = text(TABLE, "list", lang).join(sorted(nothing))
        notes.append(text(CHART, "nothing", lang, periods=periods_text))
    return "\n".join(notes)


def _group_text(values: tuple[Any, ...], by: Sequence[str], lang: str) -> str:
    """A group's legend entry; in Chinese a channel reads as its label."""
    if not is_zh(lang):
        return _label(values)
    shown = tuple(
        label((_VALUE_LABELS[c], str(v)), lang)
        if v is not None and c in _VALUE_LABELS and (_VALUE_LABELS[c], str(v)) in LABELS
        else v
        for c, v in zip(by, values, strict=True)
    )
    return _label(shown, lang)
