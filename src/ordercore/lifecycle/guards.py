"""The guards: explicit callables, attached to their transitions, that may refuse a command.

A guard takes the order, the command and a [`GuardContext`][ordercore.lifecycle.guards.GuardContext]
and returns `None` to let the command through or a sentence saying why not. The lifecycle
table (`ordercore.lifecycle.table`) attaches guards to transitions; `apply` runs the guards of
the transition it takes, in order, and raises `GuardRejected` with the first refusal; nothing
changes. The derived transitions (the lifecycle fires them itself) use the same kind of
callable as their condition. Hosts add their own guards through `ordercore.lifecycle.extend`.

Commands are validated when they are built, so guards check only what needs the order:
known lines, holds, the ledger, the review, the closing gate.

Examples:
    >>> from decimal import Decimal
    >>> from ordercore.testing.factories import make_order
    >>> from ordercore.events import Actor
    >>> from ordercore.lifecycle.commands import Allocate
    >>> context = GuardContext(make_order().received_at, Actor.user("ana"), LifecyclePolicy())
    >>> known_line(make_order(), Allocate(line_id="9", quantity=Decimal(1)), context)
    "order has no line '9'; lines: 1, 2"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final, NamedTuple

from pydantic import ValidationError

from ordercore._base import ARITHMETIC
from ordercore.aftersales import CaseAction, CaseKind
from ordercore.errors import ConfigurationError, LedgerViolation
from ordercore.ledger import LineLedger, check_ledger, open_ceiling
from ordercore.lifecycle.aftersales import CaseMachines
from ordercore.lifecycle.authority import (
    RELEASE_HOLD,
    REOPEN_ORDER,
    REVIEW_OVERRIDE,
    Authority,
    AuthorityRequest,
    allow_any,
)
from ordercore.lifecycle.commands import (
    AmendHeader,
    AmendOrder,
    Approve,
    Backorder,
    Command,
    ConfirmDelivery,
    Deliver,
    Dispatch,
    Movement,
    OpenCase,
    PlaceHold,
    RecordTransit,
    ReleaseHold,
    ReviewVerdict,
    Ship,
    TakeLines,
    model_refusal,
)
from ordercore.lifecycle.header import HEADER_FIELDS, changed_fields
from ordercore.orders import Order, OrderLine
from ordercore.shipments import Shipment, ShipmentStatus
from ordercore.status import OrderStatus

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ordercore.events import Actor

__all__ = [
    "DELIVER_GUARDS",
    "MOVEMENT_GUARDS",
    "SHIP_GUARDS",
    "Guard",
    "GuardContext",
    "LifecyclePolicy",
    "active_hold",
    "all_delivered",
    "allocation_covers",
    "amended_order",
    "amendment_valid",
    "amendment_worsened",
    "backorder_fits",
    "case_can_open",
    "closing_gate",
    "delivered_in_full",
    "each_line",
    "feedback_once",
    "fulfilment_started",
    "guard_names",
    "known_line",
    "leaves_something_open",
    "lines_deliverable",
    "lines_shippable",
    "new_hold",
    "new_shipment",
    "not_held",
    "not_on_a_shipment",
    "nothing_shipped_or_paid",
    "past_review_expiry",
    "reason_given",
    "replacement_fits",
    "review_passed",
    "settled",
    "shipment_deliverable",
    "shipment_dispatched",
    "shipment_lines",
    "shipment_of",
    "started_fulfilment",
]

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
# Class tuples built once: a `X | Y` union in a guard is rebuilt on every call.
_WITH_LINE: Final = (Movement, OpenCase, Backorder)
_AMENDMENTS: Final = (AmendOrder, AmendHeader, TakeLines)
_SHIPPING: Final = frozenset({OrderStatus.APPROVED, OrderStatus.IN_FULFILMENT})
# Exact whatever the caller's decimal context: every guard decides on the same sums.
_add = ARITHMETIC.add
_subtract = ARITHMETIC.subtract
_multiply = ARITHMETIC.multiply


@dataclass(frozen=True, slots=True)
class LifecyclePolicy:
    """The host's lifecycle policy.

    Attributes:
        review_expiry: An order not approved this long after it was received may expire.
        amount_increase_tolerance: An amendment raising the gross total by more than this
            fraction (0: any increase) sends an approved order back to review; an
            unchanged total never does.
        date_tightening_tolerance: An amendment moving the earliest requested delivery date
            earlier by more than this (0: any tightening) sends it back to review.
        authority: Decides who may release a hold or override a failed review (see
            `ordercore.lifecycle.authority`); the default allows anyone and records why.
        re_review_fields: Header fields (of `AmendHeader`) whose change sends an approved
            order back to review; the ship-to by default. Price and discount changes follow
            `amount_increase_tolerance`.

    Raises:
        ConfigurationError: For a negative or mistyped value.
    """

    review_expiry: timedelta = timedelta(days=30)
    amount_increase_tolerance: Decimal = field(default_factory=Decimal)
    date_tightening_tolerance: timedelta = timedelta(0)
    authority: Authority = allow_any
    re_review_fields: frozenset[str] = frozenset({"ship_to"})

    def __post_init__(self) -> None:
        fields = self.re_review_fields
        if not isinstance(fields, frozenset) or not fields <= set(HEADER_FIELDS):
            raise ConfigurationError(
                f"re_review_fields must be a frozenset of {', '.join(HEADER_FIELDS)}; "
                f"got {fields!r}",
                component="LifecyclePolicy",
            )
        if not callable(self.authority):
            raise ConfigurationError(
                f"authority must be callable, got {self.authority!r}", component="LifecyclePolicy"
            )
        for name in ("review_expiry", "date_tightening_tolerance"):
            value = getattr(self, name)
            if type(value) is not timedelta or value < timedelta(0):
                raise ConfigurationError(
                    f"{name} must be a non-negative timedelta, got {value!r}",
                    component="LifecyclePolicy",
                )
        rate = self.amount_increase_tolerance
        if type(rate) is not Decimal or not rate.is_finite() or not 0 <= rate <= 1:
            raise ConfigurationError(
                f"amount_increase_tolerance must be a Decimal from 0 to 1, got {rate!r}",
                component="LifecyclePolicy",
            )

    def __repr__(self) -> str:
        """Only the fields that differ from the defaults: ``help()`` shows `LifecyclePolicy()`.

        A function (the authority) shows by its name, not its address.
        """
        default = LifecyclePolicy()
        changes = ", ".join(
            f"{name}={getattr(value, '__qualname__', None) or repr(value)}"
            for name in self.__dataclass_fields__
            if (value := getattr(self, name)) != getattr(default, name)
        )
        return f"LifecyclePolicy({changes})"


class GuardContext(NamedTuple):
    """What a guard may look at besides the order and the command (an immutable tuple).

    Attributes:
        at: When the command happens (normalised, timezone-aware).
        actor: Who issues it.
        policy: The lifecycle policy.
        before: The order as it was before the command: for a command's guards, the order
            they see; for the conditions of derived transitions, the order before the
            command that led to them.
    """

    at: datetime
    actor: Actor
    policy: LifecyclePolicy
    before: Order | None = None


Guard = Callable[[Order, Command, GuardContext], "str | None"]
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
        open_quantity = line.open_quantity
        if open_quantity > 0:
            owed = True
            if line.ledger.delivered < open_quantity:
                return False
    return owed


def settled(order: Order) -> tuple[str, ...]:
    """What keeps the order from being settled: per line, billed and paid in full.

    Billable per line is delivered − returned + exchanged (credit notes and unit refunds
    lower `invoiced`). An order billed in money is settled when every billable quantity is
    invoiced and its balance (billed less paid) is exactly zero.
    """
    if order.billed_in_money:
        return _settled_in_money(order)
    problems = []
    for line in order.lines:
        ledger = line.ledger
        billable = _add(_subtract(ledger.delivered, ledger.returned), ledger.exchanged)
        if ledger.invoiced < billable:
            problems.append(f"line {line.line_id} invoiced {ledger.invoiced} of {billable}")
        if ledger.paid < ledger.invoiced:
            problems.append(f"line {line.line_id} paid {ledger.paid} of {ledger.invoiced}")
    return tuple(problems)


def _settled_in_money(order: Order) -> tuple[str, ...]:
    problems = []
    for line in order.lines:
        ledger = line.ledger
        billable = _add(_subtract(ledger.delivered, ledger.returned), ledger.exchanged)
        if ledger.invoiced < billable:
            problems.append(f"line {line.line_id} invoiced {ledger.invoiced} of {billable}")
        elif ledger.invoiced > billable:
            problems.append(
                f"line {line.line_id} invoiced {ledger.invoiced}, more than the {billable} "
                "billable (credit the rest)"
            )
    balance = order.billing_position.balance
    if balance.amount > 0:
        problems.append(f"{balance} is still to be paid")
    elif balance.amount < 0:
        problems.append(f"{-balance} paid beyond what is billed is to be refunded")
    return tuple(problems)


def _earliest_date(order: Order) -> datetime | None:
    dates = [line.requested_delivery_at for line in order.lines if line.requested_delivery_at]
    if order.requested_delivery_at is not None:
        dates.append(order.requested_delivery_at)
    return min(dates) if dates else None


def amended_order(order: Order, command: AmendOrder) -> Order:
    """The order as the amendment would leave it, built with the entities' own validators.

    Changed lines are rebuilt through `OrderLine` (so the ledger, less any allocation above
    the new quantity, is checked against it) and the whole order through `Order` (line count, currencies, dates against
    receipt, unique ids): whatever the model refuses, the amendment refuses.

    Raises:
        ValueError: With the model's own message, if the result would not be a valid order.
    """
    quantities = dict(command.quantities)
    lines: list[OrderLine | dict[str, object]] = []
    for line in order.lines:
        quantity = quantities.pop(line.line_id, None)
        if quantity is None:
            lines.append(line)
        else:
            # Allocation above the new quantity is released before the change.
            excess = excess_allocation(line, quantity, line.ledger.cancelled)
            lines.append({**line.__dict__, "quantity": quantity, "ledger": released(line, excess)})
    if quantities:
        known = ", ".join(line.line_id for line in order.lines)
        raise ValueError(f"unknown lines {sorted(quantities)}; lines: {known}")
    lines.extend(command.new_lines)
    values = dict(order.__dict__)
    values["lines"] = lines
    if command.requested_delivery_at is not None:
        values["requested_delivery_at"] = command.requested_delivery_at
    return Order.model_validate(values)


# ---------------------------------------------------------------- guards


def review_passed(  # noqa: PLR0911 - one early return per refusal reads best
    order: Order, command: Command, context: GuardContext
) -> str | None:
    """Approval needs a passing review of this order's current content.

    The verdict's `order_version` must be at least the order's `content_version` (the last
    change to amount, quantities, dates or lines) and not ahead of the order. Holds, starting
    review and recorded risk assessments move the version but not the content, so a review
    made before them still approves. A failed review approves only with `override=True`, a
    reason, and the policy's authority allowing it.
    """
    if not isinstance(command, Approve):
        return "approval needs a review result"
    verdict: ReviewVerdict = command.verdict
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
        reasons = ", ".join(str(r) for r in verdict.failure_reasons) or "no reason given"
        if not command.override:
            return f"the review did not pass: {reasons}"
        if not command.reason.strip():
            return f"overriding a failed review ({reasons}) needs a reason"
        subjects = tuple(str(r) for r in verdict.failure_reasons)
        return _ask(context, REVIEW_OVERRIDE, order, subjects, command.reason)
    return None


def not_held(order: Order, command: Command, _: GuardContext) -> str | None:
    """No active hold may block the command (on its line, or on the whole order)."""
    if not order.holds:
        return None
    line_id = command.line_id if isinstance(command, Movement) else None
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


def nothing_shipped_or_paid(order: Order, command: Command, __: GuardContext) -> str | None:
    """Ending an order unfulfilled needs nothing shipped and no payment held.

    Rejecting, expiring or cancelling puts the order in a final state, where nothing can be
    invoiced, returned or closed: goods out or money in would be stranded there. Once
    something shipped, short-close the rest; money received must be refunded first.
    """
    shipped = [line.line_id for line in order.lines if line.ledger.shipped]
    if shipped:
        return (
            f"lines {', '.join(shipped)} have shipped; {command.name} would strand them "
            "(short-close the rest instead)"
        )
    paid = [line.line_id for line in order.lines if line.ledger.paid]
    if paid:
        return f"lines {', '.join(paid)} hold payments; refund them before {command.name}"
    if order.billed_in_money:
        position = order.billing_position
        if position.paid.amount:
            return (
                f"the order holds {position.paid} of payments; refund them (IssueRefund) "
                f"before {command.name}"
            )
        if position.billed.amount:
            return (
                f"{position.billed} is invoiced; credit it (IssueCreditNote) before {command.name}"
            )
    return None


def known_line(order: Order, command: Command, _: GuardContext) -> str | None:
    """A movement needs a line the order has."""
    line_id = command.line_id if isinstance(command, _WITH_LINE) else None
    if line_id is None or _line(order, line_id) is None:
        known = ", ".join(line.line_id for line in order.lines)
        return f"order has no line {line_id!r}; lines: {known}"
    return None


def excess_allocation(line: OrderLine, ordered: Decimal, cancelled: Decimal) -> Decimal:
    """How much allocation a line would hold above its open ceiling with these quantities.

    A short-close or an amendment that leaves less open than is allocated releases this much
    first (`AllocationReleased`), so allocated stock never blocks cutting a line.
    """
    ceiling = open_ceiling(ordered, cancelled, line.over_delivery_tolerance)
    allocated = line.ledger.allocated
    return _subtract(allocated, ceiling) if allocated > ceiling else _ZERO


def released(line: OrderLine, quantity: Decimal) -> LineLedger:
    """The line's ledger after releasing `quantity` of its allocation (unchecked)."""
    if not quantity:
        return line.ledger
    return line.ledger.model_copy(update={"allocated": _subtract(line.ledger.allocated, quantity)})


