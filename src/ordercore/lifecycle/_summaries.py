"""What an event's `before` and `after` say of the order, read from the order itself.

Every event records, as text, the values it changed: ``{"status": "approved"}``,
``{"lines.1.shipped": "10"}``, ``{"shipments.SH1": "dispatched"}``. `summary_of` reads the same
text from an order, so `evolve` can check a stored event against the order it folds into: an
event whose `before` does not match the order it follows, or whose `after` does not match the
order it makes, does not belong to this trail (edited, or written by a broken adapter).

The keys, one reader each:

| key | the text |
|---|---|
| ``status`` | the status, or the host sub-state when there is one |
| ``lines.<id>.<ledger field>`` | the line's ledger quantity |
| ``lines.<id>.quantity`` / ``unit_price`` / ``discount_rate`` / ``backordered`` | the line's own values |
| ``total`` | the order total's amount |
| ``paid`` / ``balance`` | the billing position (money with its currency) |
| ``shipments.<id>`` / ``cases.<id>`` | the shipment's or case's status |
| ``holds.<id>`` | ``active`` or ``released`` |
| ``billing.<id>`` | the document's kind and gross |
| ``links.<order id>`` | the relation to that order |
| ``checkpoints.<name>`` | ``passed`` or ``failed``, the latest record |
| ``feedback`` | ``recorded`` or ``waived`` |
| ``archived`` / ``risk_level`` / header fields / delivery dates | the order's field |

Something absent reads ``none`` (a line moved out by a split reads ``removed`` too). A key
outside this vocabulary (a host's own) is not checked.

Examples:
    >>> from ordercore.testing.factories import make_order
    >>> order = make_order()
    >>> summary_of(order, "status"), summary_of(order, f"lines.{order.lines[0].line_id}.shipped")
    ('draft', '0')
    >>> summary_of(order, "shipments.SH1"), summary_of(order, "custom.key") is None
    ('none', True)
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Final

from pydantic import BaseModel

from ordercore.ledger import LedgerField
from ordercore.lifecycle.header import HEADER_FIELDS

if TYPE_CHECKING:
    from collections.abc import Callable

    from ordercore.orders import Order, OrderLine

__all__ = ["matches", "summary_of", "summary_text"]

_NONE: Final = "none"
_LEDGER: Final = frozenset(f.value for f in LedgerField)
_LINE_VALUES: Final = frozenset({"quantity", "unit_price", "discount_rate", "backordered"})


def summary_text(value: object) -> str:
    """The text an event records for a value (``none`` for `None`).

    Examples:
        >>> summary_text(None), summary_text(3)
        ('none', '3')
    """
    if value is None:
        return _NONE
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _line_value(line: OrderLine, name: str) -> str | None:
    if name in _LEDGER:
        return str(line.ledger.__dict__[name])
    if name == "quantity":
        return str(line.quantity)
    if name == "unit_price":
        return str(line.unit_price.amount)
    if name == "discount_rate":
        return str(line.discount_rate)
    if name == "backordered":
        return str(line.backordered)
    return None


def _line(order: Order, rest: str) -> str | None:
    line_id, _, name = rest.rpartition(".")
    if name not in _LEDGER and name not in _LINE_VALUES:
        return None
    line = next((x for x in order.lines if x.line_id == line_id), None)
    return _NONE if line is None else _line_value(line, name)


def _shipment(order: Order, shipment_id: str) -> str:
    found = next((s for s in order.shipments if s.shipment_id == shipment_id), None)
    return _NONE if found is None else found.status.value


def _case(order: Order, case_id: str) -> str:
    found = next((c for c in order.cases if c.case_id == case_id), None)
    return _NONE if found is None else found.status.value


def _hold(order: Order, hold_id: str) -> str:
    found = next((h for h in order.holds if h.hold_id == hold_id), None)
    if found is None:
        return _NONE
    return "active" if found.active else "released"


def _billing(order: Order, document_id: str) -> str:
    found = next((d for d in order.billing if d.document_id == document_id), None)
    return _NONE if found is None else f"{found.kind.value} {found.gross}"


def _link(order: Order, other: str) -> str:
    relation = _NONE
    for link in order.links:
        if link.order_id == other:
            relation = link.relation.value
    return relation


def _checkpoint(order: Order, name: str) -> str:
    record = order.checkpoint(name)
    if record is None:
        return _NONE
    return "passed" if record.passed else "failed"


_BY_PREFIX: Final[dict[str, Callable[[Order, str], str | None]]] = {
    "lines": _line,
    "shipments": _shipment,
    "cases": _case,
    "holds": _hold,
    "billing": _billing,
    "links": _link,
    "checkpoints": _checkpoint,
}


def _feedback(order: Order) -> str:
    if order.feedback is None:
        return _NONE
    return "waived" if order.feedback.waived else "recorded"


_FIELDS: Final[dict[str, Callable[[Order], str]]] = {
    "status": lambda order: order.sub_status or order.status.value,
    "total": lambda order: str(order.total.amount),
    "paid": lambda order: str(order.billing_position.paid),
    "balance": lambda order: str(order.billing_position.balance),
    "feedback": _feedback,
    "archived": lambda order: "true" if order.archived else "false",
    "risk_level": lambda order: summary_text(order.risk_level),
    **{
        name: lambda order, name=name: summary_text(getattr(order, name))  # type: ignore[misc]
        for name in (*HEADER_FIELDS, "promised_delivery_at", "requested_delivery_at")
    },
}


def summary_of(order: Order, key: str) -> str | None:
    """The text an event's `before` or `after` records under `key`, read from `order`.

    Returns:
        The text, or `None` for a key this vocabulary does not define (not checked).
    """
    read = _FIELDS.get(key)
    if read is not None:
        return read(order)
    prefix, dot, rest = key.partition(".")
    reader = _BY_PREFIX.get(prefix) if dot else None
    return None if reader is None else reader(order, rest)


def matches(recorded: str, actual: str) -> bool:
    """Whether a recorded summary text says what the order says.

    A line a split moved out entirely is recorded as ``removed`` and reads ``none``.

    Examples:
        >>> matches("removed", "none"), matches("10", "11")
        (True, False)
    """
    return recorded == actual or (recorded == "removed" and actual == _NONE)
