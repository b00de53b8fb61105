"""Exact integer arithmetic on decimals shared by feature extraction (private)."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Final

CAP: Final = 10**9
"""Every feature is clamped to ``[-CAP, CAP]`` (a ratio against a zero limit is ``CAP``)."""

_HALF: Final = Decimal("0.5")


def clamp(value: int) -> int:
    """`value` limited to ``[-CAP, CAP]``."""
    if value > CAP:
        return CAP
    return max(value, -CAP)


def floor_ratio(numerator: Decimal, denominator: Decimal, scale: int) -> int:
    """``floor(numerator * scale / denominator)`` exactly (integer arithmetic, no rounding)."""
    if not denominator:
        return 0 if not numerator else (CAP if numerator > 0 else -CAP)
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
    if result > CAP:
        return CAP
    return max(result, -CAP)


def _floor_ratio_exact(numerator: Decimal, denominator: Decimal, scale: int) -> int:
    n_num, n_den = numerator.as_integer_ratio()
    d_num, d_den = denominator.as_integer_ratio()
    top, bottom = n_num * d_den * scale, n_den * d_num
    if bottom < 0:
        top, bottom = -top, -bottom
    return clamp(top // bottom)


def median(values: list[Decimal]) -> Decimal:
    """The median of some exact decimals (exact: halving adds at most one digit)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) * _HALF
