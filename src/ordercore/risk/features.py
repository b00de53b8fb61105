"""The facts risk factors read: `OrderFeatures`, extracted exactly from an order and its context.

Every feature is an integer or `None` (unknown). Money ratios are basis points rounded down
(``12000`` = 120 %), the robust z-score is kept in hundredths, days are whole days; all of it
is computed with exact `Decimal`/integer arithmetic. Because the features are integers, the
batch path (a data frame of the same columns) compares exactly the same numbers against the
same integer thresholds, on any backend, and gets exactly the same points.

[`RiskContext`][ordercore.risk.features.RiskContext] wraps a
[`ReviewContext`][ordercore.context.ReviewContext] and remembers what is the same for every
order of a customer (history median and spread, known addresses, recent orders), so that
scoring many orders against one snapshot costs little per order.

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

import bisect
import decimal
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, NamedTuple

import attrs

from ordercore.context import BusinessCalendar, CustomerProfile, ReviewContext
from ordercore.money import minor_units
from ordercore.status import Channel

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ordercore.orders import Address, Order

__all__ = [
    "CAP",
    "DUPLICATE_WINDOW",
    "FEATURES",
    "MIN_HISTORY",
    "OrderFeatures",
    "RiskContext",
    "features_of",
]

CAP: Final = 10**9
"""Every feature is clamped to ``[-CAP, CAP]`` (a ratio against a zero limit is ``CAP``)."""

MIN_HISTORY: Final = 5
"""Past orders needed for the robust z-score; with fewer, the cold-start ratio is used."""

DUPLICATE_WINDOW: Final = timedelta(hours=72)
"""How close in time another order of the customer must be to count as a possible duplicate."""

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

_MEMO_LIMIT: Final = 100_000  # remembered dates and spans; cleared when full
_NO_EXTRA: Final[Mapping[str, int | None]] = MappingProxyType({})
_MANUAL: Final = frozenset({Channel.PHONE, Channel.FAX})
_BP: Final = 10000
_ROBUST_Z_NUM: Final = 6745  # 0.6745 = the normal quantile that makes the MAD estimate sigma
_HALF_EVEN: Final = ROUND_HALF_EVEN


def _clamp(value: int) -> int:
    return CAP if value > CAP else max(value, -CAP)


def _floor_ratio(numerator: Decimal, denominator: Decimal, scale: int) -> int:
    """``floor(numerator * scale / denominator)`` exactly (integer arithmetic, no rounding)."""
    if denominator == 0:
        return 0 if numerator == 0 else (CAP if numerator > 0 else -CAP)
    top = numerator * scale
    try:
        # Decimal divmod is exact (it raises rather than round when the quotient is too long);
        # its quotient truncates toward zero, so step down once for a negative inexact one.
        quotient, remainder = divmod(top, denominator)
    except decimal.InvalidOperation:
        return _floor_ratio_exact(numerator, denominator, scale)
    result = int(quotient)
    if remainder and (top < 0) != (denominator < 0):
        result -= 1
    return _clamp(result)


def _floor_ratio_exact(numerator: Decimal, denominator: Decimal, scale: int) -> int:
    n_num, n_den = numerator.as_integer_ratio()
    d_num, d_den = denominator.as_integer_ratio()
    top, bottom = n_num * d_den * scale, n_den * d_num
    if bottom < 0:
        top, bottom = -top, -bottom
    return _clamp(top // bottom)


def _median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    # (a + b) / 2 of two exact decimals is exact: halving adds at most one digit.
    return (ordered[middle - 1] + ordered[middle]) * Decimal("0.5")


@dataclass(frozen=True, slots=True)
class _History:
    count: int
    median: Decimal
    mad: Decimal
    largest: Decimal


@dataclass(frozen=True, slots=True)
class _Recent:
    order_id: str
    received_at: datetime
    customer_po: str | None
    signature: tuple[tuple[str, Decimal], ...]


def _signature(order: Order) -> tuple[tuple[str, Decimal], ...]:
    return tuple(sorted((line.sku, line.quantity) for line in order.lines))


def _address_key(address: Address) -> tuple[str, str, str, str]:
    return (
        " ".join(address.line1.split()).casefold(),
        " ".join(address.city.split()).casefold(),
        (address.postal_code or "").replace(" ", "").casefold(),
        address.country,
    )


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
            to its requested date (0 when nothing is requested).
        manual_channel: 0 electronic; 1 manual (e-mail, or phone/fax with a confirmation
            reference); 2 phone or fax without a confirmation reference.
        ship_to_change: 0 a known address (or a first order); 1 a new address in a known
            country; 2 a new country.
        lines_over_max: Lines above the product's maximum quantity.
        lines_off_pack: Lines that are not a multiple of the product's pack size.
        terms_changed: 1 when the order's payment terms differ from the customer master.
        review_warnings: Warnings order review (validation) raised; unknown when not run.
        lines_over_discount: Lines discounted beyond the price list's allowed discount.
        duplicate_orders: Other recent orders of the customer that look the same.
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


@attrs.frozen(slots=True)
class RiskContext:
    """A review context prepared for scoring many orders: per-customer facts are remembered.

    Build it once per snapshot with [`RiskContext.of`][ordercore.risk.features.RiskContext.of]
    and pass it to `assess` for every order; a bare `ReviewContext` works too but recomputes
    the customer's history statistics each time.

    Attributes:
        review: The snapshot the host assembled.
    """

    review: ReviewContext
    _memo: dict[tuple[str, str], object] = attrs.field(factory=dict, eq=False, repr=False)
    _calendar: BusinessCalendar = attrs.field(init=False, eq=False, repr=False)
    _holidays: tuple[date, ...] = attrs.field(init=False, eq=False, repr=False)
    _working: tuple[date, ...] = attrs.field(init=False, eq=False, repr=False)
    _capacity_days: tuple[date, ...] = attrs.field(init=False, eq=False, repr=False)
    _capacity_sums: tuple[Decimal, ...] = attrs.field(init=False, eq=False, repr=False)
    _tz: tzinfo = attrs.field(init=False, eq=False, repr=False)
    _days: dict[datetime, date] = attrs.field(init=False, eq=False, repr=False, factory=dict)
    _spans: dict[tuple[date, date], int] = attrs.field(
        init=False, eq=False, repr=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        # A missing calendar means weekends off and no holidays, in UTC (documented).
        calendar = self.review.calendar or BusinessCalendar()
        object.__setattr__(self, "_calendar", calendar)
        object.__setattr__(self, "_tz", calendar.tz)
        object.__setattr__(self, "_holidays", tuple(sorted(calendar.holidays)))
        object.__setattr__(self, "_working", tuple(sorted(calendar.working_days)))
        days: tuple[date, ...] = ()
        sums: list[Decimal] = [Decimal(0)]
        if self.review.capacity is not None:
            days = tuple(sorted(self.review.capacity.free))
            for day in days:
                sums.append(sums[-1] + self.review.capacity.free[day])
        object.__setattr__(self, "_capacity_days", days)
        object.__setattr__(self, "_capacity_sums", tuple(sums))

    @classmethod
    def of(cls, context: ReviewContext | RiskContext) -> RiskContext:
        """Wrap a review context (a `RiskContext` is returned as it is)."""
        if isinstance(context, RiskContext):
            return context
        if not isinstance(context, ReviewContext):
            raise TypeError(
                f"context must be a ReviewContext or RiskContext, not {type(context).__name__}"
            )
        return cls(context)

    @property
    def calendar(self) -> BusinessCalendar:
        """The business calendar (weekends off, no holidays, UTC when none was given)."""
        return self._calendar

    def history(self, profile: CustomerProfile) -> _History | None:
        """Count, median, median absolute deviation and largest of past order values."""
        key = ("history", profile.customer_id)
        if key not in self._memo:
            values = list(profile.past_order_values)
            if not values:
                self._memo[key] = None
            else:
                median = _median(values)
                mad = _median([abs(v - median) for v in values])
                self._memo[key] = _History(len(values), median, mad, max(values))
        found = self._memo[key]
        return found if isinstance(found, _History) else None

    def known_addresses(self, profile: CustomerProfile) -> tuple[frozenset[object], frozenset[str]]:
        """Normalised known ship-to addresses and their countries."""
        key = ("addresses", profile.customer_id)
        found = self._memo.get(key)
        if found is None:
            keys = frozenset(_address_key(a) for a in profile.known_ship_to)
            found = (keys, frozenset(a.country for a in profile.known_ship_to))
            self._memo[key] = found
        return found  # type: ignore[return-value]

    def recent_orders(self, customer_id: str) -> tuple[_Recent, ...]:
        """Recent orders of one customer, reduced to what duplicate detection compares."""
        key = ("recent", "")
        index = self._memo.get(key)
        if index is None:
            grouped: dict[str, list[_Recent]] = {}
            for other in self.review.recent_orders:
                grouped.setdefault(other.customer.customer_id, []).append(
                    _Recent(other.order_id, other.received_at, other.customer_po, _signature(other))
                )
            index = {k: tuple(v) for k, v in grouped.items()}
            self._memo[key] = index
        return index.get(customer_id, ())  # type: ignore[attr-defined,no-any-return]

    def local_date(self, moment: datetime) -> date:
        """The calendar day of a timestamp in the calendar's time zone."""
        days = self._days
        day = days.get(moment)
        if day is None:
            if len(days) > _MEMO_LIMIT:
                days.clear()
            day = days[moment] = moment.astimezone(self._tz).date()
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in ``(start, end]``, like the calendar's, in constant time."""
        spans = self._spans
        found = spans.get((start, end))
        if found is None:
            if len(spans) > _MEMO_LIMIT:
                spans.clear()
            found = spans[start, end] = self._business_days(start, end)
        return found

    def _business_days(self, start: date, end: date) -> int:
        if end <= start:
            return 0 if end == start else -self._business_days(end, start)
        calendar = self._calendar
        weekend = calendar.weekend_days
        weeks, rest = divmod((end - start).days, 7)
        first = start.weekday()
        count = weeks * (7 - len(weekend))
        count += sum(1 for i in range(1, rest + 1) if (first + i) % 7 not in weekend)
        low, high = (
            bisect.bisect_right(self._holidays, start),
            bisect.bisect_right(self._holidays, end),
        )
        for holiday in self._holidays[low:high]:
            if holiday.weekday() not in weekend and holiday not in calendar.working_days:
                count -= 1
        low, high = (
            bisect.bisect_right(self._working, start),
            bisect.bisect_right(self._working, end),
        )
        for worked in self._working[low:high]:
            if worked.weekday() in weekend or worked in calendar.holidays:
                count += 1
        return count

    def free_capacity(self, start: date, end: date) -> Decimal:
        """Free capacity summed over the days ``start..end`` (both included)."""
        low = bisect.bisect_left(self._capacity_days, start)
        high = bisect.bisect_right(self._capacity_days, end)
        return self._capacity_sums[high] - self._capacity_sums[low] if high > low else Decimal(0)


