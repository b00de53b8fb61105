"""Splitting and merging orders: which line quantities may move, and what each side becomes.

The source side is a command like any other (`SplitOff`, in the lifecycle table, with its
guard here); [`split`][ordercore.lifecycle.apply.split] applies it and creates the new order.
Only the unfulfilled part moves: a line moved in full must have nothing recorded on it (an
empty ledger, no hold, case, shipment or backorder naming it); a line moved in part keeps at
least what is committed on it, exactly as an amendment would (allocation above the rest is
released). The order that remains is built with the `Order` model's own validators.

A merge moves every line of orders with nothing started (no ledger movement, shipment, case
or active hold) into a target order of the same customer and currency
([`merge`][ordercore.lifecycle.apply.merge]): each merged order takes `MergeInto` and ends,
the target takes `TakeLines` for each, an amendment by content.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError

from ordercore._base import ARITHMETIC
from ordercore._refusals import (
    Refusal,
    error_refusal,
    ledger_refusal,
    listed,
    refusal,
    validation_refusal,
)
from ordercore.errors import LedgerViolation
from ordercore.ledger import check_ledger
from ordercore.lifecycle.commands import (
    AmendOrder,
    MergeInto,
    SplitOff,
    TakeLines,
    model_refusal,
)
from ordercore.lifecycle.guards import amended_order, excess_allocation, released
from ordercore.orders import Order, OrderLine

if TYPE_CHECKING:
    from ordercore.lifecycle.commands import Command
    from ordercore.lifecycle.guards import GuardContext

__all__ = [
    "merge_fits",
    "moved_lines",
    "nothing_started",
    "remaining_order",
    "split_fits",
    "takes_lines_fits",
]

_subtract = ARITHMETIC.subtract
_ZERO: Final = Decimal(0)


def _named(order: Order, line_id: str) -> list[tuple[str, str]]:
    """The records that name a line, in English and Chinese (a line moved in full may have none)."""
    found = [
        (f"hold {h.hold_id}", f"冻结 {h.hold_id}") for h in order.holds if line_id in h.line_ids
    ]
    found += [
        (f"case {c.case_id}", f"售后单 {c.case_id}") for c in order.cases if c.line_id == line_id
    ]
    found += [
        (f"shipment {s.shipment_id}", f"发运单 {s.shipment_id}")
        for s in order.shipments
        if s.line(line_id) is not None
    ]
    return found


def remaining_order(order: Order, command: SplitOff) -> tuple[Order, tuple[str, ...]]:
    """The order as the split leaves it, and the ids of the lines it moves in full.

    Raises:
        ValueError: Naming the line and what stops it, or with the model's own message.
    """
    moved = dict(command.lines)
    lines: list[OrderLine | dict[str, Any]] = []
    removed: list[str] = []
    for line in order.lines:
        quantity = moved.pop(line.line_id, None)
        if quantity is None:
            lines.append(line)
            continue
        if quantity > line.quantity:
            raise ValueError(
                refusal(
                    f"line {line.line_id}: cannot move {quantity}, it has {line.quantity}",
                    f"第 {line.line_id} 行：不能移出 {quantity}，该行只有 {line.quantity}",
                )
            )
        if quantity == line.quantity:
            records = _named(order, line.line_id)
            if any(line.ledger.__dict__.values()) or records or line.backorder is not None:
                what = ", ".join(en for en, _ in records) or "its ledger or backorder"
                what_zh = "、".join(zh for _, zh in records) or "其数量台账或缺货待补"
                raise ValueError(
                    refusal(
                        f"line {line.line_id} cannot move in full: {what} records work on it; "
                        "move the unfulfilled part only",
                        f"第 {line.line_id} 行不能整行移出：{what_zh}记录了该行的作业；"
                        "只能移出未履行部分",
                    )
                )
            removed.append(line.line_id)
            continue
        rest = _subtract(line.quantity, quantity)
        excess = excess_allocation(line, rest, line.ledger.cancelled)
        try:
            check_ledger(
                released(line, excess),
                ordered=rest,
                tolerance=line.over_delivery_tolerance,
                line_id=line.line_id,
            )
        except LedgerViolation as error:
            raise ValueError(
                ledger_refusal(
                    error, " (only the unfulfilled part may move)", "（只能移出未履行部分）"
                )
            ) from None
        lines.append({**line.__dict__, "quantity": rest, "ledger": released(line, excess)})
    if moved:
        known = ", ".join(line.line_id for line in order.lines)
        raise ValueError(
            refusal(
                f"order has no lines {sorted(moved)}; lines: {known}",
                f"订单没有行 {sorted(moved)}；现有行：{listed(li.line_id for li in order.lines)}",
            )
        )
    if not lines:
        raise ValueError(
            refusal(
                "a split leaves at least one line; cancel the order instead",
                "拆分后原订单须至少保留一行；如需全部移出，请改为取消订单",
            )
        )
    values = dict(order.__dict__)
    values["totals"] = None  # the totals of the lines as they stand, not these
    values["lines"] = lines
    return Order.model_validate(values), tuple(removed)


def moved_lines(order: Order, command: SplitOff) -> tuple[OrderLine, ...]:
    """The lines of the new order: the moved quantities, with empty ledgers, same ids and prices."""
    moved = dict(command.lines)
    return tuple(
        OrderLine.model_validate(
            {
                **line.__dict__,
                "quantity": moved[line.line_id],
                "ledger": OrderLine.model_fields["ledger"].default,
                "backorder": None,
            }
        )
        for line in order.lines
        if line.line_id in moved
    )


def split_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """A split moves only unfulfilled quantity of known lines into another, new order."""
    assert isinstance(command, SplitOff)  # noqa: S101 - routed by the table
    if command.new_order_id == order.order_id:
        return refusal("an order cannot be split into itself", "订单不能拆分到自身")
    if any(link.order_id == command.new_order_id for link in order.links):
        return _linked(order, command.new_order_id)
    try:
        remaining_order(order, command)
    except ValidationError as error:
        return validation_refusal(error, model_refusal(error))
    except ValueError as error:
        return error_refusal(error)
    return None


def _linked(order: Order, other: str) -> Refusal:
    return refusal(
        f"order {order.order_id} is already linked to {other}",
        f"订单 {order.order_id} 已与 {other} 关联",
    )


def nothing_started(order: Order) -> Refusal | None:
    """Why an order cannot merge away: some work is recorded on it (`None`: nothing is)."""
    for line in order.lines:
        if any(line.ledger.__dict__.values()):
            return refusal(
                f"line {line.line_id} has work recorded on it", f"第 {line.line_id} 行已记录作业"
            )
    if order.shipments:
        ids = [s.shipment_id for s in order.shipments]
        return refusal(f"it has shipments ({', '.join(ids)})", f"已有发运单（{listed(ids)}）")
    if order.cases:
        ids = [c.case_id for c in order.cases]
        return refusal(
            f"it has after-sales cases ({', '.join(ids)})", f"已有售后单（{listed(ids)}）"
        )
    if order.billed_in_money:
        return refusal(
            "it has invoices or payments (credit and refund them, or bill it as it is)",
            "已有发票或收款（请先开具红字发票并退款，或保留该订单照常结算）",
        )
    active = order.active_holds
    if active:
        return refusal(f"hold {active[0].hold_id} is active", f"冻结 {active[0].hold_id} 仍有效")
    return None


def _link_refusal(order: Order, other: str) -> Refusal | None:
    if other == order.order_id:
        return refusal("an order cannot be merged with itself", "订单不能与自身合并")
    if any(link.order_id == other for link in order.links):
        return _linked(order, other)
    return None


def merge_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """An order merges into another only with nothing started on it."""
    assert isinstance(command, MergeInto)  # noqa: S101 - routed by the table
    linked = _link_refusal(order, command.target_order_id)
    if linked is not None:
        return linked
    started = nothing_started(order)
    if started is None:
        return None
    return refusal(
        f"order {order.order_id} cannot merge: {started}",
        f"订单 {order.order_id} 不能合并：{started.zh}",
    )


def takes_lines_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """The lines taken in are new here and leave a valid order (checked as an amendment)."""
    assert isinstance(command, TakeLines)  # noqa: S101 - routed by the table
    linked = _link_refusal(order, command.source_order_id)
    if linked is not None:
        return linked
    for line in command.new_lines:
        if any(line.ledger.__dict__.values()):
            return refusal(
                f"line {line.line_id} taken in must have an empty ledger",
                f"并入的行 {line.line_id} 的数量台账须为空",
            )
    try:
        amended_order(order, AmendOrder(new_lines=command.new_lines))
    except ValidationError as error:
        return validation_refusal(error, model_refusal(error))
    except ValueError as error:
        return error_refusal(error)
    return None
