"""The facts risk factors read: `OrderFeatures`, extracted exactly from an order and its context.

Every feature is an integer or `None` (unknown). Money ratios are basis points rounded down
(``12000`` = 120 %), the robust z-score is kept in hundredths, days are whole days; all of it
is computed with exact `Decimal`/integer arithmetic in fixed decimal contexts, never the
caller's, so a feature is the same number under any precision, rounding or traps the caller
has set. (The one exception to exactness: the median of the customer's past order values and
its distance to this order are rounded half-even to 60 significant digits when those values
need more, see `ordercore.risk._exact.median`.) Because the features are integers, the
batch path (a data frame of the same columns) compares exactly the same numbers against the
same integer thresholds, on any backend, and gets exactly the same points.

[`features_of`][ordercore.risk.features.features_of] reads the order's lines once and takes
everything that is the same for every order of a customer or a day from a
[`RiskContext`][ordercore.risk.context.RiskContext] (re-exported here), so that scoring many
orders against one snapshot costs little per order.

Examples:
    >>> from datetime import datetime, timezone
    >>> from decimal import Decimal
    >>> from ordercore import Channel, CustomerRef, Money, Order, OrderLine
    >>> from ordercore.context import CustomerProfile, ReviewContext
    >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    >>> order = Order(order_id="SO-1", customer=CustomerRef(customer_id="C-1", name="Acme"),
    ...     channel=Channel.FAX, currency="CNY", received_at=at,
    ...     lines=[OrderLine(line_id="1", sku="X", quantity=Decimal(10), uom="pcs",
    ...                      unit_price=Money.of("100.00", "CNY"))])
    >>> profile = CustomerProfile(customer_id="C-1", currency="CNY",
    ...     credit_limit=Money.of("2000", "CNY"), open_exposure=Money.of("1500", "CNY"))
    >>> features = features_of(order, ReviewContext(as_of=at, customers={"C-1": profile}), as_of=at)
    >>> features.exposure_bp, features.manual_channel, features.first_order
    (12500, 2, None)
"""

from __future__ import annotations

from decimal import Decimal, DecimalException
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, NamedTuple

from ordercore._base import ARITHMETIC, MAX_QUANTITY, ROUNDING
from ordercore._duplicates import DEFAULT_DUPLICATE_WINDOW, duplicate_key, duplicate_kind
from ordercore._exact import is_multiple
from ordercore.errors import AmountOutOfRange
from ordercore.money import minor_units
from ordercore.orders import line_net, line_tax
from ordercore.risk._exact import BASIS_POINTS, CAP, floor_ratio
from ordercore.risk.context import RiskContext
from ordercore.status import Channel

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from ordercore._duplicates import DuplicateKey
    from ordercore.context import ReviewContext
    from ordercore.orders import Order

__all__ = [
    "CAP",
    "DEFAULT_DUPLICATE_WINDOW",
    "FEATURES",
    "MIN_HISTORY",
    "OrderFeatures",
    "RiskContext",
    "features_of",
]

MIN_HISTORY: Final = 5
"""Past orders needed for the robust z-score; with fewer, the cold-start ratio is used."""

FEATURES: Final = (
    "exposure_bp",
    "overdue_days",
    "overdue_bp",
    "value_z_x100",
    "value_ratio_bp",
    "first_order",
    "lead_time_shortfall_days",
    "capacity_load_bp",
    "manual_channel",
    "ship_to_change",
    "lines_over_max",
    "lines_off_pack",
    "terms_changed",
    "review_warnings",
    "lines_over_discount",
    "duplicate_orders",
    "blocked",
)
"""The built-in feature names, in column order; each is an ``Int64`` column of the batch frame."""

_NO_EXTRA: Final[Mapping[str, int | None]] = MappingProxyType({})
_MANUAL: Final = frozenset({Channel.PHONE, Channel.FAX})
# x 0.6745 (the normal quantile that makes the MAD estimate sigma) x 100 (hundredths)
_ROBUST_Z_SCALE: Final = Decimal("67.45")
_add = ARITHMETIC.add
_multiply = ARITHMETIC.multiply
_remainder = ARITHMETIC.remainder
_ZERO: Final = Decimal(0)
_new_tuple: Final = tuple.__new__