def _order_amounts(order: Order) -> tuple[Decimal, Decimal]:
    """Net and gross totals exactly as `Order.net_total`/`Order.total` compute them."""
    quantum = Decimal(1).scaleb(-minor_units(order.currency))
    net_total = Decimal(0)
    gross_total = Decimal(0)
    for line in order.lines:
        quantity = line.quantity - line.ledger.cancelled
        net = (quantity * line.unit_price.amount * (1 - line.discount_rate)).quantize(
            quantum, rounding=_HALF_EVEN
        )
        tax = (net * line.tax_rate).quantize(quantum, rounding=_HALF_EVEN)
        net_total += net
        gross_total += net + tax
    return net_total, gross_total


def _credit(
    profile: CustomerProfile | None, order: Order, gross: Decimal
) -> tuple[int | None, int | None]:
    if profile is None or profile.credit_limit is None:
        return None, None
    limit = profile.credit_limit
    currency = limit.currency
    overdue = profile.overdue_amount
    overdue_bp = (
        _floor_ratio(overdue.amount, limit.amount, _BP)
        if overdue is not None and overdue.currency == currency
        else None
    )
    exposure = profile.open_exposure
    if exposure is None or exposure.currency != currency or order.currency != currency:
        # Different currencies cannot be added without a rate; the host converts first.
        return None, overdue_bp
    return _floor_ratio(exposure.amount + gross, limit.amount, _BP), overdue_bp


