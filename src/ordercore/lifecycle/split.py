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


def _named(order: Order, line_id: str) -> list[str]:
    """The records that name a line (a line moved in full may have none)."""
    found = [f"hold {h.hold_id}" for h in order.holds if line_id in h.line_ids]
    found += [f"case {c.case_id}" for c in order.cases if c.line_id == line_id]
    found += [f"shipment {s.shipment_id}" for s in order.shipments if s.line(line_id) is not None]
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
            raise ValueError(f"line {line.line_id}: cannot move {quantity}, it has {line.quantity}")
        if quantity == line.quantity:
            records = _named(order, line.line_id)
            if any(line.ledger.__dict__.values()) or records or line.backorder is not None:
                what = ", ".join(records) or "its ledger or backorder"
                raise ValueError(
                    f"line {line.line_id} cannot move in full: {what} records work on it; "
                    "move the unfulfilled part only"
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
            raise ValueError(f"{error} (only the unfulfilled part may move)") from None
        lines.append({**line.__dict__, "quantity": rest, "ledger": released(line, excess)})
    if moved:
        known = ", ".join(line.line_id for line in order.lines)
        raise ValueError(f"order has no lines {sorted(moved)}; lines: {known}")
    if not lines:
        raise ValueError("a split leaves at least one line; cancel the order instead")
    values = dict(order.__dict__)
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
        return "an order cannot be split into itself"
    if any(link.order_id == command.new_order_id for link in order.links):
        return f"order {order.order_id} is already linked to {command.new_order_id}"
    try:
        remaining_order(order, command)
    except ValidationError as error:
        return model_refusal(error)
    except ValueError as error:
        return str(error)
    return None


def nothing_started(order: Order) -> str | None:
    """Why an order cannot merge away: some work is recorded on it (`None`: nothing is)."""
    for line in order.lines:
        if any(line.ledger.__dict__.values()):
            return f"line {line.line_id} has work recorded on it"
    if order.shipments:
        return f"it has shipments ({', '.join(s.shipment_id for s in order.shipments)})"
    if order.cases:
        return f"it has after-sales cases ({', '.join(c.case_id for c in order.cases)})"
    if order.billed_in_money:
        return "it has invoices or payments (credit and refund them, or bill it as it is)"
    active = order.active_holds
    if active:
        return f"hold {active[0].hold_id} is active"
    return None


def _link_refusal(order: Order, other: str) -> str | None:
    if other == order.order_id:
        return "an order cannot be merged with itself"
    if any(link.order_id == other for link in order.links):
        return f"order {order.order_id} is already linked to {other}"
    return None


def merge_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """An order merges into another only with nothing started on it."""
    assert isinstance(command, MergeInto)  # noqa: S101 - routed by the table
    refusal = _link_refusal(order, command.target_order_id)
    if refusal is not None:
        return refusal
    started = nothing_started(order)
    return None if started is None else f"order {order.order_id} cannot merge: {started}"


def takes_lines_fits(order: Order, command: Command, _: GuardContext) -> str | None:
    """The lines taken in are new here and leave a valid order (checked as an amendment)."""
    assert isinstance(command, TakeLines)  # noqa: S101 - routed by the table
    refusal = _link_refusal(order, command.source_order_id)
    if refusal is not None:
        return refusal
    for line in command.new_lines:
        if any(line.ledger.__dict__.values()):
            return f"line {line.line_id} taken in must have an empty ledger"
    try:
        amended_order(order, AmendOrder(new_lines=command.new_lines))
    except ValidationError as error:
        return model_refusal(error)
    except ValueError as error:
        return str(error)
    return None
