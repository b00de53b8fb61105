"""The guards: explicit callables, attached to their transitions, that may refuse a command.

A guard takes the order, the command and a [`GuardContext`][ordercore.lifecycle.guards.GuardContext]
and returns `None` to let the command through or a sentence saying why not: a
[`Refusal`][ordercore.lifecycle.guards.Refusal], the English text carrying the Chinese as
`.zh`, which `GuardRejected.reasons_zh` shows (a host's guard may return a plain `str`; its
Chinese is then the English). Refusals are built only when a guard refuses. The lifecycle
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
    >>> refused = known_line(make_order(), Allocate(line_id="9", quantity=Decimal(1)), context)
    >>> refused
    "order has no line '9'; lines: 1, 2"
    >>> refused.zh
    "订单没有行 '9'；现有行：1、2"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final, NamedTuple

from pydantic import ValidationError

from ordercore._base import ARITHMETIC
from ordercore._refusals import (
    Refusal,
    before_receipt,
    command_zh,
    error_refusal,
    hold_blocks,
    join,
    ledger_refusal,
    listed,
    no_line,
    refusal,
    validation_refusal,
)
from ordercore.aftersales import CaseAction, CaseKind
from ordercore.errors import ConfigurationError, LedgerViolation
from ordercore.labels import label
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
    "CHANGES_NOTHING",
    "DELIVER_GUARDS",
    "MOVEMENT_GUARDS",
    "SHIP_GUARDS",
    "Guard",
    "GuardContext",
    "LifecyclePolicy",
    "Refusal",
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
    "refusal",
    "replacement_fits",
    "review_passed",
    "review_version_refusal",
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
# The conditions of derived transitions refuse on most commands: their refusals are built once.
_NOT_AN_AMENDMENT: Final = Refusal("not an amendment", "不是订单变更")
_NOT_WORSE: Final = Refusal(
    "the amendment did not make the order worse", "本次变更未使订单条件变差"
)
_NOTHING_STARTED: Final = Refusal("no fulfilment movement yet", "尚无履行记录")
_NOT_ALL_DELIVERED: Final = Refusal("open quantity is not yet delivered", "未结数量尚未全部签收")
CHANGES_NOTHING: Final = Refusal("the amendment changes nothing", "本次变更没有改动任何内容")
"""The refusal of an amendment (of lines or of the header) that changes nothing."""


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
"""A guard: ``(order, command, context) -> None`` to allow, or a sentence saying why not.