def allocation_unpacked(order: Order, command: Command, _: GuardContext) -> str | None:
    """A release may free only allocation that is not packed (unpacked goods go back)."""
    assert isinstance(command, Movement)  # noqa: S101 - known_line ran first
    line = order.line(command.line_id)
    ledger = line.ledger
    free = _subtract(ledger.allocated, ledger.packed)
    if command.quantity > free:
        return (
            f"line {line.line_id}: only {free} of the allocation is not packed "
            f"(allocated {ledger.allocated}, packed {ledger.packed})"
        )
    return None


def allocation_covers(order: Order, command: Command, _: GuardContext) -> str | None:
    """Shipping needs the quantity allocated first."""
    assert isinstance(command, Movement)  # noqa: S101 - known_line ran first
    line = order.line(command.line_id)
    ledger = line.ledger
    if _add(ledger.shipped, command.quantity) > ledger.allocated:
        return (
            f"line {line.line_id}: shipping {command.quantity} needs allocation; "
            f"allocated {ledger.allocated}, shipped {ledger.shipped}"
        )
    return None


def leaves_something_open(order: Order, command: Command, _: GuardContext) -> str | None:
    """A short-close may not cancel everything still owed; cancel the order instead."""
    assert isinstance(command, Movement)  # noqa: S101 - known_line ran first
    remaining = _ZERO
    for line in order.lines:
        cut = command.quantity if line.line_id == command.line_id else _ZERO
        remaining = _add(remaining, _subtract(line.open_quantity, cut))
    if remaining <= 0:
        return "this would cancel everything on the order; cancel the order instead"
    return None


