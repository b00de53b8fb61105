"""Small HTML tables for rich display in notebooks (`_repr_html_`); every value is escaped.

A table sits in a box that scrolls sideways when the table is wider than the notebook cell,
so a wide report does not push the page out; figures can be right-aligned.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

_BOX = '<div class="ordercore" style="max-width:100%;overflow-x:auto">'
_RIGHT = ' style="text-align:right"'


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    caption: str = "",
    *,
    numeric: Sequence[bool] = (),
) -> str:
    """Render a plain HTML table; cells are escaped with `html.escape`.

    Args:
        headers: The column headers.
        rows: The cells, row by row.
        caption: A caption above the table (none when empty).
        numeric: For each column, whether it holds figures (right-aligned); columns beyond
            it are left-aligned.

    Examples:
        >>> table(["period", "rate"], [["2026-01", "50.0 %"]], numeric=[False, True])
        '<div ...><table class="ordercore"><thead><tr><th>period</th><th style="text-align:right">rate</th></tr></thead><tbody><tr><td>2026-01</td><td style="text-align:right">50.0 %</td></tr></tbody></table></div>'
    """
    align = [_RIGHT if i < len(numeric) and numeric[i] else "" for i in range(len(headers))]
    head = "".join(f"<th{a}>{escape(str(h))}</th>" for h, a in zip(headers, align, strict=True))
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{align[i] if i < len(align) else ''}>{escape(str(cell))}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (
        f'{_BOX}<table class="ordercore">{title}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def definition_list(pairs: Iterable[tuple[str, object]]) -> str:
    """Render label/value pairs as a compact two-column table without a header."""
    body = "".join(
        f"<tr><th style='text-align:left'>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
        for k, v in pairs
    )
    return f'{_BOX}<table class="ordercore">{body}</table></div>'
