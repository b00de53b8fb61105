"""The guards: explicit callables that may refuse a command the status table allows.

A guard takes the order, the command and a [`GuardContext`][ordercore.lifecycle.guards.GuardContext]
and returns `None` to let the command through or a sentence saying why not. `apply` runs the
guards of a command in order and raises `GuardRejected` with the first refusal; nothing
changes. Hosts add their own guards through `ordercore.lifecycle.extend`.

The review result an approval needs is anything that satisfies
[`ReviewVerdict`][ordercore.lifecycle.guards.ReviewVerdict] (`ordercore.validation.ReviewResult`
does).

Examples:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Verdict:
    ...     order_id: str
    ...     order_version: int
    ...     passed: bool
    ...     failure_reasons: tuple[str, ...] = ()
    >>> isinstance(Verdict("SO-1", 2, True), ReviewVerdict)
    True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from ordercore.aftersales import CaseKind
from ordercore.lifecycle.commands import (
    AmendOrder,
    Approve,
    CommandName,
    OpenCase,
    PlaceHold,
    RecordFeedback,
    RecordRiskAssessment,
    ReleaseHold,
    _Movement,
)

if TYPE_CHECKING:
    from ordercore.events import Actor
    from ordercore.lifecycle.commands import Command
    from ordercore.orders import Order, OrderLine

__all__ = [
    "GUARDS",
    "Guard",
    "GuardContext",
    "LifecyclePolicy",
    "ReviewVerdict",
    "all_delivered",
    "amendment_needs_review",
    "closing_gate",
    "fulfilment_started",
    "settled",
]

_ZERO: Final = Decimal(0)
_MAX_PLACES: Final = 6
_MAX_SCORE: Final = 100
_MAX_FEEDBACK: Final = 5


@runtime_checkable
class ReviewVerdict(Protocol):
    """What approval needs from an order review: for which order and version, and the outcome."""

    @property
    def order_id(self) -> str:
        """The order reviewed."""
        ...

    @property
    def order_version(self) -> int:
        """The version of the order reviewed; approval needs the order's current version."""
        ...

    @property
    def passed(self) -> bool:
        """Whether the review found nothing blocking."""
        ...

    @property
    def failure_reasons(self) -> tuple[str, ...]:
        """Why it failed (shown in the refusal)."""
        ...