def amendment_valid(  # noqa: PLR0911 - one early return per refusal reads best
    order: Order, command: Command, _: GuardContext
) -> str | None:
    """An amendment changes something, only the unfulfilled part, into a valid order.

    A quantity may go below what is allocated (the excess is released) but not below what
    is packed, planned, procured, produced, shipped or invoiced.
    """
    assert isinstance(command, AmendOrder)  # noqa: S101 - routed by the table
    if not (command.quantities or command.new_lines or command.requested_delivery_at):
        return "the amendment changes nothing"
    for line_id, quantity in command.quantities:
        line = _line(order, line_id)
        if line is None:
            known = ", ".join(line.line_id for line in order.lines)
            return f"order has no line {line_id!r}; lines: {known}"
        # Allocation above the new open quantity is released first, so it never blocks.
        excess = excess_allocation(line, quantity, line.ledger.cancelled)
        try:
            check_ledger(
                released(line, excess),
                ordered=quantity,
                tolerance=line.over_delivery_tolerance,
                line_id=line_id,
            )
        except LedgerViolation as error:
            return f"{error} (only the unfulfilled part may change)"
    for new in command.new_lines:
        if any(new.ledger.__dict__.values()):
            return f"new line {new.line_id} must have an empty ledger"
    try:
        amended_order(order, command)
    except ValidationError as error:
        return model_refusal(error)
    except ValueError as error:
        return str(error)
    return None


