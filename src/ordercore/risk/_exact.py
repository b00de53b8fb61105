"""Exact integer arithmetic on decimals shared by feature extraction (private).

Nothing here reads the caller's decimal context: sums and products go through the fixed
contexts of `ordercore._base`, so a feature is the same number under any precision,
rounding or traps the caller has set.
"""

from __future__ import annotations

from decimal import Decimal, DecimalException
from typing import Final

from ordercore._base import ARITHMETIC, ROUNDING

CAP: Final = 10**9
"""Every feature is clamped to ``[-CAP, CAP]`` (a ratio against a zero limit is ``CAP``)."""

ONE: Final = Decimal(1)
"""The `floor_ratio` scale of a plain ratio."""

BASIS_POINTS: Final = Decimal(10000)
"""The `floor_ratio` scale of a ratio in basis points."""

_HALF: Final = Decimal("0.5")
_CAP_DIGITS: Final = 10  # digits of CAP
_multiply = ARITHMETIC.multiply
_divmod = ARITHMETIC.divmod


def clamp(value: int) -> int:
    """`value` limited to ``[-CAP, CAP]``."""
    if value > CAP:
        return CAP
    return max(value, -CAP)


def floor_ratio(numerator: Decimal, denominator: Decimal, scale: Decimal) -> int:
    """``floor(numerator * scale / denominator)`` exactly, clamped to ``[-CAP, CAP]``.

    `scale` is a `Decimal` (``Decimal(10000)`` for basis points) so that no conversion is
    made per call.

    Examples:
        >>> floor_ratio(Decimal(1), Decimal(3), BASIS_POINTS), floor_ratio(Decimal(-1), Decimal(3), ONE)
        (3333, -1)
        >>> floor_ratio(Decimal("1E+999999"), Decimal("3E+999998"), ONE)
        3
    """
    if not denominator:
        return 0 if not numerator else (CAP if numerator > 0 else -CAP)
    try:
        top = _multiply(numerator, scale)
        # The quotient of `divmod` is exact (it raises rather than round when it is too
        # long) and truncates toward zero, so step down once for a negative inexact one.
        quotient, remainder = _divmod(top, denominator)
    except DecimalException:
        return _floor_ratio_exact(numerator, denominator, scale)
    result = int(quotient)
    if remainder and (top < 0) != (denominator < 0):
        result -= 1
    if result > CAP:
        return CAP
    return max(result, -CAP)


def _coefficient(value: Decimal) -> tuple[int, int]:
    """The signed integer coefficient and the exponent of a finite decimal.

    Through a `Decimal` of exponent 0 rather than a digit string: `int` of a string refuses
    more than 4300 digits.
    """
    sign, digits, exponent = value.as_tuple()
    return int(Decimal((sign, digits, 0))), int(exponent)


def _floor_ratio_exact(numerator: Decimal, denominator: Decimal, scale: Decimal) -> int:
    """`floor_ratio` for operands of more digits than `ARITHMETIC` holds.

    A quotient far beyond `CAP` or far below one is told from the exponents alone; only a
    quotient between is computed, from the integer coefficients, so no integer grows much
    beyond the operands' digits (an exponent of a billion never becomes a billion-digit
    integer).
    """
    if not numerator or not scale:
        return 0
    negative = (numerator < 0) ^ (scale < 0) ^ (denominator < 0)
    # |numerator × scale| is in [10 ** (n + s), 10 ** (n + s + 2)) and |denominator| in
    # [10 ** d, 10 ** (d + 1)), so the quotient is between 10 ** (gap - 1) and 10 ** (gap + 2)
    gap = numerator.adjusted() + scale.adjusted() - denominator.adjusted()
    if gap > _CAP_DIGITS - 1:  # the quotient is above 10 ** 9 = CAP
        return -CAP if negative else CAP
    if gap < -2:  # noqa: PLR2004 - the quotient is below 1/10: it floors to 0 or -1
        return -1 if negative else 0
    top, top_exponent = _coefficient(numerator)
    factor, factor_exponent = _coefficient(scale)
    bottom, bottom_exponent = _coefficient(denominator)
    top *= factor
    # bounded by the digits now that the gap is small
    shift = top_exponent + factor_exponent - bottom_exponent
    if shift >= 0:
        top *= 10**shift
    else:
        power: int = 10**-shift  # shift < 0: an int, which typeshed cannot tell
        bottom *= power
    if bottom < 0:
        top, bottom = -top, -bottom
    return clamp(top // bottom)


def median(values: list[Decimal]) -> Decimal:
    """The median of some decimals, in the fixed `ROUNDING` context.

    Exact whenever the two middle values span at most 59 digits together (any realistic
    order value); beyond that the mean of the two is rounded half-even to 60 significant
    digits, the same in any caller context.

    Examples:
        >>> median([Decimal(3), Decimal(1), Decimal(2), Decimal("2.5")])
        Decimal('2.25')
    """
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return ROUNDING.multiply(ROUNDING.add(ordered[middle - 1], ordered[middle]), _HALF)
