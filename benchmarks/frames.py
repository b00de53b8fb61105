"""Frames from entities: `orders_frame` and its siblings on 100,000 orders with their events.

The book: ``ORDERCORE_BENCH_FRAME_ORDERS`` orders (default 100,000) with every event of their
trails (about 20 per order, 2 million in all). A base of up to 10,000 orders is driven
through the real lifecycle by `ordercore.testing.book.synthetic_book` (driving all 100,000
would take the better part of an hour); larger books repeat it with fresh objects (each
repeat is unpickled anew, so no entity or event is shared between repeats) under new order
and event ids. Every frame is timed on the whole book.

The orders carry their milestones and totals, as every order the lifecycle built does, so
`orders_frame` reads no event and sums no line; it is timed again on copies without either
(orders stored before the fields existed), whose events it reads and whose lines it sums.

Baseline in the same run: the straightforward converter, one dict per order through
``pandas.DataFrame`` and ``pd.to_datetime``, with milestones from the events sorted per
order, timed on the base book. For scale, two floors of any converter: a bare loop over the
events, and one that only reads each event's order id, version and moment. Printed: the
median µs per order of each frame, the ratio of `orders_frame` to the baseline, and whether
`orders_frame` (with its events), and the three frames the KPIs read (orders, lines,
events), meet the bar of 10 µs per order.
"""

from __future__ import annotations

import os
import pickle
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from benchmarks._harness import Report, median_time
from ordercore.kpi.convert import (
    cases_frame,
    events_frame,
    lifecycle_frames,
    lines_frame,
    orders_frame,
    surveys_frame,
)
from ordercore.testing.book import synthetic_book

if TYPE_CHECKING:
    import datetime as dt

    from ordercore.events import OrderEvent
    from ordercore.orders import Order

N = int(os.environ.get("ORDERCORE_BENCH_FRAME_ORDERS", "100000"))
BASE = min(N, 10_000)
BAR_US = 10.0


def _book(n: int) -> tuple[list[Order], list[OrderEvent], dt.datetime]:
    base = synthetic_book(orders=BASE, seed=11)
    blob = pickle.dumps((base.orders, base.events))
    orders: list[Order] = list(base.orders)
    events: list[OrderEvent] = list(base.events)
    repeat = 1
    while len(orders) < n:
        copies, trail = pickle.loads(blob)  # noqa: S301 - our own bytes, from this process
        tag = f"R{repeat}-"
        take = copies[: n - len(orders)]
        kept = {o.order_id for o in take}
        orders.extend(o.model_copy(update={"order_id": tag + o.order_id}) for o in take)
        events.extend(
            e.model_copy(update={"order_id": tag + e.order_id, "event_id": tag + e.event_id})
            for e in trail
            if e.order_id in kept
        )
        repeat += 1
    return orders, events, base.as_of