def new_hold(order: Order, command: Command, _: GuardContext) -> str | None:
    """A hold needs a new id and known lines."""
    assert isinstance(command, PlaceHold)  # noqa: S101 - routed by the table
    if any(hold.hold_id == command.hold_id for hold in order.holds):
        return f"hold {command.hold_id!r} exists already"
    unknown = [i for i in command.line_ids if _line(order, i) is None]
    if unknown:
        return f"unknown lines {unknown}"
    return None


def active_hold(order: Order, command: Command, _: GuardContext) -> str | None:
    """Releasing needs an active hold with that id."""
    assert isinstance(command, ReleaseHold)  # noqa: S101 - routed by the table
    for hold in order.holds:
        if hold.hold_id == command.hold_id:
            return None if hold.active else f"hold {command.hold_id} is already released"
    active = ", ".join(h.hold_id for h in order.active_holds) or "none"
    return f"no hold {command.hold_id!r}; active holds: {active}"


def reopen_authorised(order: Order, command: Command, context: GuardContext) -> str | None:
    """The policy's authority must allow the actor to reopen a closed order."""
    return _ask(context, REOPEN_ORDER, order, (), command.reason)


def release_authorised(order: Order, command: Command, context: GuardContext) -> str | None:
    """The policy's authority must allow the actor to release this hold (its reason code)."""
    assert isinstance(command, ReleaseHold)  # noqa: S101 - routed by the table
    hold = next(h for h in order.holds if h.hold_id == command.hold_id)  # active_hold ran
    return _ask(context, RELEASE_HOLD, order, (hold.reason.value,), command.reason)


