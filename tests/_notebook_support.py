"""The KPI notebook: its cells read from the percent script, built and executed with nbclient.

``examples/kpi_notebook.py`` is the source (a jupytext "percent" script); the executed
``examples/kpi_notebook.ipynb`` beside it is what readers open. Rebuild and execute it after
changing the script with ``.venv/bin/python tests/_notebook_support.py``.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "kpi_notebook.py"
NOTEBOOK = ROOT / "examples" / "kpi_notebook.ipynb"
CELL = re.compile(r"^# %%(?P<markdown> \[markdown\])?[^\n]*$", re.MULTILINE)
KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def cells(script: str) -> list[tuple[str, str]]:
    """The script's cells as ``(kind, source)``: kind ``code`` or ``markdown``.

    The jupytext header (the comment block before the first ``# %%``) is no cell; markdown
    cells lose their comment marks, and every cell its surrounding blank lines.
    """
    found: list[tuple[str, str]] = []
    marks = list(CELL.finditer(script))
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        body = script[mark.end() : following.start() if following else len(script)]
        if mark.group("markdown"):
            lines = [re.sub(r"^# ?", "", line) for line in body.strip("\n").splitlines()]
            found.append(("markdown", "\n".join(lines).strip("\n")))
        else:
            found.append(("code", body.strip("\n")))
    return found


# nbformat's functions are untyped; these wrappers are the only calls into it.
def notebook_of(found: list[tuple[str, str]]) -> Any:
    """A notebook of ``(kind, source)`` cells, with stable cell ids, not yet executed."""
    made = []
    for number, (kind, source) in enumerate(found):
        maker = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        made.append(maker(source, id=f"cell-{number:02}"))  # type: ignore[no-untyped-call]
    notebook = nbformat.v4.new_notebook(cells=made)  # type: ignore[no-untyped-call]
    notebook.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    return notebook


def build(script: str) -> Any:
    """A notebook of the script's cells, not yet executed."""
    return notebook_of(cells(script))


def read(path: Path) -> Any:
    """A notebook file, as nbformat 4."""
    return nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]


def execute(notebook: Any, cwd: Path, timeout: int = 600) -> Any:
    """Run every cell in a fresh ``python3`` kernel of this interpreter, in `cwd`."""
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    return client.execute()


def outputs(notebook: Any) -> list[tuple[str, dict[str, Any]]]:
    """Each code cell's display outputs as ``(source, {mime type: data})``."""
    return [
        (cell.source, dict(output.get("data", {})))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type in ("execute_result", "display_data")
    ]


def main() -> None:
    """Rebuild the executed notebook next to its script (charts go to a scratch folder)."""
    scratch = ROOT / ".cache" / "notebook"
    scratch.mkdir(parents=True, exist_ok=True)
    os.environ["ORDERCORE_OUTPUT"] = str(scratch)
    notebook = execute(build(SCRIPT.read_text(encoding="utf-8")), scratch)
    nbformat.write(notebook, NOTEBOOK)  # type: ignore[no-untyped-call]
    sys.stdout.write(f"wrote {NOTEBOOK.relative_to(ROOT)}\n")


if __name__ == "__main__":
    main()
