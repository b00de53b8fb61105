"""Immutable snapshots of what review rules and risk factors need to know besides the order.

The host ERP assembles these values (customer credit data, price list, product master,
business calendar, free capacity, recent orders) and hands them in; ordercore never calls a
live service. Every snapshot is immutable all the way down: collections are tuples,
frozensets and read-only [`FrozenMapping`][ordercore.context.FrozenMapping]s built from a
copy of what the caller passed, so changing the caller's dict afterwards changes nothing, and
a review or an assessment computed from a snapshot can be reproduced later from the same
inputs. `model_copy(update=...)` validates the update like the constructor does, and a
`ReviewContext` round-trips through `model_dump_json` and `model_validate_json`.

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

import abc
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Final, NoReturn, Self, TypeVar, final, get_args
from zoneinfo import ZoneInfo

import attrs
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import SchemaSerializer, core_schema

from ordercore._base import Entity, ExactDecimal, Id, Quantity, ShortText, Timestamp
from ordercore.errors import ConfigurationError
from ordercore.money import CurrencyCode, Money
from ordercore.orders import Address, Order

if TYPE_CHECKING:
    from collections.abc import ItemsView, KeysView, ValuesView

    from pydantic import GetCoreSchemaHandler

__all__ = [
    "BusinessCalendar",
    "CapacityView",
    "CustomerProfile",
    "DeliveryPromise",
    "FrozenMapping",
    "PriceList",
    "Product",
    "PromiseSource",
    "ReviewContext",
]

K = TypeVar("K")
V = TypeVar("V")

_WEEKEND: Final = frozenset({5, 6})
_MAX_SPAN_DAYS: Final = 3660  # a calendar walk longer than ten years is a data error


def _days(values: Iterable[date]) -> frozenset[date]:
    result = frozenset(values)
    for value in result:
        if type(value) is not date:
            raise TypeError(f"calendar days must be datetime.date values, got {value!r}")
    return result


class _RuntimeSerializer:
    """The ``__pydantic_serializer__`` of a value class that is not a pydantic model.

    Pydantic serialises some values by their runtime class rather than by the field's schema:
    `model_dump_json(serialize_as_any=True)`, a field typed `Any` or as a base class, a list
    of mixed values. It then looks for this attribute, and without it refuses the value
    ("Unable to serialize unknown type"). Built on first use, not at import.
    """

    def __init__(self, schema: Callable[[], core_schema.CoreSchema]) -> None:
        self._schema = schema
        self._serializer: SchemaSerializer | None = None

    def __get__(self, instance: object, owner: type | None = None) -> SchemaSerializer:
        if self._serializer is None:
            self._serializer = SchemaSerializer(self._schema())
        return self._serializer


def _frozen_mapping_schema() -> core_schema.CoreSchema:
    return core_schema.any_schema(
        serialization=core_schema.plain_serializer_function_ser_schema(
            dict, return_schema=core_schema.dict_schema()
        )
    )


def _weekdays(values: Iterable[int]) -> frozenset[int]:
    result = frozenset(values)
    if not result <= frozenset(range(7)):
        raise ValueError(f"weekend_days are weekday numbers 0 (Monday) to 6, got {sorted(result)}")
    if len(result) == 7:  # noqa: PLR2004 - a week
        raise ValueError("weekend_days cannot cover the whole week")
    return result


@final
class FrozenMapping(Mapping[K, V]):
    """A read-only mapping over its own copy of the items it was built from.

    The snapshots keep their tables in it (`ReviewContext.customers`, `PriceList.prices`,
    ...): it reads like a dict, compares equal to a dict with the same items, pickles, and
    is hashable when its values are, but nothing can change it, and changing the dict it was
    built from changes nothing.

    Args:
        items: A mapping, or an iterable of (key, value) pairs.

    Examples:
        >>> source = {"BOLT": 1}
        >>> frozen = FrozenMapping(source)
        >>> source["NUT"] = 2
        >>> frozen, frozen == {"BOLT": 1}, frozen.get("NUT")
        (FrozenMapping({'BOLT': 1}), True, None)
        >>> frozen["NUT"] = 2
        Traceback (most recent call last):
        ...
        TypeError: 'FrozenMapping' object does not support item assignment
    """

    __slots__ = ("_data", "_hash")
    __pydantic_serializer__ = _RuntimeSerializer(_frozen_mapping_schema)

    _data: MappingProxyType[K, V]
    _hash: int | None

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        # The proxy is the only reference to the copy: no dict is reachable from outside.
        object.__setattr__(self, "_data", MappingProxyType(dict(items)))
        object.__setattr__(self, "_hash", None)

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: K, default: Any = None) -> Any:
        """The value for `key`, or `default` when there is none."""
        return self._data.get(key, default)

    def keys(self) -> KeysView[K]:
        """A view of the keys."""
        return self._data.keys()

    def values(self) -> ValuesView[V]:
        """A view of the values."""
        return self._data.values()

    def items(self) -> ItemsView[K, V]:
        """A view of the (key, value) pairs."""
        return self._data.items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMapping):
            return self._data == other._data
        if isinstance(other, Mapping):
            return dict(self._data) == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        found = self._hash
        if found is None:
            found = hash(frozenset(self._data.items()))
            object.__setattr__(self, "_hash", found)
        return found

    def __repr__(self) -> str:
        return f"FrozenMapping({dict(self._data)!r})"

    def __reduce__(self) -> tuple[type[FrozenMapping[K, V]], tuple[dict[K, V]]]:
        return (type(self), (dict(self._data),))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"FrozenMapping is read-only; cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"FrozenMapping is read-only; cannot delete {name!r}")


def _plain_dict(value: object) -> object:
    # Any mapping (a FrozenMapping from `model_copy`, a MappingProxyType) is read as the dict
    # of its items; anything else goes on to the dict schema, which says what is wrong.
    if isinstance(value, Mapping) and not isinstance(value, dict):
        return dict(value)
    return value


class _Frozen:
    """Pydantic schema of a read-only mapping field: validated as a dict, kept frozen.

    The validated dict is a new one (pydantic builds it item by item), so the caller's
    dict is never shared; it is serialised as a plain JSON object.
    """

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        key, value = get_args(source)
        as_dict = handler.generate_schema(dict[key, value])  # type: ignore[valid-type]
        frozen = core_schema.no_info_after_validator_function(FrozenMapping, as_dict)
        return core_schema.json_or_python_schema(
            json_schema=frozen,
            python_schema=core_schema.no_info_before_validator_function(_plain_dict, frozen),
            serialization=core_schema.plain_serializer_function_ser_schema(
                dict, return_schema=as_dict
            ),
        )


_FROZEN: Final = _Frozen()


class _Snapshot(Entity):
    """An entity whose copies stay validated: `model_copy(update=...)` validates the update."""

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy, with the fields in `update` validated as the constructor validates them.

        Pydantic's own `model_copy` stores `update` unvalidated, which would let a plain,
        mutable dict into a snapshot; here the update goes through validation, so the copy
        is as immutable as an instance built from scratch. Everything in a snapshot is
        immutable, so `deep` changes nothing.

        Raises:
            pydantic.ValidationError: If an updated value is invalid or names no field.
        """
        if not update:
            return super().model_copy(deep=deep)
        values = {name: getattr(self, name) for name in self.model_fields_set}
        values.update(update)
        return self.model_validate(values)


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
    __pydantic_serializer__ = _RuntimeSerializer(
        lambda: BusinessCalendar.__get_pydantic_core_schema__(BusinessCalendar, None)  # type: ignore[arg-type]
    )

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
                "install the 'calendar' extra (pip install 'ordercore-domain[calendar]')",
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

    @classmethod
    def from_chinese_calendar(
        cls, years: Iterable[int], *, timezone: str = "Asia/Shanghai"
    ) -> BusinessCalendar:
        """China's official holidays and adjusted working days (调休), from `chinese-calendar`.

        The State Council publishes each year's holidays and the weekend days worked in
        exchange; the optional ``cn-calendar`` extra (the `chinese-calendar` package) carries
        that list, which the `holidays` package lacks. A year the installed package has no
        data for is refused rather than read as a year without holidays.

        Args:
            years: The years to cover.
            timezone: The calendar's IANA time zone (China's by default).

        Raises:
            ConfigurationError: If `chinese-calendar` is not installed, no year is given, or
                the installed version has no data for one of the years (upgrade it once the
                year's list is published).

        Examples:
            >>> from datetime import date
            >>> cn = BusinessCalendar.from_chinese_calendar([2026])
            >>> cn.name, cn.is_business_day(date(2026, 10, 10)), cn.is_business_day(date(2026, 10, 8))
            ('CN 2026', True, True)
            >>> cn.add_business_days(date(2026, 9, 30), 1)  # National Day week is off
            datetime.date(2026, 10, 8)
        """
        component = "BusinessCalendar.from_chinese_calendar"
        wanted = sorted(set(years))
        if not wanted:
            raise ConfigurationError("give at least one year", component=component)
        try:
            import chinese_calendar  # noqa: PLC0415 - optional dependency, imported on use
        except ImportError as error:
            raise ConfigurationError(
                "install the 'cn-calendar' extra (pip install 'ordercore-domain[cn-calendar]')",
                component=component,
            ) from error
        for year in wanted:
            try:
                chinese_calendar.is_holiday(date(year, 1, 1))
            except NotImplementedError as error:
                raise ConfigurationError(
                    f"chinese-calendar has no holiday data for {year} ({error}); upgrade "
                    "it once that year's official list is published",
                    component=component,
                ) from error
        covered = set(wanted)
        return cls(
            holidays=frozenset(d for d in chinese_calendar.holidays if d.year in covered),
            working_days=frozenset(d for d in chinese_calendar.workdays if d.year in covered),
            timezone=timezone,
            name=f"CN {'/'.join(map(str, wanted))}",
        )

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: Any, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """As a field of a pydantic model: a calendar, or its fields as a JSON object.

        It is written as ``{"weekend_days": [5, 6], "holidays": ["2026-10-01"], ...}`` with
        sorted days, and read back from that (in Python, a mapping of the same fields).
        """

        def days(item: core_schema.CoreSchema) -> core_schema.TypedDictField:
            return core_schema.typed_dict_field(
                core_schema.frozenset_schema(item, strict=False), required=False
            )

        def listed(item: core_schema.CoreSchema) -> core_schema.TypedDictField:
            return core_schema.typed_dict_field(core_schema.list_schema(item))

        # Strict scalars, as everywhere in ordercore: a datetime is not a day, "5" no weekday.
        text = core_schema.typed_dict_field(core_schema.str_schema(strict=True), required=False)
        fields = core_schema.typed_dict_schema(
            {
                "weekend_days": days(core_schema.int_schema(strict=True)),
                "holidays": days(core_schema.date_schema(strict=True)),
                "working_days": days(core_schema.date_schema(strict=True)),
                "timezone": text,
                "name": text,
            },
            extra_behavior="forbid",
        )
        written = core_schema.typed_dict_schema(
            {
                "weekend_days": listed(core_schema.int_schema()),
                "holidays": listed(core_schema.date_schema()),
                "working_days": listed(core_schema.date_schema()),
                "timezone": core_schema.typed_dict_field(core_schema.str_schema()),
                "name": core_schema.typed_dict_field(core_schema.str_schema()),
            }
        )
        build = core_schema.no_info_after_validator_function(lambda found: cls(**found), fields)
        return core_schema.json_or_python_schema(
            json_schema=build,
            python_schema=core_schema.no_info_wrap_validator_function(cls._instance_or, build),
            serialization=core_schema.plain_serializer_function_ser_schema(
                cls._fields, return_schema=written
            ),
        )

    @classmethod
    def _instance_or(cls, value: object, build: core_schema.ValidatorFunctionWrapHandler) -> object:
        return value if isinstance(value, cls) else build(value)

    def _fields(self) -> dict[str, object]:
        return {
            "weekend_days": sorted(self.weekend_days),
            "holidays": sorted(self.holidays),
            "working_days": sorted(self.working_days),
            "timezone": self.timezone,
            "name": self.name,
        }

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