def _ask(
    context: GuardContext, action: str, order: Order, subjects: tuple[str, ...], reason: str
) -> str | None:
    request = AuthorityRequest(action, context.actor, order, subjects, reason)
    refusal: object = context.policy.authority(request)  # a host's callable: anything
    if refusal is not None and not isinstance(refusal, str):
        return f"the authority refused with {refusal!r}"
    return refusal if isinstance(refusal, str) else None


def case_can_open(  # noqa: PLR0911 - one early return per refusal reads best
    order: Order, command: Command, _: GuardContext
) -> str | None:
    """A case needs a new id, a known line and a quantity the line's ledger can take."""
    assert isinstance(command, OpenCase)  # noqa: S101 - routed by the table
    if any(case.case_id == command.case_id for case in order.cases):
        return f"case {command.case_id!r} exists already"
    line = _line(order, command.line_id)
    if line is None:
        return f"order has no line {command.line_id!r}"
    if command.kind is not CaseKind.COMPLAINT and command.quantity <= 0:
        return f"a {command.kind.value} case needs a quantity greater than zero"
    if (command.kind is CaseKind.REPAIR) != (command.repair_terms is not None):
        if command.repair_terms is None:
            return "a repair case needs repair_terms: warranty or chargeable"
        return f"repair_terms are for repair cases, not a {command.kind.value} case"
    ledger = line.ledger
    if command.kind in (CaseKind.RETURN, CaseKind.EXCHANGE):
        free = _subtract(ledger.delivered, ledger.return_requested)
        if command.quantity > free:
            return f"line {line.line_id}: only {free} delivered and not yet asked back"
    elif command.quantity > ledger.delivered:
        return f"line {line.line_id}: only {ledger.delivered} delivered"
    return None


