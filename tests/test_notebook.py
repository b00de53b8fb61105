"""The KPI notebook: in step with its script, executed with nbclient, charts and tables shown.

The notebook runs in a ``python3`` kernel, which jupyter_client resolves to this
interpreter's ipykernel (the dev extra installs it), so it sees the installed ordercore.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

import pytest

from _notebook_support import NOTEBOOK, SCRIPT, build, cells, execute, notebook_of, outputs, read

if TYPE_CHECKING:
    from pathlib import Path

PNG = "iVBORw0KGgo"  # the PNG signature, base64-encoded as notebooks store it
PERCENT = re.compile(r"<td[^>]*>\(?\d{1,3}\.\d %\)?</td>")
SHOWN_BY = ("headline", "report", "trend", "per_channel", 'report.in_language("zh")')


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder: Path = tmp_path_factory.mktemp("notebook")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ORDERCORE_OUTPUT", str(folder))
        return execute(build(SCRIPT.read_text(encoding="utf-8")), folder)


def _shown(notebook: Any) -> dict[str, dict[str, Any]]:
    """The display data of each cell, by the cell's last line (the value it shows)."""
    return {source.splitlines()[-1]: data for source, data in outputs(notebook)}


def test_the_notebook_holds_the_script_s_cells() -> None:
    committed = read(NOTEBOOK)
    assert [(c.cell_type, c.source) for c in committed.cells] == cells(
        SCRIPT.read_text(encoding="utf-8")
    )


def test_the_committed_notebook_is_executed_with_its_charts() -> None:
    committed = read(NOTEBOOK)
    shown = _shown(committed)
    assert shown["trend"]["image/png"].startswith(PNG)
    assert shown["per_channel"]["image/png"].startswith(PNG)


def test_the_python3_kernel_is_this_interpreter(tmp_path: Path) -> None:
    probe = notebook_of([("code", "import sys; print(sys.prefix)")])
    (output,) = execute(probe, tmp_path, timeout=120).cells[0].outputs
    assert output.text.strip() == sys.prefix


@pytest.mark.parametrize("value", ["trend", "per_channel"])
def test_a_chart_shows_inline_as_an_image_without_magics(executed: Any, value: str) -> None:
    data = _shown(executed)[value]
    assert data["image/png"].startswith(PNG)


def test_no_cell_sets_a_matplotlib_backend_or_magic() -> None:
    code = [source for kind, source in cells(SCRIPT.read_text(encoding="utf-8")) if kind == "code"]
    assert not [s for s in code if "%matplotlib" in s or "mpl.use" in s or "pyplot" in s]


@pytest.mark.parametrize("value", ["headline", "report", 'report.in_language("zh")'])
def test_a_table_shows_as_html_with_rates_as_percentages(executed: Any, value: str) -> None:
    html = _shown(executed)[value]["text/html"]
    assert "<table" in html
    assert PERCENT.search(html)


def test_the_report_table_fits_its_cell(executed: Any) -> None:
    html = _shown(executed)["report"]["text/html"]
    assert "overflow-x:auto" in html


def test_the_chinese_report_shows_chinese_headers(executed: Any) -> None:
    html = _shown(executed)['report.in_language("zh")']["text/html"]
    assert "<th>期间</th>" in html
    assert "月度考核报表" in html


def test_the_ranking_shows_its_rates_as_percentages(executed: Any) -> None:
    source, data = outputs(executed)[-1]
    assert "staff_ranking" in source
    assert re.search(r"<td>\d{1,3}\.\d %</td>", data["text/html"])


def test_every_value_the_notebook_means_to_show_is_shown(executed: Any) -> None:
    assert set(SHOWN_BY) <= set(_shown(executed))
