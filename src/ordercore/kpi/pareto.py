"""Pareto of failure causes: which few causes make most of the misses, errors and complaints.

[`failure_causes`][ordercore.kpi.pareto.failure_causes] gathers one row per failure from the
frames you have, each with its ``source`` and ``cause``:

| source | one row per | cause |
|---|---|---|
| ``lateness`` | late or overdue order (a lateness attribution) | its biggest part (``allocation``, ``hold_credit``, ...) |
| ``short`` | line the seller short-closed (lines frame) | ``short_closed`` |
| ``accuracy`` | order error (errors frame) | its ``error_type`` |
| ``after_sales`` | return, exchange or repair (cases frame) | its ``root_cause`` (``no_root_cause`` when none is recorded) |
| ``complaint`` | complaint (cases frame) | its ``root_cause`` (likewise) |

[`pareto`][ordercore.kpi.pareto.pareto] ranks them: count, share and cumulative share per
cause, most frequent first (ties by cause, so the order is stable), the causes beyond `top`
or below `min_share` folded into one ``other`` row that always comes last.

Examples:
    >>> import pandas as pd
    >>> causes = pd.DataFrame({"source": "accuracy", "order_id": list("abcdefgh"),
    ...     "cause": ["pricing"] * 4 + ["damaged"] * 2 + ["wrong_item", "documentation"]})
    >>> result = pareto(causes, top=2)
    >>> [(r["cause"], r["count"], r["cumulative_share"]) for r in result.rows]
    [('pricing', 4, 0.5), ('damaged', 2, 0.75), ('other', 2, 1.0)]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs
import narwhals.stable.v2 as nw

from ordercore.errors import FrameProblem, FrameSchemaError, InvalidArgument
from ordercore.kpi import _backend, _common, _words
from ordercore.kpi.check import refuse, require_columns

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from ordercore.kpi.attribution import LatenessAttribution

__all__ = ["CAUSE_COLUMNS", "Pareto", "failure_causes", "pareto"]

CAUSE_COLUMNS: Final = ("source", "cause", "order_id", "staff_id", "channel", "customer_id")
"""The columns of `failure_causes`."""

_SOURCES: Final = ("lateness", "short", "accuracy", "after_sales", "complaint")
_TITLE: Final = {"en": "Causes of failure (Pareto)", "zh": "失败原因（帕累托）"}
_AXIS: Final = {"en": ("count", "cumulative share"), "zh": ("次数", "累计占比")}
_HEAD: Final = {
    "en": ("rank", "cause", "count", "share", "cumulative"),
    "zh": ("排名", "原因", "次数", "占比", "累计"),
}


def _text(column: str) -> nw.Expr:
    return nw.col(column).cast(nw.String)


def _none() -> nw.Expr:
    return nw.lit(None, nw.String)


def _shaped(lf: nw.LazyFrame[Any], source: str, cause: nw.Expr, **columns: nw.Expr) -> Any:
    exprs = {
        "source": nw.lit(source),
        "cause": cause,
        "order_id": _text("order_id"),
        "staff_id": columns.get("staff_id", _none()),
        "channel": columns.get("channel", _none()),
        "customer_id": columns.get("customer_id", _none()),
    }
    return lf.select(**exprs)


def _maybe(lf: nw.LazyFrame[Any], column: str) -> nw.Expr:
    return _text(column) if _common.has(lf, column) else _none()


def failure_causes(
    *,
    attribution: LatenessAttribution | None = None,
    lines: object | None = None,
    errors: object | None = None,
    cases: object | None = None,
    as_of: dt.datetime,
    tz: str = "UTC",
) -> Any:
    """One row per failure, from the frames given (all of one library), in `CAUSE_COLUMNS`.

    Args:
        attribution: A `lateness_attribution` result: its late and overdue orders (not the
            ones only at risk), by their biggest part.
        lines: The lines frame: lines with ``qty_short_closed`` > 0.
        errors: The errors frame: each error by type; ``staff_id`` as given.
        cases: The cases frame: each case by root cause, complaints apart.
        as_of: Rows found, opened or received after it are not counted.
        tz: As for the frames' KPIs.

    Returns:
        A frame in the library of the frames given.

    Raises:
        InvalidArgument: No frame given.
        FrameSchemaError: A frame fails its canonical checks, or the lines frame has no
            ``qty_short_closed``.
    """
    parts: list[nw.LazyFrame[Any]] = []
    like: object | None = None
    if attribution is not None:
        lf = _backend.lazy(attribution.orders).filter(nw.col("state") != "at_risk")
        parts.append(
            _shaped(
                lf,
                "lateness",
                _text("cause"),
                staff_id=_text("owner_id"),
                channel=_text("channel"),
                customer_id=_text("customer_id"),
            )
        )
        like = attribution.orders
    if lines is not None:
        lf = _common.load(
            lines, "lines", tz=tz, needed=["qty_short_closed"], as_of=as_of, kpi="failure_causes"
        )
        lf = lf.filter(nw.col("_ok") & (nw.col("qty_short_closed") > 0).fill_null(value=False))
        parts.append(_shaped(lf, "short", nw.lit("short_closed")))
        like = lines
    if errors is not None:
        lf = _common.load(errors, "errors", tz=tz, as_of=as_of, kpi="failure_causes")
        lf = lf.filter(nw.col("_ok"))
        parts.append(_shaped(lf, "accuracy", _text("error_type"), staff_id=_maybe(lf, "staff_id")))
        like = errors
    if cases is not None:
        # cases arrive when opened: the ones opened after as_of are not known yet
        # (`_common.load` knows no arrival reason for cases: checked and prepared here)
        require_columns(cases, "cases")
        refuse(cases, "cases")
        now, _ = _common.as_of_values(as_of, tz)
        lf = _backend.prepare(cases, ["opened_at"], tz)
        lf = lf.filter((nw.col("opened_at") <= now).fill_null(value=False))
        cause = (
            nw.when(nw.col("root_cause").is_null())
            .then(nw.lit("no_root_cause"))
            .otherwise(_text("root_cause"))
            if _common.has(lf, "root_cause")
            else nw.lit("no_root_cause")
        )
        found = {
            "staff_id": _maybe(lf, "owner_id"),
            "channel": _maybe(lf, "channel"),
            "customer_id": _maybe(lf, "customer_id"),
        }
        complaint = nw.col("kind") == "complaint"
        parts.append(_shaped(lf.filter(~complaint), "after_sales", cause, **found))
        parts.append(_shaped(lf.filter(complaint), "complaint", cause, **found))
        like = cases
    if not parts or like is None:
        raise InvalidArgument(
            "failure_causes", "frames", "give at least one of attribution, lines, errors, cases"
        )
    out = nw.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
    return _backend.to_caller(out, like)


@attrs.frozen
class Pareto:
    """Causes ranked by count, with their shares and a stable ``other`` tail.

    Attributes:
        rows: One dict per cause: ``rank`` (``None`` for ``other``), the `by` columns,
            ``count``, ``share``, ``cumulative_share`` and ``causes`` (1, or how many causes
            ``other`` folds).
        by: The columns ranked by.
        total: The number of failures.
        other: The label of the tail.
    """

    rows: tuple[dict[str, Any], ...]
    by: tuple[str, ...]
    total: int
    other: str

    def vital_few(self, share: float = 0.8) -> list[dict[str, Any]]:
        """The first causes whose cumulative share reaches `share` (never ``other``)."""
        chosen = []
        for row in self.rows:
            if row["rank"] is None:
                break
            chosen.append(row)
            if row["cumulative_share"] >= share:
                break
        return chosen

    def to_markdown(self, lang: str = "en") -> str:
        """A Markdown table, in English or Chinese (cause names in that language)."""
        zh = _words.check_lang(lang, "Pareto.to_markdown")
        key = "zh" if zh else "en"
        head = _HEAD[key]
        lines = [
            "| " + " | ".join(head) + " |",
            "|---|---|---:|---:|---:|",
        ]
        for row in self.rows:
            cause = " / ".join(_words.word(str(row[c]), lang) for c in self.by)
            rank = "" if row["rank"] is None else str(row["rank"])
            lines.append(
                f"| {rank} | {cause} | {row['count']} | {row['share']:.1%} "
                f"| {row['cumulative_share']:.1%} |"
            )
        return "\n".join(lines)

    def plot(self, lang: str = "en") -> Any:
        """Bars of the counts and the cumulative share as a line, with the 80 % mark.

        Raises:
            ImportError: If matplotlib is not installed (the ``plot`` extra).
        """
        zh = _words.check_lang(lang, "Pareto.plot")
        try:
            from matplotlib.ticker import PercentFormatter  # noqa: PLC0415 - optional extra

            from ordercore.kpi._figure import Chart  # noqa: PLC0415
            from ordercore.kpi._report_view import chinese_fonts  # noqa: PLC0415
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "plot() needs matplotlib: pip install 'ordercore-domain[plot]'"
            ) from error
        font: dict[str, Any] = {"fontfamily": [*chinese_fonts(), "sans-serif"]} if zh else {}
        key = "zh" if zh else "en"
        names = [" / ".join(_words.word(str(r[c]), lang) for c in self.by) for r in self.rows]
        figure = Chart(figsize=(8, 4), layout="constrained")
        axes = figure.subplots()
        xs = list(range(len(self.rows)))
        axes.bar(xs, [r["count"] for r in self.rows], color="#4c72b0")
        axes.set_xticks(xs, names, rotation=30, ha="right", fontsize=8, **font)
        axes.set_ylabel(_AXIS[key][0], **font)
        twin = axes.twinx()
        twin.plot(xs, [r["cumulative_share"] for r in self.rows], color="#dd8452", marker="o")
        twin.axhline(0.8, color="grey", linestyle="--", linewidth=0.8)
        twin.set_ylim(0, 1.05)
        twin.yaxis.set_major_formatter(PercentFormatter(1.0))
        twin.set_ylabel(_AXIS[key][1], **font)
        axes.set_title(f"{_TITLE[key]} (n = {self.total})", fontsize=10, **font)
        return figure


def _check_limits(top: int | None, min_share: float) -> None:
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InvalidArgument("pareto", "top", f"must be a whole number >= 1 or None, got {top!r}")
    if not isinstance(min_share, (int, float)) or not 0 <= min_share < 1:
        raise InvalidArgument("pareto", "min_share", f"must be in [0, 1), got {min_share!r}")


def pareto(
    causes: object,
    *,
    by: Sequence[str] = ("cause",),
    source: str | Sequence[str] | None = None,
    top: int | None = 10,
    min_share: float = 0.0,
    other: str = "other",
) -> Pareto:
    """Rank failure causes: counts, shares, cumulative share, a stable ``other`` tail.

    Args:
        causes: A frame with the `by` columns (`failure_causes` gives one).
        by: The columns that name a cause (``("staff_id", "cause")`` ranks per staff).
        source: Keep only these sources (a ``source`` column must then exist).
        top: At most this many causes before ``other`` (None: no limit).
        min_share: Causes with a smaller share go to ``other`` too.
        other: The tail's label; a cause of that very name is folded into it.

    Returns:
        A `Pareto`; its shares are of all the failures counted.

    Raises:
        InvalidArgument: `top` below 1, `min_share` outside [0, 1), or no `by`.
        FrameSchemaError: A `by` column (or ``source``) is missing.
    """
    _check_limits(top, min_share)
    keys = list(dict.fromkeys(by))
    if not keys:
        raise InvalidArgument("pareto", "by", "name at least one column")
    lf = _backend.lazy(causes)
    schema = lf.collect_schema()
    wanted = [*keys, *(["source"] if source is not None else [])]
    missing = [c for c in wanted if c not in schema]
    if missing:
        raise FrameSchemaError(
            "causes",
            [
                FrameProblem(f"missing column {c!r}", column=c, problem="missing column")
                for c in missing
            ],
        )
    if source is not None:
        chosen = [source] if isinstance(source, str) else list(source)
        unknown = [s for s in chosen if s not in _SOURCES]
        if unknown:
            raise InvalidArgument(
                "pareto", "source", f"unknown {unknown!r}; known: {', '.join(_SOURCES)}"
            )
        lf = lf.filter(nw.col("source").is_in(chosen))
    counted = _backend.rows(lf.group_by(*keys).agg(nw.len().alias("count")))
    total = sum(int(r["count"]) for r in counted)
    ranked = sorted(
        counted,
        key=lambda r: (-int(r["count"]), tuple("" if r[k] is None else str(r[k]) for k in keys)),
    )
    head: list[dict[str, Any]] = []
    tail: list[dict[str, Any]] = []
    for row in ranked:
        share = int(row["count"]) / total
        is_other = len(keys) == 1 and row[keys[0]] == other
        if is_other or share < min_share or (top is not None and len(head) >= top):
            tail.append(row)
        else:
            head.append(row)
    rows: list[dict[str, Any]] = []
    running = 0
    for rank, row in enumerate(head, start=1):
        running += int(row["count"])
        rows.append(
            {
                "rank": rank,
                **{k: row[k] for k in keys},
                "count": int(row["count"]),
                "share": int(row["count"]) / total,
                "cumulative_share": running / total,
                "causes": 1,
            }
        )
    if tail:
        count = sum(int(r["count"]) for r in tail)
        rows.append(
            {
                "rank": None,
                **dict.fromkeys(keys, other),
                "count": count,
                "share": count / total,
                "cumulative_share": 1.0,
                "causes": len(tail),
            }
        )
    return Pareto(rows=tuple(rows), by=tuple(keys), total=total, other=other)