def feedback_once(order: Order, _: Command, __: GuardContext) -> str | None:
    """Feedback is recorded or waived once."""
    if order.feedback is not None:
        return "feedback is already recorded or waived"
    return None


def closing_gate(order: Order, _: Command, __: GuardContext) -> str | None:
    """Closing needs settlement, no open case, hold or shipment out, and feedback handled."""
    problems = list(settled(order))
    problems.extend(f"case {c.case_id} is {c.status.value}" for c in order.open_cases)
    problems.extend(f"hold {h.hold_id} is active" for h in order.active_holds)
    problems.extend(
        f"shipment {s.shipment_id} is {s.status.value}"
        for s in order.shipments
        if s.status is not ShipmentStatus.DELIVERED
    )
    if order.feedback is None:
        problems.append("feedback is neither recorded nor waived")
    return "; ".join(problems) or None


# ---------------------------------------------------------------- derived-transition conditions


def amendment_worsened(order: Order, command: Command, context: GuardContext) -> str | None:
    """An amendment raised the amount or tightened the date beyond the policy.

    The gross total must rise by more than `amount_increase_tolerance` (an unchanged total
    never re-reviews), or the earliest requested date move earlier by more than
    `date_tightening_tolerance` (or appear where there was none), or a header amendment
    change a field in `re_review_fields`.
    """
    before = context.before
    if not isinstance(command, _AMENDMENTS) or before is None:
        return "not an amendment"
    policy = context.policy
    if isinstance(command, AmendHeader) and policy.re_review_fields & set(
        changed_fields(before, command)
    ):
        return None
    ceiling = _multiply(before.total.amount, _add(_ONE, policy.amount_increase_tolerance))
    if order.total.amount > ceiling:
        return None
    old_date = _earliest_date(before)
    new_date = _earliest_date(order)
    if new_date is not None and (
        old_date is None or new_date < old_date - policy.date_tightening_tolerance
    ):
        return None
    return "the amendment did not make the order worse"


def started_fulfilment(order: Order, _: Command, __: GuardContext) -> str | None:
    """Some fulfilment quantity is on the books (see `fulfilment_started`)."""
    return None if fulfilment_started(order) else "no fulfilment movement yet"


def delivered_in_full(order: Order, _: Command, __: GuardContext) -> str | None:
    """Every open quantity is delivered (see `all_delivered`)."""
    return None if all_delivered(order) else "open quantity is not yet delivered"


def guard_names(guards: Iterable[Guard]) -> tuple[str, ...]:
    """The names of guards, as the diagram and errors show them."""
    return tuple(getattr(guard, "__name__", repr(guard)) for guard in guards)


# ---------------------------------------------------------------- shipments


def shipment_of(order: Order, shipment_id: str) -> Shipment | None:
    """The order's shipment with this id, if any."""
    return next((s for s in order.shipments if s.shipment_id == shipment_id), None)


def shipment_lines(order: Order, command: Command) -> tuple[tuple[str, Decimal], ...]:
    """The (line id, quantity) pairs a `Dispatch` ships or a `ConfirmDelivery` confirms.

    A confirmation that names no lines confirms everything on the shipment not yet
    received. Unknown shipments give no lines (their guard refuses them).
    """
    if isinstance(command, Dispatch):
        return command.lines
    assert isinstance(command, ConfirmDelivery)  # noqa: S101 - only the shipment commands
    if command.lines:
        return command.lines
    shipment = shipment_of(order, command.shipment_id)
    if shipment is None:
        return ()
    return tuple(
        (line.line_id, _subtract(line.quantity, line.delivered))
        for line in shipment.lines
        if line.delivered < line.quantity
    )


