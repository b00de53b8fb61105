"""`RiskContext`: a review snapshot prepared for scoring many orders against it.

[`RiskContext`][ordercore.risk.context.RiskContext] wraps a
[`ReviewContext`][ordercore.context.ReviewContext] and remembers what is the same for every
order of a customer (credit position, history median and spread, known addresses, recent
orders), what is the same for every order of a day (calendar spans, capacity sums), and
normalised addresses, so that scoring many orders against one snapshot costs little per
order. Everything it remembers is derived from the frozen snapshot, so a context reused
across orders gives exactly the results of a fresh one; its sums are made in the fixed
decimal contexts of `ordercore._base`, never the caller's.

Examples:
    >>> from datetime import date, datetime, timezone
    >>> from ordercore.context import ReviewContext
    >>> risk = RiskContext.of(ReviewContext(as_of=datetime(2026, 3, 2, tzinfo=timezone.utc)))
    >>> risk.business_days_between(date(2026, 3, 6), date(2026, 3, 9))  # Friday to Monday
    1
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs

from ordercore._base import ARITHMETIC, ROUNDING
from ordercore._duplicates import DuplicateKey, duplicate_key
from ordercore.context import BusinessCalendar, CustomerProfile, ReviewContext
from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.risk._exact import BASIS_POINTS, floor_ratio, median

if TYPE_CHECKING:
    from datetime import date, datetime, tzinfo

    from ordercore.orders import Address, Order

__all__ = ["RiskContext"]

_MEMO_LIMIT: Final = 100_000  # remembered dates, spans and addresses; cleared when full
_NOTHING: Final[tuple[frozenset[object], frozenset[str]]] = (frozenset(), frozenset())
_ZERO: Final = Decimal(0)


@dataclass(frozen=True, slots=True)
class _History:
    count: int
    median: Decimal
    mad: Decimal
    largest: Decimal


@dataclass(frozen=True, slots=True)
class _Customer:
    """What every order of one customer shares (all of it read from the frozen profile)."""

    profile: CustomerProfile | None
    currency: str | None
    limit: Decimal | None
    limit_currency: str | None
    exposure: Decimal | None
    overdue_bp: int | None
    overdue_days: int | None
    first_order: int | None
    history: _History | None
    payment_terms: str | None
    blocked: int | None
    addresses: frozenset[tuple[str, str, str, str]]
    countries: frozenset[str]
    recent: tuple[DuplicateKey, ...]


def _address_key(address: Address) -> tuple[str, str, str, str]:
    return (
        " ".join(address.line1.split()).casefold(),
        " ".join(address.city.split()).casefold(),
        (address.postal_code or "").replace(" ", "").casefold(),
        address.country,
    )


def _history(profile: CustomerProfile) -> _History | None:
    values = list(profile.past_order_values)
    if not values:
        return None
    middle = median(values)
    # ROUNDING, as `median`: exact unless the values need more than 60 digits
    mad = median([ROUNDING.subtract(v, middle).copy_abs() for v in values])
    return _History(len(values), middle, mad, max(values))


def _customer(profile: CustomerProfile | None, recent: tuple[DuplicateKey, ...]) -> _Customer:
    if profile is None:
        return _Customer(*(None,) * 11, addresses=frozenset(), countries=frozenset(), recent=recent)
    limit = profile.credit_limit
    overdue = profile.overdue_amount
    exposure = profile.open_exposure
    overdue_bp = exposure_amount = None
    if limit is not None:
        if overdue is not None and overdue.currency == limit.currency:
            overdue_bp = floor_ratio(overdue.amount, limit.amount, BASIS_POINTS)
        if exposure is not None and exposure.currency == limit.currency:
            exposure_amount = exposure.amount
    overdue_days = profile.overdue_days
    if overdue_days is None and overdue is not None:
        overdue_days = 0 if overdue.is_zero() else None
    # first_order_at is compared with each order's receipt; None here means "per order"
    first = None if profile.order_count is None else int(profile.order_count == 0)
    return _Customer(
        profile=profile,
        currency=profile.currency,
        limit=None if limit is None else limit.amount,
        limit_currency=None if limit is None else limit.currency,
        exposure=exposure_amount,
        overdue_bp=overdue_bp,
        overdue_days=overdue_days,
        first_order=first,
        history=_history(profile),
        payment_terms=profile.payment_terms,
        blocked=int(profile.blocked),
        addresses=frozenset(_address_key(a) for a in profile.known_ship_to),
        countries=frozenset(a.country for a in profile.known_ship_to),
        recent=recent,
    )


@attrs.frozen(slots=True)
class RiskContext:
    """A review context prepared for scoring many orders: per-customer facts are remembered.

    Build it once per snapshot with [`RiskContext.of`][ordercore.risk.context.RiskContext.of]
    and pass it to `assess` for every order; a bare `ReviewContext` works too but recomputes
    the customer's facts each time.

    Attributes:
        review: The snapshot the host assembled.
    """

    review: ReviewContext
    _memo: dict[tuple[str, str], object] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )
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
    _customers: dict[str, _Customer] = attrs.field(init=False, eq=False, repr=False, factory=dict)
    _addresses: dict[tuple[str, str, str | None, str], tuple[str, str, str, str]] = attrs.field(
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
        sums: list[Decimal] = [_ZERO]
        if self.review.capacity is not None:
            days = tuple(sorted(self.review.capacity.free))
            for day in days:
                sums.append(ARITHMETIC.add(sums[-1], self.review.capacity.free[day]))
        object.__setattr__(self, "_capacity_days", days)
        object.__setattr__(self, "_capacity_sums", tuple(sums))

    @classmethod
    def of(cls, context: ReviewContext | RiskContext) -> RiskContext:
        """Wrap a review context (a `RiskContext` is returned as it is)."""
        if isinstance(context, RiskContext):
            return context
        if not isinstance(context, ReviewContext):
            raise InvalidArgument(
                "RiskContext.of",
                "context",
                f"must be a ReviewContext or RiskContext, not {type(context).__name__}",
            )
        return cls(context)

    @property
    def calendar(self) -> BusinessCalendar:
        """The business calendar (weekends off, no holidays, UTC when none was given)."""
        return self._calendar

    def customer(self, customer_id: str) -> _Customer:
        """Everything the orders of one customer share: profile, credit position, history."""
        found = self._customers.get(customer_id)
        if found is None:
            profile = self.review.customers.get(customer_id)
            found = _customer(profile, self.recent_orders(customer_id))
            self._customers[customer_id] = found
        return found

    def history(self, profile: CustomerProfile) -> _History | None:
        """Count, median, median absolute deviation and largest of past order values."""
        key = ("history", profile.customer_id)
        if key not in self._memo:
            self._memo[key] = _history(profile)
        found = self._memo[key]
        return found if isinstance(found, _History) else None

    def known_addresses(self, profile: CustomerProfile) -> tuple[frozenset[object], frozenset[str]]:
        """Normalised known ship-to addresses and their countries."""
        key = ("addresses", profile.customer_id)
        found = self._memo.get(key)
        if found is None:
            if not profile.known_ship_to:
                found = _NOTHING
            else:
                keys = frozenset(self.address_key(a) for a in profile.known_ship_to)
                found = (keys, frozenset(a.country for a in profile.known_ship_to))
            self._memo[key] = found
        return found  # type: ignore[return-value]

    def address_key(self, address: Address) -> tuple[str, str, str, str]:
        """An address reduced to what tells two addresses apart (spaces and case ignored)."""
        raw = (address.line1, address.city, address.postal_code, address.country)
        memo = self._addresses
        found = memo.get(raw)
        if found is None:
            if len(memo) > _MEMO_LIMIT:
                memo.clear()
            found = memo[raw] = _address_key(address)
        return found

    def recent_orders(self, customer_id: str) -> tuple[DuplicateKey, ...]:
        """Recent orders of one customer, reduced to what duplicate detection compares."""
        key = ("recent", "")
        index = self._memo.get(key)
        if index is None:
            grouped: dict[str, list[DuplicateKey]] = {}
            for other in self.review.recent_orders:
                grouped.setdefault(other.customer.customer_id, []).append(duplicate_key(other))
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
        if high <= low:
            return _ZERO
        return ARITHMETIC.subtract(self._capacity_sums[high], self._capacity_sums[low])

    def promise_load(self, order: Order) -> int:
        """The capacity load of `order` by the promise engine's answer, in basis points.

        Capacity the order's production needs against what the competing orders leave
        free up to its due day (`DeliveryPromise.capacity_needed` over `capacity_free`),
        read from the same answer object review's promised-date rule reads. 0 when
        nothing is open, there is no due day or no capacity is needed.

        Raises:
            ConfigurationError: If the context carries no promise engine.
        """
        source = self.review.promise
        if source is None:
            raise ConfigurationError(
                "the review context carries no promise engine; set ReviewContext.promise",
                component="RiskContext.promise_load",
            )
        answer = source.answer(order)
        if answer is None or answer.due_on is None or not answer.capacity_needed:
            return 0
        return floor_ratio(answer.capacity_needed, answer.capacity_free, BASIS_POINTS)
