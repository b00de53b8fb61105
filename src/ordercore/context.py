"""Immutable snapshots of what review rules and risk factors need to know besides the order.

The host ERP assembles these values (customer credit data, price list, product master,
business calendar, free capacity, recent orders) and hands them in; ordercore never calls a
live service. Every snapshot is a frozen value, so a review or an assessment computed from
it can be reproduced later from the same inputs.

Examples:
    >>> from datetime import date
    >>> cal = BusinessCalendar(
    ...     holidays=frozenset({date(2026, 10, 1), date(2026, 10, 2)}),
    ...     working_days=frozenset({date(2026, 10, 10)}),  # an adjusted working Saturday
    ... )
    >>> cal.is_business_day(date(2026, 10, 1)), cal.is_business_day(date(2026, 10, 10))
    (False, True)
    >>> cal.add_business_days(date(2026, 9, 30), 2)
    datetime.date(2026, 10, 6)
    >>> cal.business_days_between(date(2026, 9, 30), date(2026, 10, 12))
    7
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Final
from zoneinfo import ZoneInfo

import attrs
from pydantic import Field

from ordercore._base import Entity, ExactDecimal, Id, Quantity, ShortText, Timestamp
from ordercore.errors import ConfigurationError
from ordercore.money import CurrencyCode, Money
from ordercore.orders import Address, Order

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "BusinessCalendar",
    "CapacityView",
    "CustomerProfile",
    "PriceList",
    "Product",
    "ReviewContext",
]

_WEEKEND: Final = frozenset({5, 6})
_MAX_SPAN_DAYS: Final = 3660  # a calendar walk longer than ten years is a data error


def _days(values: Iterable[date]) -> frozenset[date]:
    result = frozenset(values)
    for value in result:
        if type(value) is not date:
            raise TypeError(f"calendar days must be datetime.date values, got {value!r}")
    return result


def _weekdays(values: Iterable[int]) -> frozenset[int]:
    result = frozenset(values)
    if not result <= frozenset(range(7)):
        raise ValueError(f"weekend_days are weekday numbers 0 (Monday) to 6, got {sorted(result)}")
    if len(result) == 7:  # noqa: PLR2004 - a week
        raise ValueError("weekend_days cannot cover the whole week")
    return result


@attrs.frozen
class BusinessCalendar:
    """Which days are working days: weekends, holidays, and adjusted working days.

    A day is a business day when it is not a weekend day and not a holiday, or when it is
    listed in `working_days` (China's adjusted working weekends, 调休). Holidays win over
    the weekday, and `working_days` win over both.

    Attributes:
        weekend_days: Weekday numbers that are off, 0 = Monday (default Saturday and Sunday).
        holidays: Public or company holidays.
        working_days: Days that are worked although they fall on a weekend or holiday.
        timezone: The IANA time zone in which timestamps are turned into calendar days.
        name: A name to show in reports (``"CN 2026"``).
    """

    weekend_days: frozenset[int] = attrs.field(default=_WEEKEND, converter=_weekdays)
    holidays: frozenset[date] = attrs.field(factory=frozenset, converter=_days)
    working_days: frozenset[date] = attrs.field(factory=frozenset, converter=_days)
    timezone: str = attrs.field(default="UTC")
    name: str = "calendar"

    @timezone.validator
    def _check_timezone(self, _attribute: attrs.Attribute[str], value: str) -> None:
        try:
            ZoneInfo(value)
        except (ValueError, KeyError) as error:
            raise ConfigurationError(
                f"unknown time zone {value!r}; use an IANA name such as 'Asia/Shanghai'",
                component="BusinessCalendar",
            ) from error

    @classmethod
    def from_holidays(
        cls,
        country: str,
        years: Iterable[int],
        *,
        subdivision: str | None = None,
        working_days: Iterable[date] = (),
        timezone: str = "UTC",
    ) -> BusinessCalendar:
        """Build a calendar from the `holidays` package (the optional ``calendar`` extra).

        Args:
            country: ISO 3166 country code (``"CN"``, ``"DE"``).
            years: The years to cover.
            subdivision: A state or province code, where the country has them.
            working_days: Adjusted working days to add (the package lists holidays only).
            timezone: The calendar's IANA time zone.

        Raises:
            ConfigurationError: If the `holidays` package is not installed or does not know
                the country.
        """
        try:
            import holidays  # noqa: PLC0415 - optional dependency, imported on use
        except ImportError as error:  # pragma: no cover - the dev install has it
            raise ConfigurationError(
                "install the 'calendar' extra (pip install 'ordercore[calendar]')",
                component="BusinessCalendar.from_holidays",
            ) from error
        try:
            table = holidays.country_holidays(country, subdiv=subdivision, years=list(years))
        except NotImplementedError as error:
            raise ConfigurationError(
                f"the holidays package does not know country {country!r}",
                component="BusinessCalendar.from_holidays",
            ) from error
        return cls(
            holidays=frozenset(table),
            working_days=frozenset(working_days),
            timezone=timezone,
            name=f"{country} {'/'.join(str(y) for y in sorted(set(years)))}",
        )

    @property
    def tz(self) -> tzinfo:
        """The calendar's time zone as a `tzinfo`."""
        return ZoneInfo(self.timezone)

    def local_date(self, moment: datetime) -> date:
        """The calendar day on which an aware timestamp falls in this calendar's time zone."""
        if moment.tzinfo is None:
            raise ValueError(f"{moment!r} is naive; give timestamps with a time zone")
        return moment.astimezone(self.tz).date()

    def is_business_day(self, day: date) -> bool:
        """Whether `day` is a working day."""
        if day in self.working_days:
            return True
        return day.weekday() not in self.weekend_days and day not in self.holidays

    def add_business_days(self, day: date, count: int) -> date:
        """The business day `count` working days after `day` (before it when negative).

        `day` itself is not counted; with `count == 0`, `day` is returned unchanged.
        """
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        current = day
        walked = 0
        while remaining:
            current += timedelta(days=step)
            walked += 1
            if walked > _MAX_SPAN_DAYS:
                raise ValueError(f"adding {count} business days walks more than ten years")
            if self.is_business_day(current):
                remaining -= 1
        return current

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in the half-open range (start, end]; negative when end < start."""
        if end < start:
            return -self.business_days_between(end, start)
        if (end - start).days > _MAX_SPAN_DAYS:
            raise ValueError(f"{start}..{end} spans more than ten years")
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_business_day(start + timedelta(days=offset))
        )


class CustomerProfile(Entity):
    """What the credit desk knows of a customer when the order is reviewed.

    Fields that are `None` are unknown; rules and risk factors say so instead of treating
    an unknown as safe.

    Attributes:
        customer_id: The customer master id.
        currency: The customer's billing currency.
        credit_limit: The credit limit; `None` when none was set.
        open_exposure: Open orders, deliveries, invoices and receivables not yet paid.
        overdue_amount: The part of the receivables that is past due.
        overdue_days: Days the oldest overdue item is past due.
        blocked: Whether the customer is blocked for new orders.
        first_order_at: When the customer first ordered (`None` for a new customer).
        order_count: How many orders the customer placed before.
        past_order_values: Net values of recent past orders, in `currency`, oldest first.
        known_ship_to: Delivery addresses used before.
        payment_terms: The payment terms on the customer master.
    """

    customer_id: Id
    currency: CurrencyCode | None = None
    credit_limit: Money | None = None
    open_exposure: Money | None = None
    overdue_amount: Money | None = None
    overdue_days: Annotated[int, Field(ge=0, le=36500)] | None = None
    blocked: bool = False
    first_order_at: Timestamp | None = None
    order_count: Annotated[int, Field(ge=0)] | None = None
    past_order_values: Annotated[
        tuple[Annotated[ExactDecimal, Field(ge=0)], ...], Field(strict=False)
    ] = ()
    known_ship_to: Annotated[tuple[Address, ...], Field(strict=False)] = ()
    payment_terms: ShortText | None = None


class Product(Entity):
    """A product master record as review needs it.

    Attributes:
        sku: The product code.
        uom: The unit of measure orders must use.
        sellable: Whether the product may be sold.
        moq: Minimum order quantity per line.
        pack_multiple: Quantities must be a multiple of this.
        max_quantity: The most one line may order.
        lead_time_days: Business days from receipt to the earliest delivery.
        capacity_per_unit: Capacity one unit consumes (hours, machine slots), for the
            capacity check.
    """

    sku: Id
    uom: ShortText
    sellable: bool = True
    moq: Quantity | None = None
    pack_multiple: Annotated[ExactDecimal, Field(gt=0)] | None = None
    max_quantity: Quantity | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=3650)] = 0
    capacity_per_unit: Quantity = Decimal(0)


class PriceList(Entity):
    """Agreed unit prices by SKU, in one currency.

    Attributes:
        currency: The currency of every price.
        prices: Unit price by SKU.
        tolerance: Relative deviation from the list price still accepted (0.02 = 2 %).
        max_discount_rate: The largest line discount allowed without approval.
    """

    currency: CurrencyCode
    prices: dict[Id, Money]
    tolerance: Annotated[ExactDecimal, Field(ge=0, le=1)] = Decimal(0)
    max_discount_rate: Annotated[ExactDecimal, Field(ge=0, le=1)] = Decimal(1)


class CapacityView(Entity):
    """Free capacity per calendar day (in the capacity unit, e.g. machine hours).

    Attributes:
        unit: What capacity is measured in.
        free: Free capacity by day; a day that is not listed has none.
    """

    unit: ShortText = "hours"
    free: dict[date, Quantity]


class ReviewContext(Entity):
    """Everything besides the order that review and risk read, fixed at `as_of`.

    Attributes:
        as_of: The moment the review is made; nothing later is known.
        customers: Customer profiles by customer id.
        products: Product master records by SKU.
        price_list: The agreed prices, if prices are to be checked.
        calendar: The business calendar for lead times.
        capacity: Free capacity, if promised dates are to be checked against it.
        recent_orders: Orders received recently, for duplicate detection.
        stated_totals: The gross total the customer's own document states (a fax, a PDF
            purchase order), by order id, for checking that the entered order adds up.
    """

    model_config = Entity.model_config | {"arbitrary_types_allowed": True}

    as_of: Timestamp
    customers: dict[Id, CustomerProfile] = Field(default_factory=dict)
    products: dict[Id, Product] = Field(default_factory=dict)
    price_list: PriceList | None = None
    calendar: BusinessCalendar | None = None
    capacity: CapacityView | None = None
    recent_orders: Annotated[tuple[Order, ...], Field(strict=False)] = ()
    stated_totals: dict[Id, Money] = Field(default_factory=dict)
