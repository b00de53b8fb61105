"""Builders and hypothesis strategies for the risk tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ordercore import Address, Channel, CustomerRef, Money, Order, OrderLine
from ordercore.context import (
    BusinessCalendar,
    CapacityView,
    CustomerProfile,
    PriceList,
    Product,
    ReviewContext,
)
from ordercore.risk.features import FEATURES, OrderFeatures

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
HOME = Address(name="Acme", line1="1 Harbour Road", city="Suzhou", country="CN")


def profile(**overrides: Any) -> CustomerProfile:
    values: dict[str, Any] = {
        "customer_id": "C-1",
        "currency": "CNY",
        "credit_limit": Money.of("10000", "CNY"),
        "open_exposure": Money.of("2000", "CNY"),
        "overdue_amount": Money.of("0", "CNY"),
        "overdue_days": 0,
        "order_count": 12,
        "past_order_values": tuple(Decimal(v) for v in (90, 100, 110, 95, 105, 100)),
        "known_ship_to": (HOME,),
        "payment_terms": "NET30",
    }
    values.update(overrides)
    return CustomerProfile(**values)


def product(sku: str = "BOLT", **overrides: Any) -> Product:
    values: dict[str, Any] = {
        "sku": sku,
        "uom": "pcs",
        "lead_time_days": 5,
        "pack_multiple": Decimal(10),
        "max_quantity": Decimal(1000),
        "capacity_per_unit": Decimal("0.1"),
    }
    values.update(overrides)
    return Product(**values)


def order(**overrides: Any) -> Order:
    lines = overrides.pop("lines", None) or [
        OrderLine(
            line_id="1",
            sku="BOLT",
            quantity=Decimal(10),
            uom="pcs",
            unit_price=Money.of("10.00", "CNY"),
        )
    ]
    values: dict[str, Any] = {
        "order_id": "SO-1",
        "customer": CustomerRef(customer_id="C-1", name="Acme"),
        "channel": Channel.WEB,
        "currency": "CNY",
        "received_at": AT,
        "ship_to": HOME,
        "payment_terms": "NET30",
        "lines": lines,
    }
    values.update(overrides)
    return Order(**values)


def context(**overrides: Any) -> ReviewContext:
    values: dict[str, Any] = {
        "as_of": AT,
        "customers": {"C-1": profile()},
        "products": {"BOLT": product()},
        "calendar": BusinessCalendar(),
        "capacity": CapacityView(
            free={AT.date() + timedelta(days=i): Decimal(8) for i in range(60)}
        ),
        "price_list": PriceList(currency="CNY", prices={}, max_discount_rate=Decimal("0.2")),
    }
    values.update(overrides)
    return ReviewContext(**values)


def clean_features(order_id: str = "SO-1", **overrides: int | None) -> OrderFeatures:
    """Everything known and nothing risky."""
    values: dict[str, int | None] = dict.fromkeys(FEATURES, 0)
    values["value_z_x100"] = None
    values["value_ratio_bp"] = 10000
    values.update(overrides)
    return OrderFeatures(order_id=order_id, **values)  # type: ignore[arg-type]


# Values cluster around every default threshold so boundaries are hit often.
_EDGES = (0, 1, 2, 3, 4, 5, 29, 30, 59, 60, 89, 90, 349, 350, 599, 600, 999, 1000, 2999, 3000)
_BIG = (7999, 8000, 9999, 10000, 14999, 15000, 29999, 30000)


def feature_value() -> st.SearchStrategy[int | None]:
    return st.one_of(
        st.none(),
        st.sampled_from(_EDGES + _BIG),
        st.integers(-1000, 10**6),
    )


@st.composite
def features(draw: st.DrawFn, order_id: str = "SO-1") -> OrderFeatures:
    values = {name: draw(feature_value()) for name in FEATURES}
    return OrderFeatures(order_id=order_id, **values)  # type: ignore[arg-type]


@st.composite
def books(draw: st.DrawFn) -> tuple[list[Order], ReviewContext]:
    """A few orders of a few customers with partly missing context."""
    customers: dict[str, CustomerProfile] = {}
    for index in range(draw(st.integers(1, 3))):
        cid = f"C-{index}"
        if draw(st.booleans()):
            continue  # an unknown customer
        limit = draw(st.sampled_from(["0", "1000", "5000", "20000"]))
        customers[cid] = CustomerProfile(
            customer_id=cid,
            currency="CNY",
            credit_limit=draw(st.none() | st.just(Money.of(limit, "CNY"))),
            open_exposure=draw(
                st.none()
                | st.sampled_from(["0", "800", "3999.99", "4000"]).map(lambda v: Money.of(v, "CNY"))
            ),
            overdue_amount=Money.of(draw(st.sampled_from(["0", "100", "1500"])), "CNY"),
            overdue_days=draw(st.none() | st.sampled_from([0, 1, 30, 60, 90])),
            order_count=draw(st.none() | st.integers(0, 30)),
            past_order_values=tuple(
                Decimal(v)
                for v in draw(st.lists(st.sampled_from([50, 100, 100, 120, 400]), max_size=8))
            ),
            known_ship_to=draw(st.sampled_from([(), (HOME,)])),
            payment_terms=draw(st.sampled_from([None, "NET30", "NET60"])),
        )
    orders = []
    for index in range(draw(st.integers(1, 6))):
        qty = Decimal(draw(st.sampled_from([1, 10, 15, 100, 2000])))
        days = draw(st.none() | st.integers(0, 40))
        orders.append(
            order(
                order_id=f"SO-{index}",
                customer=CustomerRef(customer_id=f"C-{draw(st.integers(0, 2))}", name="x"),
                channel=draw(st.sampled_from(list(Channel))),
                confirmation_ref=draw(st.sampled_from([None, "CF-1"])),
                requested_delivery_at=None if days is None else AT + timedelta(days=days),
                payment_terms=draw(st.sampled_from([None, "NET30", "NET90"])),
                ship_to=draw(
                    st.sampled_from(
                        [
                            None,
                            HOME,
                            HOME.model_copy(update={"line1": "9 New St"}),
                            HOME.model_copy(update={"country": "VN"}),
                        ]
                    )
                ),
                lines=[
                    OrderLine(
                        line_id="1",
                        sku=draw(st.sampled_from(["BOLT", "NUT"])),
                        quantity=qty,
                        uom="pcs",
                        unit_price=Money.of(
                            draw(st.sampled_from(["1.00", "10.00", "39.99"])), "CNY"
                        ),
                        discount_rate=Decimal(draw(st.sampled_from(["0", "0.25"]))),
                        tax_rate=Decimal("0.13"),
                    )
                ],
            )
        )
    ctx = context(
        customers=customers,
        products={"BOLT": product()},
        capacity=draw(st.none() | st.just(context().capacity)),
        price_list=draw(st.none() | st.just(context().price_list)),
        calendar=BusinessCalendar(holidays=frozenset({date(2026, 3, 5)})),
        recent_orders=tuple(orders[:2]),
    )
    return orders, ctx