@dataclass(frozen=True, slots=True)
class LifecyclePolicy:
    """The host's lifecycle policy.

    Attributes:
        review_expiry: An order not approved this long after it was received may expire.
        amount_increase_tolerance: An amendment raising the gross total by more than this
            fraction (0: any increase) sends an approved order back to review.
        date_tightening_tolerance: An amendment moving the earliest requested delivery date
            earlier by more than this (0: any tightening) sends it back to review.
    """

    review_expiry: timedelta = timedelta(days=30)
    amount_increase_tolerance: Decimal = field(default_factory=Decimal)
    date_tightening_tolerance: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What a guard may look at besides the order and the command."""

    at: datetime
    actor: Actor
    policy: LifecyclePolicy


Guard = Callable[["Order", "Command", GuardContext], "str | None"]
"""A guard: ``(order, command, context) -> None`` to allow, or a sentence saying why not."""


# ---------------------------------------------------------------- ledger predicates


def _line(order: Order, line_id: str) -> OrderLine | None:
    for line in order.lines:
        if line.line_id == line_id:
            return line
    return None


def fulfilment_started(order: Order) -> bool:
    """Whether any fulfilment quantity (allocated ... delivered) is on the books."""
    for line in order.lines:
        ledger = line.ledger
        if (
            ledger.allocated
            or ledger.planned
            or ledger.procured
            or ledger.produced
            or ledger.packed
            or ledger.shipped
            or ledger.delivered
        ):
            return True
    return False


def all_delivered(order: Order) -> bool:
    """Whether every open quantity is delivered (and something was owed at all)."""
    owed = False
    for line in order.lines:
        open_quantity = line.quantity - line.ledger.cancelled
        if open_quantity > 0:
            owed = True
            if line.ledger.delivered < open_quantity:
                return False
    return owed


def settled(order: Order) -> tuple[str, ...]:
    """What keeps the order from being settled: per line, billed and paid in full.

    Billable per line is delivered − returned + exchanged (refunds lower `invoiced`).
    """
    problems = []
    for line in order.lines:
        ledger = line.ledger
        billable = ledger.delivered - ledger.returned + ledger.exchanged
        if ledger.invoiced < billable:
            problems.append(f"line {line.line_id} invoiced {ledger.invoiced} of {billable}")
        if ledger.paid < ledger.invoiced:
            problems.append(f"line {line.line_id} paid {ledger.paid} of {ledger.invoiced}")
    return tuple(problems)


def amendment_needs_review(before: Order, after: Order, policy: LifecyclePolicy) -> bool:
    """Whether an amendment raised the amount or tightened the date beyond the policy."""
    old_total = before.total.amount
    new_total = after.total.amount
    if new_total > old_total * (1 + policy.amount_increase_tolerance):
        return True
    old_date = _earliest_date(before)
    new_date = _earliest_date(after)
    if new_date is None:
        return False
    return old_date is None or new_date < old_date - policy.date_tightening_tolerance


def _earliest_date(order: Order) -> datetime | None:
    dates = [line.requested_delivery_at for line in order.lines if line.requested_delivery_at]
    if order.requested_delivery_at is not None:
        dates.append(order.requested_delivery_at)
    return min(dates) if dates else None


# ---------------------------------------------------------------- guards


def review_passed(order: Order, command: Command, _: GuardContext) -> str | None:
    """Approval needs a passing review of this order's current content.

    The verdict's `order_version` must be at least the order's `content_version` (the last
    change to amount, quantities, dates or lines) and not ahead of the order. Holds, starting
    review and recorded risk assessments move the version but not the content, so a review
    made before them still approves.
    """
    verdict = command.verdict if isinstance(command, Approve) else None
    if not isinstance(verdict, ReviewVerdict):
        return "approval needs a review result (an object with order_id, order_version, passed)"
    if verdict.order_id != order.order_id:
        return f"the review result is for order {verdict.order_id}, not {order.order_id}"
    if verdict.order_version > order.version:
        return (
            f"the review result is for version {verdict.order_version} but the order is only "
            f"at version {order.version}"
        )
    if verdict.order_version < order.content_version:
        return (
            f"the review result is for version {verdict.order_version} but the order's "
            f"content changed at version {order.content_version}; review it again"
        )
    if not verdict.passed:
        reasons = ", ".join(verdict.failure_reasons) or "no reason given"
        return f"the review did not pass: {reasons}"
    return None


def not_held(order: Order, command: Command, _: GuardContext) -> str | None:
    """No active hold may block the command (on its line, or on the whole order)."""
    if not order.holds:
        return None
    line_id = command.line_id if isinstance(command, _Movement) else None
    for hold in order.holds:
        if hold.blocks_action(command.name, line_id):
            scope = f"lines {', '.join(hold.line_ids)}" if hold.line_ids else "the order"
            return (
                f"hold {hold.hold_id} ({hold.reason.value}, on {scope}) blocks "
                f"{command.name}; release it first"
            )
    return None


def reason_given(_: Order, command: Command, __: GuardContext) -> str | None:
    """The command needs a reason (rejections, waivers)."""
    return None if command.reason.strip() else f"{command.name} needs a reason"


def past_review_expiry(order: Order, _: Command, context: GuardContext) -> str | None:
    """Expiry needs the order to be older than the policy's review expiry."""
    limit = order.received_at + context.policy.review_expiry
    if context.at < limit:
        return f"the order may expire from {limit.isoformat()}, it is {context.at.isoformat()}"
    return None


def nothing_shipped(order: Order, _: Command, __: GuardContext) -> str | None:
    """Cancelling the whole order needs nothing shipped; short-close lines instead."""
    shipped = [line.line_id for line in order.lines if line.ledger.shipped]
    if shipped:
        return f"lines {', '.join(shipped)} have shipped; short-close the rest instead"
    return None


def _bad_quantity(quantity: object, *, allow_zero: bool = False) -> str | None:
    if type(quantity) is not Decimal or not quantity.is_finite():
        return f"quantity must be a finite Decimal, got {quantity!r}"
    if quantity < 0 or (quantity == 0 and not allow_zero):
        return f"quantity must be greater than zero, got {quantity}"
    exponent = quantity.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_MAX_PLACES:
        return f"quantity may have at most {_MAX_PLACES} decimal places, got {quantity}"
    return None