class OrderFeatures(NamedTuple):
    """The integer facts about one order that the factors score; `None` means unknown.

    An immutable named tuple (built once per order, so it must be cheap); give fields by
    keyword.

    Attributes:
        order_id: The order.
        exposure_bp: Open exposure plus this order's gross total, in basis points of the
            credit limit (``10000`` = at the limit).
        overdue_days: Days the customer's oldest overdue item is past due.
        overdue_bp: The overdue amount in basis points of the credit limit.
        value_z_x100: The robust z-score of the order's net value against the customer's
            past orders, times 100, rounded down; needs `MIN_HISTORY` past orders and some
            spread (a median absolute deviation above zero).
        value_ratio_bp: The order's net value in basis points of the largest past order
            (the cold-start measure, used while the z-score is unknown).
        first_order: 1 when the customer never ordered before.
        lead_time_shortfall_days: The most business days any line is requested inside its
            product's lead time (negative: days to spare; 0 when nothing is requested).
        capacity_load_bp: Capacity the order needs, in basis points of the free capacity up
            to its requested date (0 when nothing is requested); with a promise engine
            in the context, its answer's load instead (`RiskContext.promise_load`).
        manual_channel: 0 electronic; 1 manual (e-mail, or phone/fax with a confirmation
            reference); 2 phone or fax without a confirmation reference.
        ship_to_change: 0 a known address (or a first order); 1 a new address in a known
            country; 2 a new country.
        lines_over_max: Lines above the product's maximum quantity.
        lines_off_pack: Lines that are not a multiple of the product's pack size.
        terms_changed: 1 when the order's payment terms differ from the customer master.
        review_warnings: Warnings order review (validation) raised; unknown when not run.
        lines_over_discount: Lines discounted beyond the price list's allowed discount.
        duplicate_orders: The context's recent orders that are possible duplicates of this
            one, exactly as review's `no_duplicate_order` finds them with its default window
            (see `ordercore.validation.duplicates.is_possible_duplicate`).
        blocked: 1 when the customer is blocked for new orders.
        extra: Host-defined integer features for host-defined factors.
    """

    order_id: str
    exposure_bp: int | None = None
    overdue_days: int | None = None
    overdue_bp: int | None = None
    value_z_x100: int | None = None
    value_ratio_bp: int | None = None
    first_order: int | None = None
    lead_time_shortfall_days: int | None = 0
    capacity_load_bp: int | None = None
    manual_channel: int | None = 0
    ship_to_change: int | None = None
    lines_over_max: int | None = None
    lines_off_pack: int | None = None
    terms_changed: int | None = None
    review_warnings: int | None = None
    lines_over_discount: int | None = None
    duplicate_orders: int | None = 0
    blocked: int | None = None
    extra: Mapping[str, int | None] = _NO_EXTRA

    def get(self, name: str) -> int | None:
        """The value of a built-in or extra feature.

        Raises:
            KeyError: If there is no feature of that name (the message lists the known ones).
        """
        if name in self.extra:
            return self.extra[name]
        if name in FEATURES:
            value: int | None = getattr(self, name)
            return value
        raise KeyError(
            f"order {self.order_id} has no feature {name!r}; built-in features: "
            f"{', '.join(FEATURES)}; extra: {', '.join(self.extra) or 'none'}"
        )

    def row(self) -> dict[str, object]:
        """The features as one row of the batch frame (``order_id`` and every feature)."""
        row: dict[str, object] = {"order_id": self.order_id}
        row.update({name: getattr(self, name) for name in FEATURES})
        row.update(self.extra)
        return row


@lru_cache(maxsize=64)
def _quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency), ROUNDING)


