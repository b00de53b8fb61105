"""Links between orders: the orders an order was split from or merged into, both ways.

A split writes [`OrderLink`][ordercore.links.OrderLink]s on both orders: the source gets
`split_into` the new order, the new order `split_from` the source. Each order's trail
records its side (the source's `OrderSplit`, the new order's `OrderCreated` snapshot), so
either replays on its own and the two name each other. A merge links the same way: each
merged order `merged_into` the target (`OrderMerged`), the target `merged_from` each of
them (`LinesMerged`).

Examples:
    >>> from datetime import datetime, timezone
    >>> link = OrderLink(relation="split_into", order_id="SO-7-2",
    ...                  at=datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> link.relation, link.inverse
    (<OrderRelation.SPLIT_INTO: 'split_into'>, <OrderRelation.SPLIT_FROM: 'split_from'>)
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Final

from pydantic import Field

from ordercore._base import Entity, Id, Timestamp

__all__ = ["OrderLink", "OrderRelation"]


class OrderRelation(StrEnum):
    """How an order relates to another."""

    SPLIT_FROM = "split_from"
    """This order was split off the other (it holds lines the other gave up)."""
    SPLIT_INTO = "split_into"
    """Part of this order was split off into the other."""
    MERGED_INTO = "merged_into"
    """This order's lines moved into the other; this one ended (status `cancelled`)."""
    MERGED_FROM = "merged_from"
    """The other order's lines moved into this one."""


_INVERSE: Final = {
    OrderRelation.SPLIT_FROM: OrderRelation.SPLIT_INTO,
    OrderRelation.SPLIT_INTO: OrderRelation.SPLIT_FROM,
    OrderRelation.MERGED_INTO: OrderRelation.MERGED_FROM,
    OrderRelation.MERGED_FROM: OrderRelation.MERGED_INTO,
}


class OrderLink(Entity):
    """One link from an order to another.

    Attributes:
        relation: How this order relates to the other.
        order_id: The other order.
        at: When the link was made.
    """

    relation: Annotated[OrderRelation, Field(strict=False)]
    order_id: Id
    at: Timestamp

    @property
    def inverse(self) -> OrderRelation:
        """The relation the other order has to this one."""
        return _INVERSE[self.relation]