The canonical guards refuse with a `Refusal` (English and Chinese); a plain `str` is English.
"""


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


def settled(order: Order) -> tuple[Refusal, ...]:
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
            problems.append(_under_invoiced(line.line_id, ledger.invoiced, billable))
        if ledger.paid < ledger.invoiced:
            problems.append(
                refusal(
                    f"line {line.line_id} paid {ledger.paid} of {ledger.invoiced}",
                    f"第 {line.line_id} 行已收款 {ledger.paid}，已开票 {ledger.invoiced}",
                )
            )
    return tuple(problems)


def _under_invoiced(line_id: str, invoiced: Decimal, billable: Decimal) -> Refusal:
    return refusal(
        f"line {line_id} invoiced {invoiced} of {billable}",
        f"第 {line_id} 行已开票 {invoiced}，应开票 {billable}",
    )


def _settled_in_money(order: Order) -> tuple[Refusal, ...]:
    problems = []
    for line in order.lines:
        ledger = line.ledger
        billable = _add(_subtract(ledger.delivered, ledger.returned), ledger.exchanged)
        if ledger.invoiced < billable:
            problems.append(_under_invoiced(line.line_id, ledger.invoiced, billable))
        elif ledger.invoiced > billable:
            problems.append(
                refusal(
                    f"line {line.line_id} invoiced {ledger.invoiced}, more than the {billable} "
                    "billable (credit the rest)",
                    f"第 {line.line_id} 行已开票 {ledger.invoiced}，超过可开票的 {billable}"
                    "（请为多出部分开具红字发票）",
                )
            )
    balance = order.billing_position.balance
    if balance.amount > 0:
        problems.append(refusal(f"{balance} is still to be paid", f"尚有 {balance} 未收款"))
    elif balance.amount < 0:
        problems.append(
            refusal(
                f"{-balance} paid beyond what is billed is to be refunded",
                f"超出开票金额多收的 {-balance} 须退款",
            )
        )
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
        raise ValueError(
            refusal(
                f"unknown lines {sorted(quantities)}; lines: {known}",
                f"未知的行 {sorted(quantities)}；现有行：{listed(line.line_id for line in order.lines)}",
            )
        )
    lines.extend(command.new_lines)
    values = dict(order.__dict__)
    values["totals"] = None  # the totals of the lines as they stand, not these
    values["lines"] = lines
    if command.requested_delivery_at is not None:
        values["requested_delivery_at"] = command.requested_delivery_at
    return Order.model_validate(values)


# ---------------------------------------------------------------- guards


def review_version_refusal(order: Order, version: int) -> Refusal | None:
    """Why a review of order version `version` cannot approve `order` as it stands, if it cannot.

    The one rule `review_passed` applies, and `replay` applies to a stored `OrderApproved`:
    the review must be of the current content (`content_version`) and not ahead of the order.
    """
    if version > order.version:
        return refusal(
            f"the review result is for version {version} but the order is only "
            f"at version {order.version}",
            f"审核结果对应版本 {version}，但订单仅到版本 {order.version}",
        )
    if version < order.content_version:
        return refusal(
            f"the review result is for version {version} but the order's "
            f"content changed at version {order.content_version}; review it again",
            f"审核结果对应版本 {version}，但订单内容已在版本 "
            f"{order.content_version} 变更；请重新审核",
        )
    return None


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
        return refusal("approval needs a review result", "审核通过需要审核结果")
    verdict: ReviewVerdict = command.verdict
    if verdict.order_id != order.order_id:
        return refusal(
            f"the review result is for order {verdict.order_id}, not {order.order_id}",
            f"审核结果属于订单 {verdict.order_id}，而非 {order.order_id}",
        )
    stale = review_version_refusal(order, verdict.order_version)
    if stale is not None:
        return stale
    if not verdict.passed:
        reasons = ", ".join(str(r) for r in verdict.failure_reasons) or "no reason given"
        if not command.override:
            return refusal(
                f"the review did not pass: {reasons}", f"审核未通过：{_failures_zh(verdict)}"
            )
        if not command.reason.strip():
            return refusal(
                f"overriding a failed review ({reasons}) needs a reason",
                f"越过未通过的审核（{_failures_zh(verdict)}）须说明原因",
            )
        subjects = tuple(str(r) for r in verdict.failure_reasons)
        return _ask(context, REVIEW_OVERRIDE, order, subjects, command.reason)
    return None


def _failures_zh(verdict: ReviewVerdict) -> str:
    """The review's failure reasons in Chinese, where the verdict carries its issues.

    A `ReviewResult` does (each error issue has `message_zh`); another verdict's reasons show
    as it gives them.
    """
    reasons = tuple(str(r) for r in verdict.failure_reasons)
    issues = getattr(verdict, "issues", None)
    if issues is not None:
        errors = [
            i for i in issues if getattr(getattr(i, "severity", None), "value", None) == "error"
        ]
        if len(errors) == len(reasons) and all(hasattr(i, "message_zh") for i in errors):
            # The Chinese messages name their line themselves ("第 1 行"): no field path.
            reasons = tuple(f"{i.message_zh} [{i.code}]" for i in errors)
    return "；".join(reasons) or "未说明原因"


def not_held(order: Order, command: Command, _: GuardContext) -> str | None:
    """No active hold may block the command (on its line, or on the whole order)."""
    if not order.holds:
        return None
    line_id = command.line_id if isinstance(command, Movement) else None
    for hold in order.holds:
        if hold.blocks_action(command.name, line_id):
            return hold_blocks(hold, command.name, command_zh(command.name))
    return None


def reason_given(_: Order, command: Command, __: GuardContext) -> str | None:
    """The command needs a reason (rejections, waivers)."""
    if command.reason.strip():
        return None
    return refusal(f"{command.name} needs a reason", f"「{command_zh(command.name)}」须说明原因")


def past_review_expiry(order: Order, _: Command, context: GuardContext) -> str | None:
    """Expiry needs the order to be older than the policy's review expiry."""
    limit = order.received_at + context.policy.review_expiry
    if context.at < limit:
        return refusal(
            f"the order may expire from {limit.isoformat()}, it is {context.at.isoformat()}",
            f"订单自 {limit.isoformat()} 起方可过期，当前为 {context.at.isoformat()}",
        )
    return None


