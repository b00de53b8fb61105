"""How a monthly report reads: Markdown and HTML tables and the trend chart.

Rates are percentages, hours and units have one decimal, counts are whole numbers. A figure
whose sample (the column it is computed from: counted orders, delivered orders, CSAT
responses, owed units) is below the report's minimum sample is shown in parentheses in the
tables and left out of the chart's lines, which the chart says; "–" means nothing to count.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_MISSING = "–"
_LISTED = 6
"""At most this many left-out points are named under a chart."""


def _small(column: str, row: Mapping[str, Any], samples: Mapping[str, str], minimum: int) -> bool:
    sample = samples.get(column)
    return sample is not None and sample in row and (row[sample] or 0) < minimum


def cell(column: str, row: Mapping[str, Any], samples: Mapping[str, str], min_sample: int) -> str:
    """One figure as text, in parentheses when its sample is below `min_sample`.

    Examples:
        >>> samples = {"otif_rate": "counted"}
        >>> cell("otif_rate", {"otif_rate": 0.5, "counted": 2}, samples, 30)
        '(50.0 %)'
        >>> cell("otif_rate", {"otif_rate": None, "counted": 0}, samples, 30)
        '–'
        >>> cell("counted", {"counted": 74830}, samples, 30)
        '74830'
    """
    value = row.get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING
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
    return (
        f"Figures in parentheses rest on fewer than {min_sample} observations "
        f"({', '.join(used)}): read them with care. {_MISSING}: nothing to count."
    )


def markdown(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    samples: Mapping[str, str],
    min_sample: int,
) -> str:
    """A Markdown table of `columns`, with the legend for parenthesised figures below it."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines.extend(
        "| " + " | ".join(cell(c, r, samples, min_sample) for c in columns) + " |" for r in rows
    )
    legend = _legend(rows, columns, samples, min_sample)
    return "\n".join(lines) + "\n" + (f"\n{legend}\n" if legend else "")


def html(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    samples: Mapping[str, str],
    min_sample: int,
    *,
    caption: str,
) -> str:
    """An HTML table of every row (never truncated), formatted as the Markdown table."""
    from ordercore import _html  # noqa: PLC0415 - only notebooks call this

    legend = _legend(rows, columns, samples, min_sample)
    cells = [[cell(c, r, samples, min_sample) for c in columns] for r in rows]
    return _html.table(columns, cells, caption=f"{caption}. {legend}" if legend else caption)


def _label(values: tuple[Any, ...]) -> str:
    return " / ".join("(none)" if v is None else str(v) for v in values)


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


def plot(
    rows: Sequence[Mapping[str, Any]],
    rates: Mapping[str, tuple[str, str]],
    *,
    by: Sequence[str],
    min_sample: int,
    title: str,
) -> Any:
    """The trend chart: one panel of all `rates`, or one panel per rate with a line per group.

    Raises:
        ImportError: If matplotlib is not installed (``pip install 'ordercore-domain[plot]'``).
    """
    try:
        import matplotlib.figure  # noqa: PLC0415 - optional extra
        from matplotlib.ticker import PercentFormatter  # noqa: PLC0415
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plot() needs matplotlib: pip install 'ordercore-domain[plot]'"
        ) from error
    periods = sorted({r["period"] for r in rows if r["period"] is not None})
    xs = list(range(len(periods)))
    panels: list[tuple[str, list[str]]] = (
        [(f"{rate} by {', '.join(by)}", [rate]) for rate in rates] if by else [(title, list(rates))]
    )
    groups = sorted({tuple(r[c] for c in by) for r in rows}, key=_label) if by else []
    figure = matplotlib.figure.Figure(
        figsize=(8, 4 if not by else 1 + 2.6 * len(panels)), layout="constrained"
    )
    axes_list = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    left_out: list[str] = []
    nothing: set[str] = set()
    for axes, (heading, measures) in zip(axes_list, panels, strict=True):
        for measure in measures:
            selections = (
                [(_label(g), [r for r in rows if tuple(r[c] for c in by) == g]) for g in groups]
                if by
                else [(measure, list(rows))]
            )
            for label, chosen in selections:
                ys, small, empty = _series(chosen, periods, rates[measure], min_sample)
                axes.plot(xs, ys, marker="o", label=label)
                left_out.extend(f"{measure} {label + ' ' if by else ''}{p}" for p in small)
                if not by:
                    nothing.update(empty)
        axes.set_title(heading, fontsize=10)
        axes.set_ylabel("share")
        axes.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
        axes.legend(fontsize=8, ncols=1 + len(groups) // 12)
    last = axes_list[-1]
    last.set_xticks(xs, periods, rotation=45 if len(periods) > 8 else 0)  # noqa: PLR2004 - readability
    if by:
        figure.suptitle(title)
    notes = []
    if left_out:
        more = len(left_out) - _LISTED
        shown = "; ".join(left_out[:_LISTED]) + (f"; and {more} more" if more > 0 else "")
        notes.append(f"left out, fewer than {min_sample} observations: {shown}")
    if nothing:
        notes.append(f"nothing to count: {', '.join(sorted(nothing))}")
    if notes:
        figure.supxlabel("\n".join(notes), fontsize=8)
    return figure
