"""Exact money: a `Decimal` amount with an ISO 4217 currency.

No float ever becomes money, amounts in different currencies never mix, and rounding is an
explicit [`RoundingPolicy`][ordercore.money.RoundingPolicy] (half-even to the currency's minor
units by default).

Examples:
    >>> from decimal import ROUND_HALF_UP
    >>> price = Money.of("19.99", "CNY")
    >>> (price * 3).amount
    Decimal('59.97')
    >>> Money.of("10.005", "EUR").rounded()
    Money(amount=Decimal('10.00'), currency='EUR')
    >>> Money.of("10.005", "EUR").rounded(RoundingPolicy(mode=ROUND_HALF_UP))
    Money(amount=Decimal('10.01'), currency='EUR')
    >>> Money.of("1", "USD") + Money.of("1", "EUR")
    Traceback (most recent call last):
    ...
    ordercore.errors.CurrencyMismatch: cannot add USD and EUR: amounts in different currencies never mix; convert explicitly first
"""

from __future__ import annotations

import json
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    DecimalException,
)
from typing import TYPE_CHECKING, Annotated, Final

import attrs
from pydantic import AfterValidator

from ordercore._base import ARITHMETIC, EXACT, MAX_AMOUNT, ROUNDING, Entity, decimal_field
from ordercore._iso4217 import CURRENCIES
from ordercore.errors import AmountOutOfRange, CurrencyMismatch, UnknownCurrency

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "DEFAULT_ROUNDING",
    "CurrencyCode",
    "Money",
    "RoundingPolicy",
    "currency_name",
    "minor_units",
]

_ROUNDING_MODES: Final = frozenset(
    {
        ROUND_CEILING,
        ROUND_DOWN,
        ROUND_FLOOR,
        ROUND_HALF_DOWN,
        ROUND_HALF_EVEN,
        ROUND_HALF_UP,
        ROUND_UP,
    }
)


def _check_currency(code: str) -> str:
    if code not in CURRENCIES:
        raise UnknownCurrency(code)
    return code


CurrencyCode = Annotated[str, AfterValidator(_check_currency)]
"""An active ISO 4217 code, upper-case (``"CNY"``, ``"EUR"``); anything else is refused."""


def minor_units(currency: str) -> int:
    """Return the number of decimal places of a currency's minor unit.

    Args:
        currency: An ISO 4217 code.

    Returns:
        The ISO 4217 minor units (2 for CNY, 0 for JPY, 3 for KWD).

    Raises:
        UnknownCurrency: If the code is not an active ISO 4217 code.

    Examples:
        >>> minor_units("JPY"), minor_units("CNY"), minor_units("KWD")
        (0, 2, 3)
    """
    try:
        return CURRENCIES[currency][0]
    except KeyError:
        raise UnknownCurrency(currency) from None


def currency_name(currency: str) -> str:
    """Return the ISO 4217 English name of a currency.

    Examples:
        >>> currency_name("CNY")
        'Yuan Renminbi'
    """
    try:
        return CURRENCIES[currency][1]
    except KeyError:
        raise UnknownCurrency(currency) from None


@attrs.frozen
class RoundingPolicy:
    """How money is rounded: a `decimal` rounding mode and, optionally, fixed places.

    Attributes:
        mode: One of the `decimal` module's rounding constants; half-even (banker's rounding)
            by default, which does not bias sums of many rounded amounts.
        places: Decimal places to round to; `None` (the default) means the currency's ISO
            4217 minor units.
    """

    mode: str = attrs.field(default=ROUND_HALF_EVEN)
    places: int | None = attrs.field(default=None)

    @mode.validator
    def _check_mode(self, _attribute: attrs.Attribute[str], value: str) -> None:
        if value not in _ROUNDING_MODES:
            raise ValueError(
                f"unknown rounding mode {value!r}; use one of the decimal module's "
                f"ROUND_* constants: {sorted(_ROUNDING_MODES)}"
            )

    @places.validator
    def _check_places(self, _attribute: attrs.Attribute[int | None], value: int | None) -> None:
        if value is not None and not 0 <= value <= 8:  # noqa: PLR2004 - a sane bound on places
            raise ValueError(f"places must be between 0 and 8, got {value}")

    def quantum(self, currency: str) -> Decimal:
        """Return the smallest step amounts are rounded to in this currency."""
        places = minor_units(currency) if self.places is None else self.places
        return Decimal(1).scaleb(-places)


DEFAULT_ROUNDING: Final = RoundingPolicy()
"""Half-even to the currency's minor units."""

_PLACES: Final = 8
_LOWEST: Final = -MAX_AMOUNT
_EIGHT_PLACES: Final = Decimal("1E-8")
_add = ARITHMETIC.add
_subtract = ARITHMETIC.subtract
_multiply = ARITHMETIC.multiply

_Amount = Annotated[
    Decimal, decimal_field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, decimal_places=_PLACES), EXACT
]


