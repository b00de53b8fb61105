"""A host application's service, as a downstream project would write it on top of ordercore."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordercore import ConcurrencyConflict, OrderStatus
from ordercore.lifecycle import Allocate, Pack, Ship, apply

if TYPE_CHECKING:
    from ordercore.events import Actor
    from ordercore.ports import Clock, OrderRepository


class ShippingDesk:
    """Ships everything still open on approved orders; retries once on a concurrent change."""

    def __init__(self, repository: OrderRepository, clock: Clock, actor: Actor) -> None:
        self.repository = repository
        self.clock = clock
        self.actor = actor

    def ship_in_full(self, order_id: str) -> int:
        """Allocate, pack and ship every open unit; return how many events were stored."""
        for _ in range(2):
            order = self.repository.get(order_id)
            if order.status not in (OrderStatus.APPROVED, OrderStatus.IN_FULFILMENT):
                raise ValueError(f"order {order_id} is {order.status.value}, not ready to ship")
            current, events = order, []
            for line in order.lines:
                open_qty, ledger = line.open_quantity, line.ledger
                steps = (
                    (Allocate, open_qty - ledger.allocated),
                    (Pack, open_qty - ledger.packed),
                    (Ship, open_qty - ledger.shipped),
                )
                for command, quantity in steps:
                    if quantity > 0:
                        current, new = apply(
                            current,
                            command(line_id=line.line_id, quantity=quantity),
                            at=self.clock.now(),
                            actor=self.actor,
                        )
                        events.extend(new)
            try:
                self.repository.save(current, expected_version=order.version, events=events)
            except ConcurrencyConflict:
                continue
            return len(events)
        raise RuntimeError(f"order {order_id} kept changing under the shipping desk")
