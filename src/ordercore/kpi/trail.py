"""The trail frame: the events frame with what the improvement analysis reads from the trail.

[`trail_frame`][ordercore.kpi.trail.trail_frame] is [`events_frame`][ordercore.kpi.convert.events_frame]
plus the facts the events carry in their own fields, one column each (null on the rows of
other events):

| column | set on | value |
|---|---|---|
| ``hold_id`` | ``hold_placed``, ``hold_released`` | the hold |
| ``hold_reason`` | ``hold_placed``, ``hold_released`` | the hold's `HoldReason` (looked up from its placing) |
| ``confirmation_ref`` | ``order_created``, ``header_amended`` | the confirmation reference sent back (phone, fax) |
| ``risk_level`` | ``risk_assessed`` | the level assessed (``low`` ... ``critical``) |
| ``checkpoint`` | ``checkpoint_recorded`` | the supervision checkpoint |
| ``passed`` | ``checkpoint_recorded`` | whether it passed |

It passes every check of the canonical ``events`` frame (the extra columns are its own), so
the same frame feeds `stage_durations` and the improvement analysis. An ERP export can carry
the same columns (null where it does not know); the analysis refuses a frame without the
columns it needs rather than guess.

Examples:
    >>> from ordercore.testing.book import synthetic_book
    >>> book = synthetic_book(orders=60, seed=3)
    >>> trail = trail_frame(book.events)
    >>> list(trail.columns[-6:]) == list(TRAIL_COLUMNS)
    True
    >>> trail.loc[trail["event_type"] == "hold_released", "hold_reason"].notna().all()
    np.True_
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ordercore.kpi.convert import EVENT_COLUMNS, _listed, _refusing_foreign, events_frame

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ordercore.events import OrderEvent

__all__ = ["TRAIL_COLUMNS", "trail_frame"]

TRAIL_COLUMNS: Final = (
    "hold_id",
    "hold_reason",
    "confirmation_ref",
    "risk_level",
    "checkpoint",
    "passed",
)
"""The columns `trail_frame` adds to the events frame, in order."""


def _facts(event: OrderEvent, reasons: dict[tuple[str, str], str]) -> tuple[Any, ...]:  # noqa: PLR0911 - one return per kind of event
    """The trail columns of one event (`reasons`: hold reason by order and hold id)."""
    fields = event.__dict__
    kind = fields["type"]
    if kind == "hold_placed":
        hold = fields["hold"]
        reason = hold.reason.value
        reasons[(fields["order_id"], hold.hold_id)] = reason
        return (hold.hold_id, reason, None, None, None, None)
    if kind == "hold_released":
        hold_id = fields["hold_id"]
        return (hold_id, reasons.get((fields["order_id"], hold_id)), None, None, None, None)
    if kind == "order_created":
        return (None, None, fields["snapshot"].confirmation_ref, None, None, None)
    if kind == "header_amended":
        return (None, None, fields["confirmation_ref"], None, None, None)
    if kind == "risk_assessed":
        return (None, None, None, str(fields["level"]), None, None)
    if kind == "checkpoint_recorded":
        return (None, None, None, None, str(fields["checkpoint"]), bool(fields["passed"]))
    return (None, None, None, None, None, None)


def trail_frame(events: Iterable[OrderEvent]) -> Any:
    """The events frame (pandas) with the trail columns `TRAIL_COLUMNS`.

    Args:
        events: Lifecycle events; each order's in the order they happened (a hold's release
            finds its reason in the placing before it).

    Returns:
        One row per event: `EVENT_COLUMNS`, then `TRAIL_COLUMNS` (``passed`` is a nullable
        boolean, the others text).
    """
    import pandas as pd  # noqa: PLC0415 - only analysts' paths need pandas

    events = _listed("trail_frame", "events", events)
    with _refusing_foreign("trail_frame", events=events):
        frame = events_frame(events)
    reasons: dict[tuple[str, str], str] = {}
    facts = [_facts(event, reasons) for event in events]
    columns = list(zip(*facts, strict=True)) if facts else [() for _ in TRAIL_COLUMNS]
    for name, values in zip(TRAIL_COLUMNS, columns, strict=True):
        if name == "passed":
            frame[name] = pd.array(list(values), dtype="boolean")
        else:
            frame[name] = pd.array(list(values), dtype="str")
    return frame[[*EVENT_COLUMNS, *TRAIL_COLUMNS]]