def each_line(name: str, movement: type[Movement], guards: tuple[Guard, ...]) -> Guard:
    """A guard running a movement's own guards for every line of a shipment command.

    `Dispatch` is checked line by line exactly as `Ship` is, and `ConfirmDelivery` as
    `Deliver` (the same guard functions, on the equivalent one-line command), so a hold that
    blocks shipping blocks a dispatch of its line too.
    """

    def check(order: Order, command: Command, context: GuardContext) -> str | None:
        # A replacement's goods come from the case, not from the line's own allocation:
        # only the line and its holds are checked.
        checks = MOVEMENT_GUARDS if _replacement(order, command) else guards
        for line_id, quantity in shipment_lines(order, command):
            single = movement(line_id=line_id, quantity=quantity)
            for guard in checks:
                refusal = guard(order, single, context)
                if refusal is not None:
                    return refusal
        return None

    check.__name__ = check.__qualname__ = name
    check.__doc__ = f"Every line passes the guards of {movement.__name__}: " + ", ".join(
        getattr(guard, "__name__", "guard") for guard in guards
    )
    return check


def _replacement(order: Order, command: Command) -> bool:
    if isinstance(command, Dispatch):
        return command.case_id is not None
    assert isinstance(command, ConfirmDelivery)  # noqa: S101 - only the shipment commands
    shipment = shipment_of(order, command.shipment_id)
    return shipment is not None and shipment.replacement


def new_shipment(order: Order, command: Command, _: GuardContext) -> str | None:
    """A dispatch needs a new shipment id and a planned date not before receipt.

    Once the order is fulfilled, only a replacement for a case may be dispatched.
    """
    assert isinstance(command, Dispatch)  # noqa: S101 - routed by the table
    if shipment_of(order, command.shipment_id) is not None:
        return f"shipment {command.shipment_id!r} exists already"
    if command.case_id is None and order.status not in _SHIPPING:
        return f"an order that is {order.status.value} ships only replacements (case_id)"
    planned = command.planned_delivery_at
    if planned is not None and planned < order.received_at:
        return (
            f"planned_delivery_at {planned.isoformat()} is before the order was received "
            f"({order.received_at.isoformat()})"
        )
    return None


def replacement_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """A replacement ships the goods of an exchange or return case that came back.

    The case must be able to take its `replace` step now (its goods received), and the
    shipment carries exactly the case's line and quantity.
    """
    assert isinstance(command, Dispatch)  # noqa: S101 - routed by the table
    if command.case_id is None:
        return None
    case = next((c for c in order.cases if c.case_id == command.case_id), None)
    if case is None:
        known = ", ".join(c.case_id for c in order.cases) or "none"
        return f"no case {command.case_id!r}; cases: {known}"
    if CaseMachines.next_status(case.kind, case.status, CaseAction.REPLACE) is None:
        return (
            f"case {case.case_id} ({case.kind.value}, {case.status.value}) cannot be replaced now"
        )
    expected = ((case.line_id, case.quantity),)
    if command.lines != expected:
        return (
            f"a replacement for case {case.case_id} carries line {case.line_id} x "
            f"{case.quantity}, exactly"
        )
    return None


def _known_shipment(order: Order, shipment_id: str) -> Shipment | str:
    shipment = shipment_of(order, shipment_id)
    if shipment is None:
        known = ", ".join(s.shipment_id for s in order.shipments) or "none"
        return f"no shipment {shipment_id!r}; shipments: {known}"
    return shipment


def shipment_dispatched(order: Order, command: Command, _: GuardContext) -> str | None:
    """Transit needs a known shipment that is dispatched and not yet with the carrier."""
    assert isinstance(command, RecordTransit)  # noqa: S101 - routed by the table
    shipment = _known_shipment(order, command.shipment_id)
    if isinstance(shipment, str):
        return shipment
    if shipment.status is not ShipmentStatus.DISPATCHED:
        return f"shipment {shipment.shipment_id} is {shipment.status.value}, not dispatched"
    return None