def nothing_shipped_or_paid(order: Order, command: Command, __: GuardContext) -> str | None:
    """Ending an order unfulfilled needs nothing shipped and no payment held.

    Rejecting, expiring or cancelling puts the order in a final state, where nothing can be
    invoiced, returned or closed: goods out or money in would be stranded there. Once
    something shipped, short-close the rest; money received must be refunded first.
    """
    shipped = [line.line_id for line in order.lines if line.ledger.shipped]
    if shipped:
        return refusal(
            f"lines {', '.join(shipped)} have shipped; {command.name} would strand them "
            "(short-close the rest instead)",
            f"第 {listed(shipped)} 行已发货；「{command_zh(command.name)}」会使已发出的货物无从处理"
            "（请改为对其余数量做行关闭）",
        )
    paid = [line.line_id for line in order.lines if line.ledger.paid]
    if paid:
        return refusal(
            f"lines {', '.join(paid)} hold payments; refund them before {command.name}",
            f"第 {listed(paid)} 行已有收款；请先退款，再「{command_zh(command.name)}」",
        )
    if order.billed_in_money:
        position = order.billing_position
        if position.paid.amount:
            return refusal(
                f"the order holds {position.paid} of payments; refund them (IssueRefund) "
                f"before {command.name}",
                f"订单已收款 {position.paid}；请先退款（IssueRefund），再「{command_zh(command.name)}」",
            )
        if position.billed.amount:
            return refusal(
                f"{position.billed} is invoiced; credit it (IssueCreditNote) before {command.name}",
                f"已开票 {position.billed}；请先开具红字发票（IssueCreditNote），"
                f"再「{command_zh(command.name)}」",
            )
    return None


def known_line(order: Order, command: Command, _: GuardContext) -> str | None:
    """A movement needs a line the order has."""
    line_id = command.line_id if isinstance(command, _WITH_LINE) else None
    if line_id is None or _line(order, line_id) is None:
        return no_line(order, line_id)
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
        return refusal(
            f"line {line.line_id}: only {free} of the allocation is not packed "
            f"(allocated {ledger.allocated}, packed {ledger.packed})",
            f"第 {line.line_id} 行：已分配数量中仅 {free} 未包装"
            f"（已分配 {ledger.allocated}，已包装 {ledger.packed}）",
        )
    return None


