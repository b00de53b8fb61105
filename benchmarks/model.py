"""Building orders: validation cost of the strict entities.

Baseline in the same run: `Order.model_construct` (no validation at all). The figure to watch
is the per-order cost of validating a realistic 5-line order from raw Python values, and of a
JSON round trip.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from benchmarks._harness import Report, median_time
from ordercore import Order, OrderLine

N = 20_000


def _raw(i: int) -> dict[str, Any]:
    received = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
    return {
        "order_id": f"SO-{i}",
        "customer": {"customer_id": f"C-{i % 500}", "name": "Customer"},
        "channel": "web",
        "currency": "CNY",
        "received_at": received,
        "lines": [
            {
                "line_id": str(n),
                "sku": f"SKU-{n}",
                "quantity": Decimal(1 + n),
                "uom": "pcs",
                "unit_price": {"amount": Decimal("9.90"), "currency": "CNY"},
            }
            for n in range(5)
        ],
    }


def main() -> None:
    """Measure and print."""
    raws = [_raw(i) for i in range(N)]
    orders = [Order.model_validate(r) for r in raws]
    texts = [o.model_dump_json() for o in orders]
    report = Report("model")

    def construct() -> None:
        for r in raws:
            lines = tuple(OrderLine.model_construct(**line) for line in r["lines"])
            Order.model_construct(**{**r, "lines": lines})

    report.add("construct (no validation) per order", median_time(construct) / N)
    report.add(
        "validate from dict per order",
        median_time(lambda: [Order.model_validate(r) for r in raws]) / N,
    )
    report.add(
        "validate from JSON per order",
        median_time(lambda: [Order.model_validate_json(t) for t in texts]) / N,
    )
    report.add(
        "dump to JSON per order", median_time(lambda: [o.model_dump_json() for o in orders]) / N
    )
    report.ratio(
        "validate/construct", "validate from dict per order", "construct (no validation) per order"
    )
    report.ratio(
        "JSON validate/dict validate",
        "validate from JSON per order",
        "validate from dict per order",
    )


if __name__ == "__main__":
    main()
