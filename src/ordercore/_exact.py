"""Exact decimal tests shared by review and risk (the wings do not import each other)."""

from __future__ import annotations

from decimal import Decimal, DecimalException

from ordercore._base import ARITHMETIC

__all__ = ["is_multiple"]

_remainder = ARITHMETIC.remainder


def is_multiple(quantity: Decimal, pack: Decimal) -> bool:
    """Whether `quantity` is a whole multiple of `pack` (a positive, finite decimal), exactly.

    Within the entity limits the remainder fits `ARITHMETIC`; a pack size of far more digits
    than any real one (`Product.pack_multiple` has no bound on its places) is decided from
    the coefficients and exponents, without building numbers larger than the operands.
    Review and risk both decide pack multiples with it.

    Examples:
        >>> is_multiple(Decimal("2.5"), Decimal("0.5")), is_multiple(Decimal(30), Decimal(25))
        (True, False)
        >>> is_multiple(Decimal(10), Decimal("1E-100"))
        True
    """
    try:
        return not _remainder(quantity, pack)
    except DecimalException:
        pass
    if not quantity:
        return True
    q_sign, q_digits, q_exponent = quantity.as_tuple()
    p_sign, p_digits, p_exponent = pack.as_tuple()
    # Through a Decimal of exponent 0: `int` of a digit string refuses more than 4300 digits.
    q_coefficient = int(Decimal((q_sign, q_digits, 0)))
    p_coefficient = int(Decimal((p_sign, p_digits, 0)))
    shift = int(q_exponent) - int(p_exponent)  # both finite: integer exponents
    if shift < 0:
        if quantity.adjusted() < pack.adjusted():  # pack > quantity > 0
            return False
        power: int = 10**-shift  # shift < 0: an int, which typeshed cannot tell
        return q_coefficient % (p_coefficient * power) == 0
    # The powers of 2 and 5 in the pack's coefficient are below 4 per digit: beyond that
    # many, more factors of ten change nothing.
    power = 10 ** min(shift, 4 * len(p_digits))
    return q_coefficient * power % p_coefficient == 0