class CustomerProfile(_Snapshot):
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


class Product(_Snapshot):
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


class PriceList(_Snapshot):
    """Agreed unit prices by SKU, in one currency.

    Attributes:
        currency: The currency of every price.
        prices: Unit price by SKU (read-only).
        tolerance: Relative deviation from the list price still accepted (0.02 = 2 %).
        max_discount_rate: The largest line discount allowed without approval.
    """

    currency: CurrencyCode
    prices: Annotated[Mapping[Id, Money], _FROZEN]
    tolerance: Annotated[ExactDecimal, Field(ge=0, le=1)] = Decimal(0)
    max_discount_rate: Annotated[ExactDecimal, Field(ge=0, le=1)] = Decimal(1)


class CapacityView(_Snapshot):
    """Free capacity per calendar day (in the capacity unit, e.g. machine hours).

    Attributes:
        unit: What capacity is measured in.
        free: Free capacity by day (read-only); a day that is not listed has none.
    """

    unit: ShortText = "hours"
    free: Annotated[Mapping[date, Quantity], _FROZEN]


@attrs.frozen
class DeliveryPromise:
    """A promise engine's answer for one order: the day it can deliver, and what bound it.

    Review's promised-date rule and risk's capacity factor read this one value for an order
    (see `ReviewContext.promise`), so the verdict and the score cannot disagree.

    Attributes:
        order_id: The order.
        promised_on: Its promised day in the engine's calendar (`None`: nothing promised).
        due_on: The promised day, else the requested day (`None`: neither).
        delivery_on: The earliest day the whole order can be delivered with the competing
            orders the engine plans seen; `None` when not in full within its horizon.
        late_business_days: Business days `delivery_on` falls after `due_on` (0 on time;
            past the horizon's end counts one more than it); `None` without a due day.
        capacity_needed: Capacity the order's production needs on its resources.
        capacity_free: Capacity of those resources the competing orders leave free from the
            planning day to `due_on`, both included (for an order the engine has already
            planned, with its own bookings counted as free).
        reason_en: The binding constraint, in English.
        reason_zh: The binding constraint, in Chinese.
    """

    order_id: str
    promised_on: date | None
    due_on: date | None
    delivery_on: date | None
    late_business_days: int | None
    capacity_needed: Decimal
    capacity_free: Decimal
    reason_en: str
    reason_zh: str

    @property
    def kept(self) -> bool | None:
        """Whether the promised day can be kept (`None` when nothing was promised)."""
        if self.promised_on is None:
            return None
        return self.delivery_on is not None and self.delivery_on <= self.promised_on