def shipment_deliverable(order: Order, command: Command, _: GuardContext) -> str | None:
    """A confirmation needs a known shipment with that much of each line still out."""
    assert isinstance(command, ConfirmDelivery)  # noqa: S101 - routed by the table
    shipment = _known_shipment(order, command.shipment_id)
    if isinstance(shipment, str):
        return shipment
    lines = shipment_lines(order, command)
    if not lines:
        return f"shipment {shipment.shipment_id} is delivered in full already"
    for line_id, quantity in lines:
        if shipment.line(line_id) is None:
            carried = ", ".join(line.line_id for line in shipment.lines)
            return f"shipment {shipment.shipment_id} does not carry line {line_id!r} ({carried})"
        out = shipment.undelivered(line_id)
        if quantity > out:
            return (
                f"shipment {shipment.shipment_id}: line {line_id} has {out} not yet "
                f"confirmed, not {quantity}"
            )
    return None


def backorder_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """A backorder needs no more than the line's open, unshipped quantity and a date after receipt."""
    assert isinstance(command, Backorder)  # noqa: S101 - routed by the table
    line = order.line(command.line_id)  # known_line ran first
    unshipped = max(_subtract(line.open_quantity, line.ledger.shipped), _ZERO)
    if command.quantity > unshipped:
        return (
            f"line {line.line_id}: backorder of {command.quantity} is more than its open, "
            f"unshipped quantity ({unshipped})"
        )
    if command.expected_at < order.received_at:
        return (
            f"expected_at {command.expected_at.isoformat()} is before the order was received "
            f"({order.received_at.isoformat()})"
        )
    return None


def not_on_a_shipment(order: Order, command: Command, _: GuardContext) -> str | None:
    """A plain `Deliver` takes only goods no shipment carries (those: `ConfirmDelivery`)."""
    assert isinstance(command, Movement)  # noqa: S101 - known_line ran first
    if not order.shipments:
        return None
    line = order.line(command.line_id)
    out = [s for s in order.shipments if not s.replacement and s.undelivered(line.line_id) > 0]
    on_shipments = _ZERO
    for shipment in out:
        on_shipments = _add(on_shipments, shipment.undelivered(line.line_id))
    loose = _subtract(_subtract(line.ledger.shipped, line.ledger.delivered), on_shipments)
    if command.quantity > loose:
        names = ", ".join(s.shipment_id for s in out)
        return (
            f"line {line.line_id}: {on_shipments} of what is shipped is on shipments not yet "
            f"confirmed ({names}); confirm them with confirm_delivery (loose: {loose})"
        )
    return None


def advance_received(order: Order, _: Command, __: GuardContext) -> str | None:
    """Goods leave only once the advance the payment terms ask for is paid."""
    terms = order.terms
    if terms is None or not terms.advance_share:
        return None
    due = terms.advance_due(order.total)
    paid = order.billing_position.paid
    if paid >= due:
        return None
    return f"the terms {terms.code} ask for an advance of {due} before shipping; paid {paid}"


def billed_in_units(order: Order, command: Command, _: GuardContext) -> str | None:
    """Unit billing (`Invoice`, `RecordPayment`) is for orders not billed in money."""
    if order.billed_in_money:
        return (
            f"order {order.order_id} is billed in money; use IssueInvoice, ReceivePayment "
            f"and IssueRefund instead of {command.name}"
        )
    return None


MOVEMENT_GUARDS: Final = (known_line, not_held)
"""The guards of a plain movement (`Deliver`, `Pack`, ...) and of a `ConfirmDelivery`'s lines."""
SHIP_GUARDS: Final = (*MOVEMENT_GUARDS, allocation_covers, advance_received)
"""The guards of `Ship`, and of each line of a `Dispatch`."""
DELIVER_GUARDS: Final = (*MOVEMENT_GUARDS, not_on_a_shipment)
"""The guards of a plain `Deliver`."""
lines_shippable: Final = each_line("lines_shippable", Ship, SHIP_GUARDS)
"""Every line of a `Dispatch` passes `Ship`'s guards."""
lines_deliverable: Final = each_line("lines_deliverable", Deliver, MOVEMENT_GUARDS)
"""Every line of a `ConfirmDelivery` passes `Deliver`'s guards."""
