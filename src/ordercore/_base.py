"""The shared strict, frozen base of every entity, and the constrained scalar types they use.

Strictness in pydantic does not propagate into nested models on its own, so every entity
derives from [`Entity`][ordercore.Entity] instead of setting it field by field.

Decimal arithmetic on money and quantities never uses the caller's decimal context (its
precision, rounding or traps): it goes through `ARITHMETIC` and `ROUNDING`, fixed contexts
wide enough to hold every product of a quantity and a price exactly.
"""

from __future__ import annotations

import decimal
import re
from datetime import MAXYEAR, MINYEAR, UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError, TzInfo, core_schema

__all__ = [
    "ARITHMETIC",
    "EXACT",
    "MAX_AMOUNT",
    "MAX_QUANTITY",
    "ROUNDING",
    "Entity",
    "ExactDecimal",
    "Id",
    "PositiveQuantity",
    "Quantity",
    "ShortText",
    "Text",
    "Timestamp",
    "decimal_field",
    "normalise_timestamp",
]

MAX_QUANTITY: Final = Decimal(1000000000)
"""The largest quantity any ledger field may hold. A billion units on one line is already
far beyond any real order; anything larger is a data error (a unit mix-up, a pasted id).
"""

MAX_AMOUNT: Final = Decimal(100000000000000)
"""The largest absolute money amount accepted (a hundred trillion in any currency)."""

_PRECISION: Final = 60
# A line's unrounded net is at most 16 digits of quantity times 22 of price times 7 of
# discount: 45 digits. 60 leave room for sums and tax without a single rounding.

ARITHMETIC: Final = Context(
    prec=_PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[
        decimal.InvalidOperation,
        decimal.DivisionByZero,
        decimal.Overflow,
        decimal.Inexact,
    ],
)
"""The context of every exact sum and product of money and quantities.

It traps `Inexact` too: within the entity limits every result fits its 60 digits, so a
result that would need rounding comes from an operand outside them and is refused loudly
instead of silently rounded.
"""

