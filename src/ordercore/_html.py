"""Small HTML tables for rich display in notebooks (`_repr_html_`); every value is escaped."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], caption: str = "") -> str:
    """Render a plain HTML table; cells are escaped with `html.escape`."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f'<table class="ordercore">{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def definition_list(pairs: Iterable[tuple[str, object]]) -> str:
    """Render label/value pairs as a compact two-column table without a header."""
    body = "".join(
        f"<tr><th style='text-align:left'>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
        for k, v in pairs
    )
    return f'<table class="ordercore">{body}</table>'
