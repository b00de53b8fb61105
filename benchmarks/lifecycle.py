"""The lifecycle: ordercore's `apply` against the `transitions` package, on 20,000 orders.

Baselines in the same run: (a) one `transitions.Machine` per order, (b) one shared machine
with `add_model`, (c) a bare trigger on a shared class-level machine (``model=None``).
Set-up is per order; a transition is one status change (ordercore: `Submit` then
`StartReview` alternating on fresh orders, with guard checks, the event and the new order);
a movement is the first `Allocate` on an order the lifecycle approved (the movement's event,
the derived APPROVED -> IN_FULFILMENT and its event, and the new order).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from transitions import Machine

from benchmarks._harness import Report, median_time
from ordercore.events import Actor
from ordercore.lifecycle import Allocate, Approve, StartReview, Submit, apply, create
from ordercore.lifecycle.table import TABLE

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from typing import TYPE_CHECKING

from _support import make_order

if TYPE_CHECKING:
    from ordercore.orders import Order

N = 20_000
AT = datetime(2026, 3, 3, tzinfo=UTC)
ACTOR = Actor.system("bench")
STATES = [
    "draft",
    "submitted",
    "under_review",
    "approved",
    "in_fulfilment",
    "fulfilled",
    "closed",
    "rejected",
    "cancelled",
    "expired",
]


class _Model:
    __slots__ = ("__dict__", "state")


class _Slot:
    __slots__ = ("state",)

    def __init__(self) -> None:
        self.state = "draft"


def _plain() -> list[dict[str, object]]:
    return [
        {
            "trigger": row.command,
            "source": [s.value for s in row.sources],
            "dest": None if row.dest is None else row.dest.value,
        }
        for row in TABLE
    ]


def _approved(order: Order) -> Order:
    """The order as the lifecycle approves it (created, submitted, reviewed, approved)."""
    order, _ = create(order, at=AT, actor=ACTOR)
    for command in (Submit(), StartReview()):
        order, _ = apply(order, command, at=AT, actor=ACTOR)
    verdict = _Passed(order.order_id, order.version)
    order, _ = apply(order, Approve(verdict=verdict), at=AT, actor=ACTOR)
    return order


@dataclass(frozen=True)
class _Passed:
    """A passing review verdict for one order version."""

    order_id: str
    order_version: int
    passed: bool = True
    failure_reasons: tuple[str, ...] = ()


def main() -> None:  # noqa: C901 - one linear script of measurements
    """Measure and print."""
    report = Report("lifecycle")
    spec = _plain()
    orders = [make_order(order_id=f"SO-{i}") for i in range(N)]

    def per_order_machines() -> None:
        for _ in range(N // 10):  # a tenth: it takes seconds; scaled per order below
            Machine(
                model=_Model(),
                states=STATES,
                transitions=spec,
                initial="draft",
                auto_transitions=False,
            )

    report.add("(a) set-up: Machine per order", median_time(per_order_machines, 3) / (N // 10))

    shared = Machine(
        model=None, states=STATES, transitions=spec, initial="draft", auto_transitions=False
    )

    def add_models() -> None:
        models = [_Model() for _ in range(N)]
        for model in models:
            shared.add_model(model)
        for model in models:
            shared.remove_model(model)

    report.add("(b) set-up: shared add_model", median_time(add_models, 3) / N)

    def start_trails() -> None:
        for order in orders:
            create(order, at=AT, actor=ACTOR)

    report.add("ordercore set-up: create (OrderCreated event)", median_time(start_trails) / N)

    submit, review = shared.events["submit"], shared.events["start_review"]
    slots = [_Slot() for _ in range(N)]

    def bare() -> None:
        for model in slots:
            model.state = "draft"
            submit.trigger(model)
            review.trigger(model)

    report.add("(c) transition: bare trigger", median_time(bare) / (2 * N))

    sub, start = Submit(), StartReview()

    def ordercore() -> None:
        for order in orders:
            submitted, _ = apply(order, sub, at=AT, actor=ACTOR)
            apply(submitted, start, at=AT, actor=ACTOR)

    report.add(
        "ordercore transition (guards + event + new order)", median_time(ordercore) / (2 * N)
    )

    approved = [_approved(order) for order in orders]
    allocate = Allocate(line_id="1", quantity=Decimal(2))

    def movement() -> None:
        for order in approved:
            apply(order, allocate, at=AT, actor=ACTOR)

    report.add("ordercore ledger movement (allocate; 2 events)", median_time(movement) / N)
    report.ratio(
        "set-up ordercore/(a)",
        "ordercore set-up: create (OrderCreated event)",
        "(a) set-up: Machine per order",
        bar=0.01,
    )
    report.ratio(
        "transition ordercore/(c)",
        "ordercore transition (guards + event + new order)",
        "(c) transition: bare trigger",
        bar=1.0,
    )
    report.ratio(
        "movement ordercore/(c)",
        "ordercore ledger movement (allocate; 2 events)",
        "(c) transition: bare trigger",
        bar=2.0,
    )


if __name__ == "__main__":
    main()