def valid_movement(order: Order, command: Command, _: GuardContext) -> str | None:
    """A movement needs a known line and a positive Decimal quantity."""
    if not isinstance(command, _Movement):
        return "not a movement"
    bad = _bad_quantity(command.quantity)
    if bad is not None:
        return bad
    if _line(order, command.line_id) is None:
        known = ", ".join(line.line_id for line in order.lines)
        return f"order has no line {command.line_id!r}; lines: {known}"
    return None


def allocation_covers(order: Order, command: Command, _: GuardContext) -> str | None:
    """Shipping needs the quantity allocated and packed first."""
    assert isinstance(command, _Movement)  # noqa: S101 - valid_movement ran first
    line = _line(order, command.line_id)
    assert line is not None  # noqa: S101 - valid_movement ran first
    ledger = line.ledger
    if ledger.shipped + command.quantity > ledger.allocated:
        return (
            f"line {line.line_id}: shipping {command.quantity} needs allocation; "
            f"allocated {ledger.allocated}, shipped {ledger.shipped}"
        )
    return None


def leaves_something_open(order: Order, command: Command, _: GuardContext) -> str | None:
    """A short-close may not cancel everything still owed on an order that delivered nothing."""
    assert isinstance(command, _Movement)  # noqa: S101 - valid_movement ran first
    remaining = sum(
        (
            line.quantity
            - line.ledger.cancelled
            - (command.quantity if line.line_id == command.line_id else _ZERO)
            for line in order.lines
        ),
        _ZERO,
    )
    if remaining <= 0:
        return "this would cancel everything on the order; cancel the order instead"
    return None


def unfulfilled_only(  # noqa: C901, PLR0911 - one early return per refusal reads best
    order: Order, command: Command, _: GuardContext
) -> str | None:
    """An amendment changes only the unfulfilled part: no quantity below what is committed."""
    if not isinstance(command, AmendOrder):
        return "not an amendment"
    if not (command.quantities or command.new_lines or command.requested_delivery_at):
        return "the amendment changes nothing"
    from ordercore.errors import LedgerViolation  # noqa: PLC0415 - only on this rare path
    from ordercore.ledger import check_ledger  # noqa: PLC0415 - only on this rare path

    seen: set[str] = set()
    for line_id, quantity in command.quantities:
        line = _line(order, line_id)
        if line is None or line_id in seen:
            return f"line {line_id!r} is unknown or named twice"
        seen.add(line_id)
        bad = _bad_quantity(quantity)
        if bad is not None:
            return f"line {line_id}: {bad}"
        try:
            check_ledger(
                line.ledger,
                ordered=quantity,
                tolerance=line.over_delivery_tolerance,
                line_id=line_id,
            )
        except LedgerViolation as error:
            return f"{error} (only the unfulfilled part may change)"
    ids = {line.line_id for line in order.lines}
    for new in command.new_lines:
        if new.line_id in ids:
            return f"new line {new.line_id!r} has the id of an existing line"
        ids.add(new.line_id)
        if new.unit_price.currency != order.currency:
            return f"new line {new.line_id} is in {new.unit_price.currency}, not {order.currency}"
        if any(new.ledger.__dict__.values()):
            return f"new line {new.line_id} must have an empty ledger"
    at = command.requested_delivery_at
    if at is not None and (at.tzinfo is None or at < order.received_at):
        return "requested_delivery_at must be timezone-aware and after the order was received"
    return None


def new_hold(order: Order, command: Command, _: GuardContext) -> str | None:
    """A hold needs a new id, known lines and at least one blocked action."""
    assert isinstance(command, PlaceHold)  # noqa: S101 - the table routes only PlaceHold here
    if any(hold.hold_id == command.hold_id for hold in order.holds):
        return f"hold {command.hold_id!r} exists already"
    unknown = [i for i in command.line_ids if _line(order, i) is None]
    if unknown:
        return f"unknown lines {unknown}"
    if command.blocks is not None and not command.blocks:
        return "a hold must block at least one action"
    return None