def features_of(  # noqa: C901, PLR0912, PLR0915 - one pass over the lines, on purpose
    order: Order,
    context: ReviewContext | RiskContext,
    *,
    as_of: datetime,
    review_warnings: int | None = None,
    extra: Mapping[str, int | None] | None = None,
) -> OrderFeatures:
    """Extract the integer risk features of one order from its context.

    Args:
        order: The order.
        context: The snapshot (wrap it once in `RiskContext.of` when scoring many orders).
        as_of: The assessment time (timezone-aware); capacity is counted from this day.
        review_warnings: How many warnings order review raised; `None` if it was not run.
        extra: Host-defined features for host-defined factors.

    Raises:
        ValueError: If `as_of` is naive.
    """
    if as_of.tzinfo is None:
        raise ValueError(f"as_of {as_of!r} is naive; give a timezone-aware datetime")
    risk = context if type(context) is RiskContext else RiskContext.of(context)
    review = risk.review
    customer = risk.customer(order.customer.customer_id)
    profile = customer.profile
    currency = order.currency

    # One pass over the lines: amounts exactly as `Order.net_total`/`Order.total` compute
    # them, discounts, and the schedule (unknown as soon as one product is unknown).
    quantum = _quantum(currency)
    price_list = review.price_list
    max_discount = None if price_list is None else price_list.max_discount_rate
    products = review.products
    default_requested = order.requested_delivery_at
    net_total = gross_total = needed = _ZERO
    over_discount = over_max = off_pack = 0
    schedule_known = True
    shortfall: int | None = None
    latest: datetime | None = None
    available_by: dict[datetime, int] = {}
    for line in order.lines:
        quantity = line.quantity
        rate = line.discount_rate
        open_quantity = line.open_quantity
        net = line_net(open_quantity, line.unit_price.amount, rate, quantum)
        net_total = _add(net_total, net)
        gross_total = _add(gross_total, _add(net, line_tax(net, line.tax_rate, quantum)))
        if max_discount is not None and rate > max_discount:
            over_discount += 1
        if not schedule_known:
            continue
        product = products.get(line.sku)
        if product is None:
            schedule_known = False
            continue
        limit = product.max_quantity
        if limit is not None and quantity > limit:
            over_max += 1
        pack = product.pack_multiple
        if pack is not None:
            try:
                off = bool(_remainder(quantity, pack))
            except DecimalException:  # a pack size of absurdly many digits
                off = not is_multiple(quantity, pack)
            if off:
                off_pack += 1
        per_unit = product.capacity_per_unit
        if per_unit:
            try:
                needed = _add(needed, _multiply(open_quantity, per_unit))
            except DecimalException:  # only a line built without validation gets here
                raise AmountOutOfRange(
                    f"multiply the open quantity of line {line.line_id} by {per_unit}",
                    open_quantity,
                    MAX_QUANTITY,
                    6,
                ) from None
        requested = line.requested_delivery_at or default_requested
        if requested is None:
            continue
        if latest is None or requested > latest:
            latest = requested
        available = available_by.get(requested)
        if available is None:
            available = risk.business_days_between(
                risk.local_date(order.received_at), risk.local_date(requested)
            )
            available_by[requested] = available
        short = product.lead_time_days - available
        if shortfall is None or short > shortfall:
            shortfall = short
    load: int | None
    if not schedule_known:
        shortfall = load = None
        over_max_known: int | None = None
        off_pack_known: int | None = None
    else:
        over_max_known, off_pack_known = over_max, off_pack
        if latest is None:
            shortfall = load = 0
        else:
            load = None
            if review.capacity is not None:
                free = risk.free_capacity(risk.local_date(as_of), risk.local_date(latest))
                load = floor_ratio(needed, free, BASIS_POINTS)
            shortfall = shortfall or 0
            shortfall = CAP if shortfall > CAP else max(shortfall, -CAP)
    if review.promise is not None:  # the promise engine's answer, the one review reads
        load = risk.promise_load(order)

    # credit: different currencies cannot be added without a rate; the host converts first
    exposure_bp: int | None = None
    credit_limit = customer.limit
    if (
        customer.exposure is not None
        and credit_limit is not None
        and currency == customer.limit_currency
    ):
        exposure_bp = floor_ratio(_add(customer.exposure, gross_total), credit_limit, BASIS_POINTS)

    # value against the customer's history: the robust z-score, or the cold-start ratio
    z: int | None = None
    ratio: int | None = None
    history = customer.history
    if history is not None and (customer.currency is None or customer.currency == currency):
        ratio = floor_ratio(net_total, history.largest, BASIS_POINTS)
        if history.count >= MIN_HISTORY and history.mad != 0:
            distance = ROUNDING.subtract(net_total, history.median)
            z = floor_ratio(distance, history.mad, _ROBUST_Z_SCALE)

    channel = order.channel
    if channel in _MANUAL:
        manual = 1 if order.confirmation_ref else 2
    else:
        manual = 1 if channel is Channel.EMAIL else 0

    terms: int | None = None
    first = customer.first_order
    ship_change: int | None = None
    if profile is not None:
        if order.payment_terms is None:
            terms = 0
        elif customer.payment_terms is not None:
            terms = int(order.payment_terms != customer.payment_terms)
        if first is None and profile.first_order_at is not None:
            first = int(profile.first_order_at >= order.received_at)
        ship_to = order.ship_to
        if ship_to is not None:
            if first == 1:
                ship_change = 0  # a first order's address is new by definition
            elif customer.addresses:
                if risk.address_key(ship_to) in customer.addresses:
                    ship_change = 0
                else:
                    ship_change = 1 if ship_to.country in customer.countries else 2

    duplicates = 0
    if customer.recent:
        duplicates = _duplicates(customer.recent, order)

    return _new_tuple(
        OrderFeatures,
        (
            order.order_id,
            exposure_bp,
            customer.overdue_days,
            customer.overdue_bp,
            z,
            ratio,
            first,
            shortfall,
            load,
            manual,
            ship_change,
            over_max_known,
            off_pack_known,
            terms,
            review_warnings,
            None if max_discount is None else over_discount,
            duplicates,
            customer.blocked,
            MappingProxyType(dict(extra)) if extra else _NO_EXTRA,
        ),
    )


def _duplicates(recent: tuple[DuplicateKey, ...], order: Order) -> int:
    own = duplicate_key(order)
    count = 0
    for other in recent:
        if duplicate_kind(own, other, DEFAULT_DUPLICATE_WINDOW) is not None:
            count += 1
    return count