ROUNDING: Final = Context(
    prec=_PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
"""The context of every deliberate rounding (`quantize`): like `ARITHMETIC`, but rounding
is what it is asked to do, so `Inexact` is not trapped."""


class Entity(BaseModel):
    """Base of all ordercore entities: frozen, strict, no unknown fields.

    Strict means that from Python a `Decimal` field takes a `Decimal` or an `int` only (never
    a float or a string), a datetime field takes an aware `datetime`, a collection takes a
    tuple or a list, and a nested entity takes the entity or a mapping of its fields. From
    JSON, decimals are strings or integers (a JSON number with a fraction is a float in most
    producers and is refused), datetimes are ISO 8601 strings with an offset.

    A JSON decimal string is a plain decimal: ASCII digits, an optional leading ``-`` and an
    optional fraction with digits on both sides of the ``.`` (``"12.50"``, ``"-3"``,
    ``"007"``). Everything else is refused: spaces, ``+``, ``_``, thousands separators,
    other scripts' digits (``"١"``), ``".5"``, ``"5."`` and exponents (``"1e3"``), with one
    exception: the scientific notation `model_dump_json` itself writes for a value Python
    does not write plainly (``"1E-8"``, ``"0E-8"``, ``"1E+2"``), accepted only in exactly
    that spelling (or with ``e``, as Python writes it under a decimal context with
    ``capitals=0``). Every decimal, from Python or JSON, must also lie between ``1E-30`` and
    ``1E+31`` in magnitude (a zero at most 30 decimal places), so no exponent such as
    ``"1E+999999999"`` reaches later arithmetic, and every entity equals its JSON round
    trip.

    Examples:
        >>> from ordercore import Money
        >>> Money.model_validate_json('{"amount": "12.50", "currency": "CNY"}').amount
        Decimal('12.50')
        >>> Money.model_validate_json('{"amount": "1_000", "currency": "CNY"}')
        Traceback (most recent call last):
        ...
        pydantic_core._pydantic_core.ValidationError: 1 validation error for Money
        amount
          Input should be a plain decimal string such as "12.50" or "-3"...
    """

    model_config = ConfigDict(
        frozen=True,
        strict=True,
        extra="forbid",
        validate_default=False,
        revalidate_instances="never",
        ser_json_timedelta="iso8601",
        hide_input_in_errors=False,
    )


# Character classes of the text types. Explicit ranges rather than `\p{Cc}` or `\s`: the
# patterns also go into the exported JSON Schema, whose consumers (Python's `re`, ECMA-262)
# know neither. Characters beyond the BMP are written as the characters themselves (not
# regex escapes), which every engine reads the same way.
_CONTROLS: Final = r"\x00-\x1f\x7f-\x9f"  # category Cc
_TEXT_CONTROLS: Final = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # Cc but tab, LF, CR
_BIDI: Final = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE: Final = r"\u200b\u2060-\u2064\u206a-\u206f\ufeff"
_SEPARATORS: Final = r"\u2028\u2029"
_SPACES: Final = r"\x20\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"  # category Zs
_FORMAT: Final = (  # category Cf, as of Unicode 15
    r"\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)

_ID_INNER: Final = _CONTROLS + _FORMAT + _SEPARATORS
_ID_ENDS: Final = _ID_INNER + _SPACES
_SHORT_INNER: Final = _CONTROLS + _BIDI + _INVISIBLE + _SEPARATORS
_SHORT_ENDS: Final = _SHORT_INNER + _SPACES


class _Characters:
    """`Annotated` metadata of a `str` type: lengths and one pattern, checked in pydantic's core.

    A failed pattern gives a sentence saying what is refused, not the pattern itself (it is
    hundreds of characters of ranges); the JSON Schema carries the pattern.
    """

    def __init__(
        self, *, min_length: int, max_length: int, pattern: str, kind: str, message: str
    ) -> None:
        self._schema = core_schema.chain_schema(
            [
                core_schema.str_schema(min_length=min_length or None, max_length=max_length),
                core_schema.custom_error_schema(
                    core_schema.str_schema(pattern=pattern),
                    custom_error_type=kind,
                    custom_error_message=message,
                ),
            ]
        )
        self._json: dict[str, Any] = {"type": "string", "maxLength": max_length}
        if min_length:
            self._json["minLength"] = min_length
        self._json["pattern"] = pattern

    def __get_pydantic_core_schema__(
        self, _source: object, _handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return self._schema

    def __get_pydantic_json_schema__(
        self, _schema: core_schema.CoreSchema, _handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return dict(self._json)


Id = Annotated[
    str,
    _Characters(
        min_length=1,
        max_length=64,
        pattern=f"^[^{_ID_ENDS}](?:[^{_ID_INNER}]*[^{_ID_ENDS}])?$",
        kind="id_characters",
        message="Input should be an id without control, format or invisible characters (such as "
        "U+0000, U+202E or U+200B), without line separators and without whitespace at either end",
    ),
]
"""An identifier: 1 to 64 characters, nothing invisible, no space at either end.

Refused anywhere: control characters (category Cc: U+0000-U+001F, U+007F-U+009F, tab and
newline included), every format character (category Cf: bidi controls such as U+202E,
zero-width characters U+200B-U+200D, U+2060, U+FEFF, the soft hyphen U+00AD, tag
characters) and the line and paragraph separators U+2028, U+2029. Refused at the start and
the end: any whitespace (U+0020, U+00A0, U+3000, U+2003, ...). Anything else is allowed,
spaces inside included (ERP ids carry slashes, dots, CJK characters).
"""

ShortText = Annotated[
    str,
    _Characters(
        min_length=0,
        max_length=200,
        pattern=f"^(?:[^{_SHORT_ENDS}](?:[^{_SHORT_INNER}]*[^{_SHORT_ENDS}])?)?$",
        kind="short_text_characters",
        message="Input should be one line of text without control, bidi or invisible characters "
        "(such as U+0000, U+202E or U+200B) and without whitespace at either end",
    ),
]
"""A short piece of text (a name, a street line): up to 200 characters, on one line.

Refused anywhere: control characters (category Cc, tab and newline included), bidi
controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), invisible characters
(U+200B, U+2060-U+2064, U+206A-U+206F, U+FEFF) and the separators U+2028, U+2029. Refused
at the start and the end: any whitespace (U+0020, U+00A0, U+3000, ...). The empty string
is allowed. The zero-width joiners U+200C and U+200D stay allowed: Persian, the Indic
scripts and emoji sequences need them.
"""

Text = Annotated[
    str,
    _Characters(
        min_length=0,
        max_length=4000,
        pattern=f"^[^{_TEXT_CONTROLS}{_BIDI}{_INVISIBLE}]*$",
        kind="text_characters",
        message="Input should be text without control characters other than tab and newline, "
        "and without bidi or invisible characters (such as U+202E or U+200B)",
    ),
]
"""Free text (a note, packing instructions): up to 4000 characters, over several lines.

Tab, newline, carriage return and the separators U+2028, U+2029 are allowed, and so is
whitespace at either end. Refused: every other control character (category Cc), and the
bidi controls and invisible characters that `ShortText` refuses. U+200C and U+200D stay
allowed.
"""


_PLAIN: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_SCIENTIFIC: Final = re.compile(r"-?[0-9](?:\.[0-9]+)?[Ee][+-][0-9]+")  # as str(Decimal) writes it
_LARGEST_ADJUSTED: Final = 30  # |x| < 1E+31
_SMALLEST_ADJUSTED: Final = -30  # |x| >= 1E-30
_SHORT: Final = 31  # a plain decimal of at most 31 characters is within those bounds
_DIGITS: Final = "0123456789"
_SYNTAX: Final = (
    'Input should be a plain decimal string such as "12.50" or "-3": ASCII digits, an '
    'optional leading "-" and an optional fraction after a "." (no spaces, "+", "_", '
    "separators, other scripts' digits or exponents, except the scientific notation ordercore "
    'writes itself, such as "1E-8")'
)
_RANGE: Final = (
    "Input should be a decimal of at least 1E-30 and below 1E+31 in magnitude, or a zero of "
    "at most 30 decimal places, not {value}: no order data needs more, and such exponents "
    "only burden later arithmetic"
)


def _in_range(value: Decimal) -> Decimal:
    if _SMALLEST_ADJUSTED <= value.adjusted() <= _LARGEST_ADJUSTED:
        return value
    raise PydanticCustomError("decimal_range", _RANGE, {"value": ROUNDING.to_sci_string(value)})


def _exact_decimal(value: object, info: ValidationInfo) -> object:
    kind = type(value)
    if kind is Decimal:
        if not _SMALLEST_ADJUSTED <= value.adjusted() <= _LARGEST_ADJUSTED:  # type: ignore[attr-defined]
            _in_range(value)  # type: ignore[arg-type]  # raises (NaN and infinity have 0)
        # Negative zero becomes zero, keeping its exponent: "-0.00" never shows or compares
        # as a different key than "0.00".
        return value if value or not value.is_signed() else value.copy_abs()  # type: ignore[attr-defined]
    if kind is int:
        return _in_range(Decimal(value))  # type: ignore[arg-type]
    if kind is str and info.mode == "json":
        # The common forms ("0", "12.50") inline and without a regex: this runs for every
        # decimal of every JSON entity. `_json_decimal` decides the others.
        text: str = value  # type: ignore[assignment]
        if len(text) <= _SHORT:
            rest = text.strip(_DIGITS)
            if (not rest and text) or (rest == "." and text[0] != "." and text[-1] != "."):
                return text  # pydantic's core parses it
        return _json_decimal(text)
    if info.mode == "json":
        raise PydanticCustomError(
            "exact_decimal",
            'Input should be a decimal string such as "12.50" or an integer, not a JSON '
            "{type} (fractional JSON numbers are floats in most producers; to keep them exact, "
            "parse the JSON with json.loads(text, parse_float=Decimal) and validate the result "
            "with ordercore.schema.validate_json_data)",
            {"type": "number with a fraction" if kind is float else kind.__name__},
        )
    raise PydanticCustomError(
        "exact_decimal",
        "Input should be a Decimal or an int, not {type} (floats and strings are never "
        "turned into quantities or money; for data parsed from JSON, parse it with "
        "json.loads(text, parse_float=Decimal) and validate it with "
        "ordercore.schema.validate_json_data)",
        {"type": kind.__name__},
    )


def _json_decimal(text: str) -> str | Decimal:
    """A JSON decimal string checked for the syntax `Entity` documents (the rarer forms)."""
    if _PLAIN.fullmatch(text):
        if len(text) > _SHORT:
            _in_range(Decimal(text))
        if text[0] == "-" and not text.strip("-0."):  # a negative zero loses its sign
            return text[1:]
        return text  # pydantic's core parses it
    if _SCIENTIFIC.fullmatch(text):
        # The constructor is exact in any context; only the spelling `str` gives is accepted
        # (with a lower-case "e" as it writes under a caller's context with capitals=0).
        value = Decimal(text)
        if ROUNDING.to_sci_string(value) == text.replace("e", "E", 1):
            _in_range(value)
            return value.copy_abs() if not value and value.is_signed() else value
    raise PydanticCustomError("decimal_syntax", _SYNTAX)


EXACT: Final = BeforeValidator(_exact_decimal)
"""The validator behind `ExactDecimal`: refuses floats, bools and (from Python) strings,
JSON strings that are not plain decimals (see `Entity`) and decimals beyond ``1E-30`` to
``1E+31`` in magnitude, and turns a negative zero into zero."""


def decimal_field(**constraints: Any) -> Any:
    """Field constraints for an exact decimal, to be followed by `EXACT` in `Annotated`.

    Keeping the constraints on the decimal schema itself (before `EXACT` wraps it) lets
    pydantic check them in its compiled core instead of in Python.
    """
    return Field(strict=False, allow_inf_nan=False, **constraints)


ExactDecimal = Annotated[Decimal, decimal_field(), EXACT]
"""A `Decimal` that refuses floats, bools and (from Python) strings, and every NaN or
infinity; a negative zero becomes zero (``Decimal("-0.00")`` is kept as ``Decimal("0.00")``).

From JSON it takes an integer or a plain decimal string (``"12.50"``, ``"-3"``): ASCII digits,
an optional leading ``-``, an optional fraction with digits on both sides of the point.
Refused: ``"1_000"``, ``" 1 "``, ``"+1"``, ``"١"``, ``".5"``, ``"1e3"`` and every other
exponent but the scientific notation `model_dump_json` writes itself (``"1E-8"``,
``"1E+2"``, or ``"1e-8"`` under a decimal context with ``capitals=0``), so every value read
back equals the value written. Any value, from Python or JSON, is at least ``1E-30`` and
below ``1E+31`` in magnitude (a zero has at most 30 decimal places).
"""

Quantity = Annotated[Decimal, decimal_field(ge=0, le=MAX_QUANTITY, decimal_places=6), EXACT]
"""A quantity: a finite, non-negative `Decimal` of at most 6 decimal places, at most a billion
(a negative zero is kept as zero)."""

PositiveQuantity = Annotated[Decimal, decimal_field(gt=0, le=MAX_QUANTITY, decimal_places=6), EXACT]
"""A quantity that is moved or carried: as `Quantity`, but greater than zero."""


_MINUTE: Final = timedelta(minutes=1)
_EDGE_YEARS: Final = (MINYEAR, MAXYEAR)
# One fixed-offset zone per offset, so that normalised values share their tzinfo object.
_ZONES: dict[timedelta, timezone] = {timedelta(0): UTC}


class _Refused(Exception):
    """Why `_fixed` refuses a datetime; each caller raises its own error from it."""

    def __init__(self, kind: str, problem: str) -> None:
        self.kind = kind
        self.problem = problem  # reads after the value: "<value> is naive; ..."
        super().__init__(problem)


def _fixed(value: datetime) -> datetime:
    """The same wall time and offset in a fixed-offset `timezone`, fold cleared."""
    tzinfo = value.tzinfo
    if tzinfo is UTC and not value.fold and type(value) is datetime:
        return value
    offset = value.utcoffset()
    if offset is None:  # a tzinfo that does not know its offset: not aware after all
        raise _Refused("timezone_aware", "is naive; give a timezone-aware datetime")
    if offset % _MINUTE:
        raise _Refused(
            "timestamp_offset",
            f"has the UTC offset {offset}, not a whole number of minutes (a local mean "
            "time?), which ISO 8601 cannot write; convert it to UTC first",
        )
    if offset and value.year in (MINYEAR, MAXYEAR):
        try:
            value.replace(tzinfo=None) - offset
        except OverflowError:
            raise _Refused(
                "timestamp_range",
                "is out of range: in UTC it would fall outside the years 1 to 9999",
            ) from None
    zone = _ZONES.get(offset)
    if zone is None:
        zone = _ZONES[offset] = timezone(offset)
    if tzinfo is zone and not value.fold and type(value) is datetime:
        return value
    return datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        zone,
    )


def _timestamp(value: datetime) -> datetime:
    tzinfo = value.tzinfo
    if tzinfo is UTC and not value.fold and type(value) is datetime:
        return value  # the common case, without a second call (this runs on every entity)
    if type(tzinfo) is TzInfo and type(value) is datetime and value.year not in _EDGE_YEARS:
        # Read from JSON: pydantic's own fixed-offset zone. An offset already in `_ZONES`
        # passed `_fixed`'s checks before, and away from the first and last year no UTC
        # conversion overflows: `_fixed`'s result, without its calls (every JSON entity
        # has timestamps, every stored event one at least).
        zone = _ZONES.get(tzinfo.utcoffset(None))  # type: ignore[arg-type]
        if zone is not None:
            return datetime(
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                value.microsecond,
                zone,
            )
    try:
        return _fixed(value)
    except _Refused as refused:
        raise PydanticCustomError(
            refused.kind, "Input {problem}", {"problem": refused.problem}
        ) from None


def normalise_timestamp(value: datetime, *, field: str = "at") -> datetime:
    """Return an aware datetime with a fixed UTC offset, as every `Timestamp` field holds it.

    The wall time and the offset stay; the zone's identity (a `ZoneInfo`) and the `fold`
    flag go. The result equals its own JSON round trip, which a `ZoneInfo` time in a
    daylight-saving fold or gap does not (Python never finds such a time equal to one in
    another zone).

    Args:
        value: A timezone-aware `datetime`.
        field: The argument's name, for the error message.

    Returns:
        The same instant with the same wall time, in a `datetime.timezone` (`UTC` for a zero
        offset).

    Raises:
        TypeError: If `value` is not a `datetime`.
        ValueError: If it is naive, its offset is not a whole number of minutes, or its UTC
            time falls outside the years 1 to 9999.

    Examples:
        >>> from zoneinfo import ZoneInfo
        >>> normalise_timestamp(datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin")))
        datetime.datetime(2026, 10, 25, 2, 30, tzinfo=datetime.timezone(datetime.timedelta(seconds=3600)))
        >>> normalise_timestamp(datetime(2026, 3, 2, 9, 30))
        Traceback (most recent call last):
        ...
        ValueError: at datetime.datetime(2026, 3, 2, 9, 30) is naive; give a timezone-aware datetime
    """
    if not isinstance(value, datetime):
        raise TypeError(f"{field} must be a timezone-aware datetime, not {type(value).__name__}")
    if value.tzinfo is None:
        raise ValueError(f"{field} {value!r} is naive; give a timezone-aware datetime")
    try:
        return _fixed(value)
    except _Refused as refused:
        raise ValueError(f"{field} {value!r} {refused.problem}") from None


Timestamp = Annotated[AwareDatetime, AfterValidator(_timestamp)]
"""A timezone-aware datetime, kept with a fixed UTC offset; a naive one is refused.

Every accepted value is normalised as `normalise_timestamp` does: same wall time and
offset, in a `datetime.timezone` (`UTC` for offset zero), so that it equals its own JSON
round trip. Refused as well: offsets that are not whole minutes (local mean times), and times
whose UTC conversion leaves the years 1 to 9999 (`datetime.max` with a negative offset).
"""