def _per_row(orders: list[Order], events: list[OrderEvent], as_of: dt.datetime) -> Any:
    """The straightforward converter: a dict per order, pandas infers the columns."""
    import pandas as pd  # noqa: PLC0415

    from ordercore.ledger import Dimension  # noqa: PLC0415
    from ordercore.status import Progress  # noqa: PLC0415

    marks: dict[str, dict[str, Any]] = {}
    for event in sorted(events, key=lambda e: (e.order_id, e.at, e.order_version)):
        m = marks.setdefault(event.order_id, {})
        if event.type == "order_approved":
            m.setdefault("approved_at", event.at)
        elif event.type == "order_cancelled":
            m.setdefault("cancelled_at", event.at)
        elif event.type == "quantity_shipped":
            m["shipped_at"] = event.at
        elif event.type == "quantity_delivered":
            m["delivered_at"] = event.at
        if "status" in event.after:
            m["status_since"] = event.at
    rows = []
    for order in orders:
        m = marks.get(order.order_id, {})
        full = order.progress(Dimension.FULFILMENT) is Progress.FULL
        rows.append(
            {
                "order_id": order.order_id,
                "customer_id": order.customer.customer_id,
                "channel": order.channel.value,
                "received_at": order.received_at,
                "owner_id": order.owner.staff_id if order.owner else None,
                "status": order.status.value,
                "status_since": m.get("status_since"),
                "approved_at": m.get("approved_at"),
                "requested_at": order.requested_delivery_at,
                "promised_at": order.promised_delivery_at,
                "shipped_at": m.get("shipped_at")
                if order.progress(Dimension.SHIPPING) is Progress.FULL
                else None,
                "delivered_at": m.get("delivered_at") if full else None,
                "cancelled_at": m.get("cancelled_at"),
                "hold_hours": sum(
                    ((h.released_at or as_of) - h.placed_at).total_seconds() / 3600
                    for h in order.holds
                ),
                "qty_ordered": float(order.total_quantity()),
                "qty_cancelled": float(sum(line.ledger.cancelled for line in order.lines)),
                "qty_delivered": float(sum(line.ledger.delivered for line in order.lines)),
                "value": float(order.net_total.amount),
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("received_at", "status_since", "approved_at", "requested_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.as_unit("us")
    return frame


def main() -> None:
    """Measure and print."""
    report = Report("frames")
    orders, events, as_of = _book(N)
    base = {o.order_id for o in orders[:BASE]}
    base_orders = orders[:BASE]
    base_events = [e for e in events if e.order_id in base]
    report.add("orders", len(orders), "orders")
    report.add("events per order", len(events) / len(orders), "events")
    orders_frame(orders[:100], events[:2000], as_of=as_of)  # imports pandas, warms up

    def per_order(seconds: float, n: int = len(orders)) -> float:
        return seconds / n

    moments = itemgetter("order_id", "order_version", "at")
    report.add(
        "floor: a bare loop over the events, per order",
        per_order(median_time(lambda: [None for _ in events])),
    )
    report.add(
        "floor: reading each event's order id, version and moment, per order",
        per_order(median_time(lambda: list(map(moments, map(attrgetter("__dict__"), events))))),
    )
    report.add(
        "baseline: per-row dicts through pandas, per order",
        per_order(median_time(lambda: _per_row(base_orders, base_events, as_of), 3), BASE),
    )
    report.add(
        "orders_frame (with events), per order",
        per_order(median_time(lambda: orders_frame(orders, events, as_of=as_of))),
    )
    unmarked = [o.model_copy(update={"milestones": None, "totals": None}) for o in orders]
    report.add(
        "orders_frame, orders without milestones or totals (events read, lines summed), per order",
        per_order(median_time(lambda: orders_frame(unmarked, events, as_of=as_of))),
    )
    report.add(
        "lines_frame (with events), per order",
        per_order(median_time(lambda: lines_frame(orders, events))),
    )
    report.add("events_frame, per order", per_order(median_time(lambda: events_frame(events))))
    report.add(
        "surveys_frame + cases_frame, per order",
        per_order(median_time(lambda: (surveys_frame(orders), cases_frame(orders, events)))),
    )
    report.add(
        "lifecycle_frames (all six), per order",
        per_order(median_time(lambda: lifecycle_frames(orders, events, as_of=as_of), 3)),
    )
    report.ratio(
        "orders_frame/baseline",
        "orders_frame (with events), per order",
        "baseline: per-row dicts through pandas, per order",
    )
    kpi_frames = sum(
        report.figures[f"{name} (with events), per order"]
        for name in ("orders_frame", "lines_frame")
    )
    kpi_frames += report.figures["events_frame, per order"]
    for label, seconds in (
        ("orders_frame", report.figures["orders_frame (with events), per order"]),
        ("orders + lines + events frames", kpi_frames),
    ):
        figure = seconds * 1e6
        verdict = "meets" if figure <= BAR_US else "MISSES"
        print(f"frames: {label} {figure:.2f} us per order  [{verdict} bar <= {BAR_US:g} us]")


if __name__ == "__main__":
    main()