class Money(Entity):
    """An exact amount of money in one currency.

    The amount keeps the precision it was given (a unit price may have four decimals);
    [`rounded`][ordercore.money.Money.rounded] brings it to the currency's minor units.
    Arithmetic refuses to mix currencies and never goes through a float. It is exact and
    ignores the caller's decimal context (precision, rounding, traps); a result that would
    leave the limits of `amount` raises `AmountOutOfRange` rather than being rounded. In
    JSON the amount is a string, so a round trip is exact.

    Attributes:
        amount: The amount, a finite `Decimal` of at most 8 decimal places, at most
            `MAX_AMOUNT` either way; a negative zero is kept as zero (``-0.00`` as ``0.00``).
        currency: The ISO 4217 code.
    """

    amount: _Amount
    currency: CurrencyCode

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """Build money from a `Decimal`, an `int` or a decimal string (never a float).

        Examples:
            >>> Money.of("12.50", "CNY")
            Money(amount=Decimal('12.50'), currency='CNY')
        """
        if isinstance(amount, str):
            return cls.model_validate_json(
                '{"amount":' + _json_string(amount) + ',"currency":' + _json_string(currency) + "}"
            )
        return cls(amount=amount, currency=currency)  # type: ignore[arg-type]

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return zero in the currency."""
        _check_currency(currency)
        return cls.model_construct(amount=Decimal(0), currency=currency)

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """Add up amounts of one currency; an empty iterable gives zero.

        Raises:
            CurrencyMismatch: If any amount is in another currency.
            AmountOutOfRange: If the sum is beyond `MAX_AMOUNT` either way.
        """
        result = Decimal(0)
        try:
            for money in amounts:
                if money.currency != currency:
                    raise CurrencyMismatch(currency, money.currency, "add")
                result = _add(result, money.amount)
        except DecimalException:
            result = _NOT_A_NUMBER
        if _fits(result):
            return _money(result, _check_currency(currency))
        raise AmountOutOfRange(f"total {currency} amounts", result, MAX_AMOUNT, _PLACES)

    def rounded(self, policy: RoundingPolicy = DEFAULT_ROUNDING) -> Money:
        """Return the amount rounded by the policy (half-even to minor units by default)."""
        amount = self.amount.quantize(policy.quantum(self.currency), policy.mode, ROUNDING)
        return _money(amount, self.currency)

    def is_zero(self) -> bool:
        """Whether the amount is exactly zero."""
        return self.amount == 0

    def _same(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {operation} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency, operation)
        return other

    def _combine(self, other: Money, operation: str, text: str) -> Money:
        other = self._same(other, operation)
        compute = _add if operation == "add" else _subtract
        try:
            amount = compute(self.amount, other.amount)
        except DecimalException:
            amount = _NOT_A_NUMBER
        if _fits(amount):
            return _money(amount, self.currency)
        raise AmountOutOfRange(text.format(a=self, b=other), amount, MAX_AMOUNT, _PLACES)

    def __add__(self, other: Money) -> Money:
        return self._combine(other, "add", "add {b} to {a}")

    def __sub__(self, other: Money) -> Money:
        return self._combine(other, "subtract", "subtract {b} from {a}")

    def __mul__(self, factor: Decimal | int) -> Money:
        if type(factor) is int:
            number = Decimal(factor)  # exact, however large
        elif type(factor) is Decimal and isinstance(factor, Decimal):
            number = factor
        else:
            raise TypeError(
                f"money can be multiplied by a Decimal or an int only, not {type(factor).__name__}"
            )
        try:
            # Checked first: a quiet NaN or an infinity would pass through without a signal.
            amount = _multiply(self.amount, number) if number.is_finite() else _NOT_A_NUMBER
        except DecimalException:  # more digits than any amount has, or past the exponents
            amount = _NOT_A_NUMBER
        if _fits(amount) and ROUNDING.quantize(amount, _EIGHT_PLACES) == amount:
            return _money(amount, self.currency)
        attempted = number if amount is _NOT_A_NUMBER else amount
        raise AmountOutOfRange(f"multiply {self} by {factor}", attempted, MAX_AMOUNT, _PLACES)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return _money(self.amount.copy_negate(), self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other, "compare").amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def __repr__(self) -> str:
        return f"Money(amount={self.amount!r}, currency={self.currency!r})"


_NOT_A_NUMBER: Final = Decimal("NaN")  # stands for a result the context could not hold


def _fits(amount: Decimal) -> bool:
    # `is_finite` first: ordering a NaN would consult the caller's context.
    return amount.is_finite() and _LOWEST <= amount <= MAX_AMOUNT


def _money(amount: Decimal, currency: str) -> Money:
    """Money of an amount known to fit; a zero loses its sign (``(-5) * 0`` is ``-0``)."""
    return Money.model_construct(amount=amount or amount.copy_abs(), currency=currency)


def _json_string(text: str) -> str:
    return json.dumps(text)