def active_hold(order: Order, command: Command, _: GuardContext) -> str | None:
    """Releasing needs an active hold with that id."""
    assert isinstance(command, ReleaseHold)  # noqa: S101 - the table routes only ReleaseHold here
    for hold in order.holds:
        if hold.hold_id == command.hold_id:
            return None if hold.active else f"hold {command.hold_id} is already released"
    active = ", ".join(h.hold_id for h in order.active_holds) or "none"
    return f"no hold {command.hold_id!r}; active holds: {active}"


def score_in_range(_: Order, command: Command, __: GuardContext) -> str | None:
    """A risk score is an integer from 0 to 100."""
    assert isinstance(command, RecordRiskAssessment)  # noqa: S101 - routed by the table
    if type(command.score) is not int or not 0 <= command.score <= _MAX_SCORE:
        return f"score must be an int from 0 to 100, got {command.score!r}"
    return None


def case_can_open(order: Order, command: Command, _: GuardContext) -> str | None:
    """A case needs a new id, a known line and a quantity the line's ledger can take."""
    assert isinstance(command, OpenCase)  # noqa: S101 - routed by the table
    if any(case.case_id == command.case_id for case in order.cases):
        return f"case {command.case_id!r} exists already"
    line = _line(order, command.line_id)
    if line is None:
        return f"order has no line {command.line_id!r}"
    complaint = command.kind is CaseKind.COMPLAINT
    bad = _bad_quantity(command.quantity, allow_zero=complaint)
    if bad is not None:
        return bad
    ledger = line.ledger
    if command.kind in (CaseKind.RETURN, CaseKind.EXCHANGE):
        free = ledger.delivered - ledger.return_requested
        if command.quantity > free:
            return f"line {line.line_id}: only {free} delivered and not yet asked back"
    elif command.kind is CaseKind.REPAIR and command.quantity > ledger.delivered:
        return f"line {line.line_id}: only {ledger.delivered} delivered"
    return None


def feedback_valid(order: Order, command: Command, _: GuardContext) -> str | None:
    """Feedback is recorded once, with a score from 1 to 5 if any."""
    if order.feedback is not None:
        return "feedback is already recorded or waived"
    if isinstance(command, RecordFeedback) and command.score is not None:
        score = command.score
        if type(score) is not int or not 1 <= score <= _MAX_FEEDBACK:
            return f"score must be an int from 1 to 5, got {score!r}"
    return None


def closing_gate(order: Order, _: Command, __: GuardContext) -> str | None:
    """Closing needs settlement, no open case, no active hold, and feedback recorded or waived."""
    problems = list(settled(order))
    problems.extend(f"case {c.case_id} is {c.status.value}" for c in order.open_cases)
    problems.extend(f"hold {h.hold_id} is active" for h in order.active_holds)
    if order.feedback is None:
        problems.append("feedback is neither recorded nor waived")
    return "; ".join(problems) or None


_MOVE: Final = (valid_movement, not_held)

GUARDS: Final[dict[str, tuple[Guard, ...]]] = {
    CommandName.APPROVE: (review_passed, not_held),
    CommandName.REJECT: (reason_given,),
    CommandName.EXPIRE: (past_review_expiry,),
    CommandName.CANCEL: (nothing_shipped,),
    CommandName.AMEND: (unfulfilled_only,),
    CommandName.ALLOCATE: _MOVE,
    CommandName.PLAN_PRODUCTION: _MOVE,
    CommandName.PROCURE: _MOVE,
    CommandName.PRODUCE: _MOVE,
    CommandName.PACK: _MOVE,
    CommandName.SHIP: (*_MOVE, allocation_covers),
    CommandName.DELIVER: _MOVE,
    CommandName.INVOICE: _MOVE,
    CommandName.RECORD_PAYMENT: (valid_movement,),
    CommandName.SHORT_CLOSE: (valid_movement, leaves_something_open),
    CommandName.PLACE_HOLD: (new_hold,),
    CommandName.RELEASE_HOLD: (active_hold,),
    CommandName.RECORD_RISK_ASSESSMENT: (score_in_range,),
    CommandName.OPEN_CASE: (case_can_open,),
    CommandName.RECORD_FEEDBACK: (feedback_valid,),
    CommandName.WAIVE_FEEDBACK: (reason_given, feedback_valid),
    CommandName.CLOSE: (closing_gate,),
}
"""The canonical guards by command name, run in this order."""
