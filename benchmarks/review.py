"""Order review: parse + default review of 100,000 five-line orders from raw dicts.

Baseline in the same run: `Order.model_validate` alone over the same records. The bar:
parse + review ≤ 2.0× the baseline (aim ≤ 1.5×). The context is realistic: 1,000 customer
profiles, 200 products, a price list, China's 2026 calendar with adjusted working days,
180 days of capacity and 2,000 recent orders; about one order in ten fails some rule.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from benchmarks._harness import Report, collector_off, median_time
from ordercore import Money, Order
from ordercore.context import (
    BusinessCalendar,
    CapacityView,
    CustomerProfile,
    PriceList,
    Product,
    ReviewContext,
)
from ordercore.validation import DEFAULT_RULES, review_many

N = 100_000
START = datetime(2026, 3, 2, 1, tzinfo=UTC)
CHANNELS = ("web", "edi", "email", "phone", "fax", "api")
SKUS = [f"SKU-{n:03d}" for n in range(200)]


def _raw(i: int) -> dict[str, Any]:
    received = START + timedelta(minutes=i % 20_000)
    channel = CHANNELS[i % len(CHANNELS)]
    first = (i * 7) % 195
    return {
        "order_id": f"SO-{i}",
        "customer": {"customer_id": f"C-{i % 1000}", "name": "Customer"},
        "channel": channel,
        "currency": "CNY",
        "received_at": received,
        "requested_delivery_at": received + timedelta(days=21 if i % 13 else 2),
        "promised_delivery_at": received + timedelta(days=28),
        "ship_to": {"name": "Receiving", "line1": "1 Road", "city": "Suzhou", "country": "CN"},
        "contact": {"name": "Wang", "phone": "+86 512 0000"},
        "confirmation_ref": None if i % 17 == 0 else f"CF-{i}",
        "lines": [
            {
                "line_id": str(n),
                "sku": SKUS[first + n],
                "quantity": Decimal(10 * (1 + n)),
                "uom": "pcs",
                "unit_price": {"amount": Decimal("9.90"), "currency": "CNY"},
            }
            for n in range(5)
        ],
    }


def _context() -> ReviewContext:
    calendar = BusinessCalendar.from_holidays(
        "CN",
        [2026],
        working_days=[date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20)],
        timezone="Asia/Shanghai",
    )
    customers = {
        f"C-{n}": CustomerProfile(
            customer_id=f"C-{n}",
            currency="CNY",
            credit_limit=Money.of(Decimal(50_000 if n % 50 else 100), "CNY"),
            open_exposure=Money.of(Decimal(10_000), "CNY"),
            overdue_amount=Money.of(Decimal(0), "CNY"),
            overdue_days=0,
        )
        for n in range(1000)
    }
    products = {
        sku: Product(
            sku=sku,
            uom="pcs",
            moq=Decimal(10),
            pack_multiple=Decimal(10),
            max_quantity=Decimal(10_000),
            lead_time_days=5 + n % 5,
            capacity_per_unit=Decimal("0.01"),
        )
        for n, sku in enumerate(SKUS)
    }
    prices = PriceList(
        currency="CNY",
        prices={sku: Money.of("9.90", "CNY") for sku in SKUS},
        tolerance=Decimal("0.02"),
        max_discount_rate=Decimal("0.2"),
    )
    capacity = CapacityView(
        free={date(2026, 3, 1) + timedelta(days=d): Decimal(800) for d in range(180)}
    )
    recent = tuple(
        Order.model_validate({**_raw(N + i), "received_at": START - timedelta(days=1)})
        for i in range(2000)
    )
    return ReviewContext(
        as_of=START,
        customers=customers,
        products=products,
        price_list=prices,
        calendar=calendar,
        capacity=capacity,
        recent_orders=recent,
    )


def main() -> None:
    """Measure and print."""
    raws = [_raw(i) for i in range(N)]
    context = _context()
    results = review_many((Order.model_validate(r) for r in raws), context)
    failed = sum(1 for r in results if not r.passed)
    print(f"review: {N} orders, {len(DEFAULT_RULES)} rules, {failed} fail review")
    report = Report("review")
    validate = Order.model_validate

    def baseline() -> None:
        for r in raws:
            validate(r)

    def parse_and_review() -> None:
        review_many((validate(r) for r in raws), context)

    # The parsed orders for "review alone" are built only after the two timed loops: kept
    # alive earlier, their millions of objects are traversed by every full collection that
    # the surviving review results trigger, which charges the heap's size to the review.
    report.add("baseline: Order.model_validate", median_time(baseline, 3))
    report.add("parse + default review", median_time(parse_and_review, 3))
    with collector_off():
        report.add("baseline, collector off (timeit's convention)", median_time(baseline, 3))
        report.add("parse + review, collector off", median_time(parse_and_review, 3))
    orders = [validate(r) for r in raws]

    def review_only() -> None:
        review_many(orders, context)

    report.add("default review alone", median_time(review_only, 3))
    report.add("per order: review alone", report.figures["default review alone"] / N)
    report.ratio(
        "parse + review / baseline",
        "parse + default review",
        "baseline: Order.model_validate",
        bar=2.0,
    )
    report.ratio(
        "parse + review / baseline, collector off",
        "parse + review, collector off",
        "baseline, collector off (timeit's convention)",
        bar=2.0,
    )


if __name__ == "__main__":
    main()