def allocation_covers(order: Order, command: Command, _: GuardContext) -> str | None:
    """Shipping needs the quantity allocated first."""
    assert isinstance(command, Movement)  # noqa: S101 - known_line ran first
    line = order.line(command.line_id)
    ledger = line.ledger
    if _add(ledger.shipped, command.quantity) > ledger.allocated:
        return refusal(
            f"line {line.line_id}: shipping {command.quantity} needs allocation; "
            f"allocated {ledger.allocated}, shipped {ledger.shipped}",
            f"第 {line.line_id} 行：发货 {command.quantity} 须先分配；"
            f"已分配 {ledger.allocated}，已发货 {ledger.shipped}",
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
        return refusal(
            "this would cancel everything on the order; cancel the order instead",
            "这样会取消订单上的全部数量；请改为取消订单",
        )
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
        return CHANGES_NOTHING
    for line_id, quantity in command.quantities:
        line = _line(order, line_id)
        if line is None:
            return no_line(order, line_id)
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
            return ledger_refusal(
                error, " (only the unfulfilled part may change)", "（只能变更未履行部分）"
            )
    for new in command.new_lines:
        if any(new.ledger.__dict__.values()):
            return refusal(
                f"new line {new.line_id} must have an empty ledger",
                f"新增行 {new.line_id} 的数量台账须为空",
            )
    try:
        amended_order(order, command)
    except ValidationError as error:
        return validation_refusal(error, model_refusal(error))
    except ValueError as error:
        return error_refusal(error)
    return None


def new_hold(order: Order, command: Command, _: GuardContext) -> str | None:
    """A hold needs a new id and known lines."""
    assert isinstance(command, PlaceHold)  # noqa: S101 - routed by the table
    if any(hold.hold_id == command.hold_id for hold in order.holds):
        return refusal(
            f"hold {command.hold_id!r} exists already", f"冻结 {command.hold_id!r} 已存在"
        )
    unknown = [i for i in command.line_ids if _line(order, i) is None]
    if unknown:
        return refusal(f"unknown lines {unknown}", f"未知的行 {unknown}")
    return None


def active_hold(order: Order, command: Command, _: GuardContext) -> str | None:
    """Releasing needs an active hold with that id."""
    assert isinstance(command, ReleaseHold)  # noqa: S101 - routed by the table
    for hold in order.holds:
        if hold.hold_id == command.hold_id:
            if hold.active:
                return None
            return refusal(
                f"hold {command.hold_id} is already released", f"冻结 {command.hold_id} 已解除"
            )
    active = ", ".join(h.hold_id for h in order.active_holds) or "none"
    return refusal(
        f"no hold {command.hold_id!r}; active holds: {active}",
        f"没有冻结 {command.hold_id!r}；有效的冻结：{listed(h.hold_id for h in order.active_holds)}",
    )


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
        return Refusal(
            f"the authority refused with {refusal!r}", f"权限规则拒绝（返回 {refusal!r}）"
        )
    return refusal if isinstance(refusal, str) else None


def case_can_open(  # noqa: PLR0911 - one early return per refusal reads best
    order: Order, command: Command, _: GuardContext
) -> str | None:
    """A case needs a new id, a known line and a quantity the line's ledger can take."""
    assert isinstance(command, OpenCase)  # noqa: S101 - routed by the table
    kind = command.kind
    if any(case.case_id == command.case_id for case in order.cases):
        return refusal(
            f"case {command.case_id!r} exists already", f"售后单 {command.case_id!r} 已存在"
        )
    line = _line(order, command.line_id)
    if line is None:
        return refusal(f"order has no line {command.line_id!r}", f"订单没有行 {command.line_id!r}")
    if kind is not CaseKind.COMPLAINT and command.quantity <= 0:
        return refusal(
            f"a {kind.value} case needs a quantity greater than zero",
            f"{label(kind, 'zh')}售后单的数量须大于零",
        )
    if (kind is CaseKind.REPAIR) != (command.repair_terms is not None):
        if command.repair_terms is None:
            return refusal(
                "a repair case needs repair_terms: warranty or chargeable",
                "维修售后单须注明维修条款（repair_terms）：保修或收费维修",
            )
        return refusal(
            f"repair_terms are for repair cases, not a {kind.value} case",
            f"维修条款（repair_terms）只用于维修售后单，不用于{label(kind, 'zh')}售后单",
        )
    ledger = line.ledger
    if kind in (CaseKind.RETURN, CaseKind.EXCHANGE):
        free = _subtract(ledger.delivered, ledger.return_requested)
        if command.quantity > free:
            return refusal(
                f"line {line.line_id}: only {free} delivered and not yet asked back",
                f"第 {line.line_id} 行：已签收且尚未申请退回的仅 {free}",
            )
    elif command.quantity > ledger.delivered:
        return refusal(
            f"line {line.line_id}: only {ledger.delivered} delivered",
            f"第 {line.line_id} 行：仅签收 {ledger.delivered}",
        )
    return None


def feedback_once(order: Order, _: Command, __: GuardContext) -> str | None:
    """Feedback is recorded or waived once."""
    if order.feedback is not None:
        return refusal("feedback is already recorded or waived", "客户反馈已记录或已免于反馈")
    return None


def closing_gate(order: Order, _: Command, __: GuardContext) -> str | None:
    """Closing needs settlement, no open case, hold or shipment out, and feedback handled."""
    problems = list(settled(order))
    problems.extend(
        refusal(
            f"case {c.case_id} is {c.status.value}",
            f"售后单 {c.case_id} 仍处于「{label(c.status, 'zh')}」",
        )
        for c in order.open_cases
    )
    problems.extend(
        refusal(f"hold {h.hold_id} is active", f"冻结 {h.hold_id} 仍有效")
        for h in order.active_holds
    )
    problems.extend(
        refusal(
            f"shipment {s.shipment_id} is {s.status.value}",
            f"发运单 {s.shipment_id} 仍处于「{label(s.status, 'zh')}」",
        )
        for s in order.shipments
        if s.status is not ShipmentStatus.DELIVERED
    )
    if order.feedback is None:
        problems.append(
            refusal("feedback is neither recorded nor waived", "客户反馈既未记录也未免于反馈")
        )
    return join(problems)


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
        return _NOT_AN_AMENDMENT
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
    return _NOT_WORSE


def started_fulfilment(order: Order, _: Command, __: GuardContext) -> str | None:
    """Some fulfilment quantity is on the books (see `fulfilment_started`)."""
    return None if fulfilment_started(order) else _NOTHING_STARTED


def delivered_in_full(order: Order, _: Command, __: GuardContext) -> str | None:
    """Every open quantity is delivered (see `all_delivered`)."""
    return None if all_delivered(order) else _NOT_ALL_DELIVERED


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
        return refusal(
            f"shipment {command.shipment_id!r} exists already",
            f"发运单 {command.shipment_id!r} 已存在",
        )
    if command.case_id is None and order.status not in _SHIPPING:
        return refusal(
            f"an order that is {order.status.value} ships only replacements (case_id)",
            f"「{label(order.status, 'zh')}」的订单只能发运售后换货（须注明 case_id）",
        )
    planned = command.planned_delivery_at
    if planned is not None and planned < order.received_at:
        return before_receipt(order, "planned_delivery_at", "计划送达时间", planned)
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
        return refusal(
            f"no case {command.case_id!r}; cases: {known}",
            f"没有售后单 {command.case_id!r}；现有售后单：{listed(c.case_id for c in order.cases)}",
        )
    if CaseMachines.next_status(case.kind, case.status, CaseAction.REPLACE) is None:
        return refusal(
            f"case {case.case_id} ({case.kind.value}, {case.status.value}) cannot be replaced now",
            f"售后单 {case.case_id}（{label(case.kind, 'zh')}，{label(case.status, 'zh')}）"
            "目前不能更换",
        )
    expected = ((case.line_id, case.quantity),)
    if command.lines != expected:
        return refusal(
            f"a replacement for case {case.case_id} carries line {case.line_id} x "
            f"{case.quantity}, exactly",
            f"售后单 {case.case_id} 的换货发运须恰好为第 {case.line_id} 行、数量 {case.quantity}",
        )
    return None


def _known_shipment(order: Order, shipment_id: str) -> Shipment | Refusal:
    shipment = shipment_of(order, shipment_id)
    if shipment is None:
        known = ", ".join(s.shipment_id for s in order.shipments) or "none"
        return refusal(
            f"no shipment {shipment_id!r}; shipments: {known}",
            f"没有发运单 {shipment_id!r}；现有发运单：{listed(s.shipment_id for s in order.shipments)}",
        )
    return shipment


def shipment_dispatched(order: Order, command: Command, _: GuardContext) -> str | None:
    """Transit needs a known shipment that is dispatched and not yet with the carrier."""
    assert isinstance(command, RecordTransit)  # noqa: S101 - routed by the table
    shipment = _known_shipment(order, command.shipment_id)
    if isinstance(shipment, str):
        return shipment
    if shipment.status is not ShipmentStatus.DISPATCHED:
        return refusal(
            f"shipment {shipment.shipment_id} is {shipment.status.value}, not dispatched",
            f"发运单 {shipment.shipment_id} 处于「{label(shipment.status, 'zh')}」，而非「已发运」",
        )
    return None


def shipment_deliverable(order: Order, command: Command, _: GuardContext) -> str | None:
    """A confirmation needs a known shipment with that much of each line still out."""
    assert isinstance(command, ConfirmDelivery)  # noqa: S101 - routed by the table
    shipment = _known_shipment(order, command.shipment_id)
    if isinstance(shipment, str):
        return shipment
    lines = shipment_lines(order, command)
    if not lines:
        return refusal(
            f"shipment {shipment.shipment_id} is delivered in full already",
            f"发运单 {shipment.shipment_id} 已全部签收",
        )
    for line_id, quantity in lines:
        if shipment.line(line_id) is None:
            carried = [line.line_id for line in shipment.lines]
            return refusal(
                f"shipment {shipment.shipment_id} does not carry line {line_id!r} "
                f"({', '.join(carried)})",
                f"发运单 {shipment.shipment_id} 不含行 {line_id!r}（所含行：{listed(carried)}）",
            )
        out = shipment.undelivered(line_id)
        if quantity > out:
            return refusal(
                f"shipment {shipment.shipment_id}: line {line_id} has {out} not yet "
                f"confirmed, not {quantity}",
                f"发运单 {shipment.shipment_id}：第 {line_id} 行尚未确认签收的为 {out}，"
                f"不是 {quantity}",
            )
    return None


def backorder_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """A backorder needs no more than the line's open, unshipped quantity and a date after receipt."""
    assert isinstance(command, Backorder)  # noqa: S101 - routed by the table
    line = order.line(command.line_id)  # known_line ran first
    unshipped = max(_subtract(line.open_quantity, line.ledger.shipped), _ZERO)
    if command.quantity > unshipped:
        return refusal(
            f"line {line.line_id}: backorder of {command.quantity} is more than its open, "
            f"unshipped quantity ({unshipped})",
            f"第 {line.line_id} 行：缺货待补 {command.quantity} 超过其未结且未发货的数量"
            f"（{unshipped}）",
        )
    if command.expected_at < order.received_at:
        return before_receipt(order, "expected_at", "预计到货时间", command.expected_at)
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
        names = [s.shipment_id for s in out]
        return refusal(
            f"line {line.line_id}: {on_shipments} of what is shipped is on shipments not yet "
            f"confirmed ({', '.join(names)}); confirm them with confirm_delivery (loose: {loose})",
            f"第 {line.line_id} 行：已发货数量中有 {on_shipments} 在尚未确认签收的发运单上"
            f"（{listed(names)}）；请用「确认签收」（confirm_delivery）确认"
            f"（不在发运单上的：{loose}）",
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
    return refusal(
        f"the terms {terms.code} ask for an advance of {due} before shipping; paid {paid}",
        f"付款条件 {terms.code} 要求发货前预付 {due}；已付 {paid}",
    )


def billed_in_units(order: Order, command: Command, _: GuardContext) -> str | None:
    """Unit billing (`Invoice`, `RecordPayment`) is for orders not billed in money."""
    if order.billed_in_money:
        return refusal(
            f"order {order.order_id} is billed in money; use IssueInvoice, ReceivePayment "
            f"and IssueRefund instead of {command.name}",
            f"订单 {order.order_id} 按金额开票；请用 IssueInvoice、ReceivePayment 和 "
            f"IssueRefund 代替「{command_zh(command.name)}」",
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