class PromiseSource(abc.ABC):
    """The port through which review and risk ask a promise engine about an order.

    The core defines it and never implements it: `ordercore.promise.review.PlanPromises`
    answers from an allocation plan, and a host may bring its own. Put one in
    `ReviewContext.promise`.
    """

    @abc.abstractmethod
    def answer(self, order: Order) -> DeliveryPromise | None:
        """The answer for `order` (`None` when nothing of it is open).

        Asked twice about the same order object, it should give the same answer object:
        the rule and the factor of one review then read one answer.
        """

    @classmethod
    def __get_pydantic_core_schema__(
        cls, _source: object, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """An instance of the port, taken as it is (it is an engine, not data)."""
        return core_schema.is_instance_schema(cls)


class ReviewContext(_Snapshot):
    """Everything besides the order that review and risk read, fixed at `as_of`.

    Immutable all the way down (see the module's introduction). What review computes once
    per context (indexes of the recent orders and prices, calendar walks) is kept with the
    context itself and goes when the context goes; it is never copied, pickled or compared.

    Attributes:
        as_of: The moment the review is made; nothing later is known.
        customers: Customer profiles by customer id (read-only).
        products: Product master records by SKU (read-only).
        price_list: The agreed prices, if prices are to be checked.
        calendar: The business calendar for lead times.
        capacity: Free capacity, if promised dates are to be checked against it.
        recent_orders: Orders received recently, for duplicate detection.
        stated_totals: The gross total the customer's own document states (a fax, a PDF
            purchase order), by order id, for checking that the entered order adds up
            (read-only).
        promise: A promise engine (a `PromiseSource`), if promised dates are to be checked
            with competing orders seen: the default promised-date rule and the capacity
            risk factor then read its answer instead of `capacity`. An engine, not data:
            it is not dumped to JSON, so a context read back from JSON has none.
    """

    # Review's per-context precomputation (`ordercore.validation._prepared`); a slot, not a
    # field, so it is not part of the value: not compared, dumped, pickled or copied.
    __slots__ = ("_prepared",)

    as_of: Timestamp
    customers: Annotated[Mapping[Id, CustomerProfile], _FROZEN] = Field(
        default_factory=FrozenMapping
    )
    products: Annotated[Mapping[Id, Product], _FROZEN] = Field(default_factory=FrozenMapping)
    price_list: PriceList | None = None
    calendar: BusinessCalendar | None = None
    capacity: CapacityView | None = None
    recent_orders: Annotated[tuple[Order, ...], Field(strict=False)] = ()
    stated_totals: Annotated[Mapping[Id, Money], _FROZEN] = Field(default_factory=FrozenMapping)
    promise: SkipJsonSchema[PromiseSource] | None = Field(default=None, exclude=True)