def _value(
    context: RiskContext, profile: CustomerProfile | None, order: Order, net: Decimal
) -> tuple[int | None, int | None]:
    if profile is None or (profile.currency is not None and profile.currency != order.currency):
        return None, None
    history = context.history(profile)
    if history is None:
        return None, None
    ratio = _floor_ratio(net, history.largest, _BP)
    if history.count < MIN_HISTORY or history.mad == 0:
        return None, ratio
    return _floor_ratio((net - history.median) * _ROBUST_Z_NUM, history.mad * 100, 1), ratio


def _first_order(profile: CustomerProfile | None, order: Order) -> int | None:
    if profile is None:
        return None
    if profile.order_count is not None:
        return int(profile.order_count == 0)
    if profile.first_order_at is not None:
        return int(profile.first_order_at >= order.received_at)
    return None


def _schedule(
    context: RiskContext, order: Order, as_of: datetime
) -> tuple[int | None, int | None, int | None, int | None]:
    """Lead-time shortfall, capacity load, lines over max, lines off pack."""
    products = context.review.products
    received = context.local_date(order.received_at)
    available_by: dict[datetime, int] = {}
    shortfall: int | None = None
    latest: datetime | None = None
    needed = Decimal(0)
    over_max = 0
    off_pack = 0
    for line in order.lines:
        product = products.get(line.sku)
        if product is None:
            return None, None, None, None
        if product.max_quantity is not None and line.quantity > product.max_quantity:
            over_max += 1
        pack = product.pack_multiple
        if pack is not None and line.quantity % pack:
            off_pack += 1
        if product.capacity_per_unit:
            needed += (line.quantity - line.ledger.cancelled) * product.capacity_per_unit
        requested = line.requested_delivery_at or order.requested_delivery_at
        if requested is None:
            continue
        latest = requested if latest is None or requested > latest else latest
        available = available_by.get(requested)
        if available is None:
            available = context.business_days_between(received, context.local_date(requested))
            available_by[requested] = available
        short = product.lead_time_days - available
        shortfall = short if shortfall is None or short > shortfall else shortfall
    if latest is None:
        return 0, 0, over_max, off_pack
    load: int | None = None
    if context.review.capacity is not None:
        free = context.free_capacity(context.local_date(as_of), context.local_date(latest))
        load = _floor_ratio(needed, free, _BP)
    return _clamp(shortfall or 0), load, over_max, off_pack


def _ship_to(
    context: RiskContext, profile: CustomerProfile | None, order: Order, first: int | None
) -> int | None:
    if profile is None or order.ship_to is None:
        return None
    if first == 1:
        return 0  # a first order's address is new by definition; first_order counts it
    keys, countries = context.known_addresses(profile)
    if not keys:
        return None
    if _address_key(order.ship_to) in keys:
        return 0
    return 1 if order.ship_to.country in countries else 2


def _duplicates(context: RiskContext, order: Order) -> int:
    count = 0
    signature: tuple[tuple[str, Decimal], ...] | None = None
    po = order.customer_po
    for other in context.recent_orders(order.customer.customer_id):
        if other.order_id == order.order_id:
            continue
        if abs(other.received_at - order.received_at) > DUPLICATE_WINDOW:
            continue
        if po is not None and other.customer_po == po:
            count += 1
            continue
        if signature is None:
            signature = _signature(order)
        if other.signature == signature:
            count += 1
    return count


def features_of(
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
    risk = RiskContext.of(context)
    profile = risk.review.customers.get(order.customer.customer_id)
    net, gross = _order_amounts(order)
    exposure_bp, overdue_bp = _credit(profile, order, gross)
    z, ratio = _value(risk, profile, order, net)
    shortfall, load, over_max, off_pack = _schedule(risk, order, as_of)
    if order.channel in _MANUAL:
        manual = 1 if order.confirmation_ref else 2
    else:
        manual = 1 if order.channel is Channel.EMAIL else 0
    terms: int | None = None
    overdue_days: int | None = None
    if profile is not None:
        overdue_days = profile.overdue_days
        if overdue_days is None and profile.overdue_amount is not None:
            overdue_days = 0 if profile.overdue_amount.is_zero() else None
        if order.payment_terms is None:
            terms = 0
        elif profile.payment_terms is not None:
            terms = int(order.payment_terms != profile.payment_terms)
    price_list = risk.review.price_list
    first = _first_order(profile, order)
    return OrderFeatures(
        order_id=order.order_id,
        exposure_bp=exposure_bp,
        overdue_days=overdue_days,
        overdue_bp=overdue_bp,
        value_z_x100=z,
        value_ratio_bp=ratio,
        first_order=first,
        lead_time_shortfall_days=shortfall,
        capacity_load_bp=load,
        manual_channel=manual,
        ship_to_change=_ship_to(risk, profile, order, first),
        lines_over_max=over_max,
        lines_off_pack=off_pack,
        terms_changed=terms,
        review_warnings=review_warnings,
        lines_over_discount=None
        if price_list is None
        else sum(1 for line in order.lines if line.discount_rate > price_list.max_discount_rate),
        duplicate_orders=_duplicates(risk, order),
        blocked=None if profile is None else int(profile.blocked),
        extra=MappingProxyType(dict(extra)) if extra else _NO_EXTRA,
    )
