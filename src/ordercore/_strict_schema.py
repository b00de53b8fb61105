"""The JSON Schema generator behind `ordercore.schema`: as strict as the models' JSON parsing.

Pydantic's own generator describes an `ExactDecimal` as "a number or any string", a currency
as any string and a timestamp as a ``date-time`` (a format most validators do not assert).
`StrictJsonSchema` writes what the models accept from JSON (see `ordercore.schema`); the
patterns use only what Python's `re` and ECMA-262 read alike (classes, groups, look-ahead).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema

from ordercore._base import EXACT, ROUNDING, Id, ShortText, Text
from ordercore._iso4217 import CURRENCIES
from ordercore.orders import MAX_LINES

if TYPE_CHECKING:
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import core_schema

__all__ = ["DAY", "SYNTAX", "StrictJsonSchema", "share_patterns"]

_TOP: Final = 30  # |x| < 1E+31: a decimal's adjusted exponent is at most 30
_BOTTOM: Final = 30  # |x| >= 1E-30, or a zero of at most 30 places
_SCI_NEGATIVE_FROM: Final = 7  # Python writes 1E-7 and below in scientific notation

# Pydantic applies a bound given outside a validated decimal (``Annotated[ExactDecimal,
# Field(ge=0)]``) as an after-validator: a `functools.partial` of its bound check, with the
# bound as its one keyword. Told apart by that, not by pydantic's private functions.
_BOUNDS: Final = frozenset({"ge", "gt", "le", "lt"})

# ------------------------------------------------------------------ decimal strings

_PLAIN_IN_RANGE: Final = (
    rf"0*[1-9][0-9]{{0,{_TOP}}}(?:\.[0-9]+)?"  # a non-zero integer part: the fraction is free
    rf"|0+(?:\.(?:0{{0,{_BOTTOM - 1}}}[1-9][0-9]*|0{{1,{_BOTTOM}}}))?"  # 0.x: within 30 places
)


def _alternatives(values: list[str]) -> str:
    return "(?:" + "|".join(values) + ")"


def _exponents(low: int, high: int) -> str:
    return _alternatives([str(n) for n in range(low, high + 1)])


def _scientific_spelling() -> str:
    """Scientific notation exactly as `str(Decimal)` writes it, within the range.

    Python writes a decimal in scientific notation when its exponent is positive or its
    adjusted exponent is below -6: so ``1E+2``, ``1.5E+3`` (fewer fraction digits than the
    exponent), ``1E-7``, ``0E-8``, ``0E+2``, never ``1E+0``, ``1E-6`` or ``15E+2``.
    """
    positive = [
        rf"[1-9](?:\.[0-9]{{1,{x - 1}}})?[Ee]\+{x}" if x > 1 else rf"[1-9][Ee]\+{x}"
        for x in range(1, _TOP + 1)
    ]
    negative = rf"[1-9](?:\.[0-9]+)?[Ee]-{_exponents(_SCI_NEGATIVE_FROM, _BOTTOM)}"
    zero = rf"0[Ee](?:\+{_exponents(1, _TOP)}|-{_exponents(_SCI_NEGATIVE_FROM, _BOTTOM)})"
    return _alternatives([*positive, negative, zero])


SYNTAX: Final = rf"^-?(?:{_PLAIN_IN_RANGE}|{_scientific_spelling()})$"
"""A JSON decimal string as `Entity` reads it: plain or ordercore's scientific, in range."""


def _at_most(bound: Decimal) -> str:
    """An unanchored pattern of the plain, unsigned decimal strings ``x`` with ``x <= bound``.

    Leading zeros are allowed (``"007"``), as the models allow them; `bound` is positive.
    """
    whole, _, fraction = format(bound.normalize(), "f").partition(".")
    digits = whole + fraction
    size = len(whole)

    def after_integer_digit(position: int) -> str:
        left = size - position - 1
        return (f"[0-9]{{{left}}}" if left else "") + r"(?:\.[0-9]+)?"

    def equal_so_far(position: int) -> str:
        # x equals `digits` up to `position`; what may follow so that x <= bound.
        if position == len(digits):
            return r"(?:\.0+)?" if not fraction else "0*"
        digit = digits[position]
        options = [digit + equal_so_far(position + 1)]
        if digit != "0":
            smaller = f"[0-{int(digit) - 1}]"
            options.append(
                smaller + (after_integer_digit(position) if position < size else "[0-9]*")
            )
        group = _alternatives(options)
        if position < size:
            return group
        # In the fraction, x may stop here: what is left of the bound is not zero.
        return rf"(?:\.{group})?" if position == size else f"{group}?"

    options = [f"0*{equal_so_far(0)}"]
    if size >= 2:  # noqa: PLR2004 - fewer integer digits than the bound: always smaller
        options.append(rf"0*[0-9]{{1,{size - 1}}}(?:\.[0-9]+)?")
    return _alternatives(options)


def _bounded(bound: Decimal) -> str:
    """The pattern of decimal strings, plain or scientific, of magnitude at most `bound`."""
    scientific: list[str] = []
    for sign, exponents in (
        ("+", range(1, _TOP + 1)),
        ("-", range(_SCI_NEGATIVE_FROM, _BOTTOM + 1)),
    ):
        for x in exponents:
            limit = bound.scaleb(-x if sign == "+" else x)
            if limit >= 10:  # noqa: PLR2004 - every mantissa (below 10) fits
                mantissa = r"[0-9](?:\.[0-9]+)?"
            elif limit < 1:
                mantissa = "0"  # only a zero this large is small enough
            else:
                mantissa = _at_most(limit)
            scientific.append(f"{mantissa}[Ee]\\{sign}{x}")
    return rf"^-?(?:{_at_most(bound)}|{_alternatives(scientific)})$"


def _places(places: int) -> str:
    """The pattern of decimal strings with at most `places` significant decimal places.

    Trailing zeros do not count (``"1.5000000"`` has one place), as pydantic counts them.
    """
    plain = rf"[0-9]+(?:\.[0-9]{{1,{places}}}0*)?" if places else r"[0-9]+(?:\.0+)?"
    negative = [
        (rf"[1-9](?:\.[0-9]{{1,{places - x}}}0*)?" if places > x else r"[1-9](?:\.0+)?")
        + rf"[Ee]-{x}"
        for x in range(_SCI_NEGATIVE_FROM, places + 1)
    ]
    scientific = [r"[0-9](?:\.[0-9]+)?[Ee]\+[0-9]+", r"0[Ee]-[0-9]+", *negative]
    return rf"^-?(?:{plain}|{_alternatives(scientific)})$"


_NOT_NEGATIVE: Final = r"^(?!-[0-9.]*[1-9])"  # a minus only on a zero ("-0.00" reads as 0.00)
_POSITIVE: Final = r"^(?=[0-9.]*[1-9])"  # no minus, and a non-zero digit before any exponent
_LARGEST_INTEGER: Final = 10 ** (_TOP + 1) - 1


@functools.cache
def _decimal_schema(
    lower: tuple[str, Decimal] | None,
    upper: tuple[str, Decimal] | None,
    places: int | None,
    mode: str,
) -> dict[str, Any]:
    patterns = [SYNTAX]
    integer: dict[str, Any] = {
        "type": "integer",
        "minimum": -_LARGEST_INTEGER,
        "maximum": _LARGEST_INTEGER,
    }
    unchecked: list[str] = []  # bounds no pattern here says (none on ordercore's models)
    symmetric = lower is not None and upper is not None and lower == ("ge", -upper[1])
    if upper is not None:
        kind, bound = upper
        integer["maximum"] = min(
            _LARGEST_INTEGER,
            math.floor(bound) - (kind == "lt" and bound == bound.to_integral_value()),
        )
        if kind == "le" and bound > 0 and (symmetric or (lower is not None and lower[1] == 0)):
            patterns.append(_bounded(bound))
        else:
            unchecked.append(f"{kind} {bound}")
    if lower is not None:
        kind, bound = lower
        integer["minimum"] = max(
            -_LARGEST_INTEGER,
            math.ceil(bound) + (kind == "gt" and bound == bound.to_integral_value()),
        )
        if bound == 0:
            patterns.append(_NOT_NEGATIVE if kind == "ge" else _POSITIVE)
        elif not symmetric:
            unchecked.append(f"{kind} {bound}")
    if places is not None:
        patterns.append(_places(places))
    text: dict[str, Any] = {"type": "string", "allOf": [{"pattern": p} for p in patterns]}
    if unchecked:
        text["$comment"] = f"checked by the model only: {', '.join(unchecked)}"
    if mode == "serialization":
        return text  # model_dump_json writes every decimal as a string
    return {"anyOf": [integer, text]}


def _constraints(schema: core_schema.CoreSchema) -> dict[str, Any] | None:
    """The bounds and places of an `ExactDecimal` core schema, or None if it is none."""
    found: dict[str, Any] = {}
    while schema["type"] == "function-after":
        function = schema["function"]["function"]
        bounds = set(function.keywords) if isinstance(function, functools.partial) else set()
        if not bounds or not bounds <= _BOUNDS:
            return None
        found.update(function.keywords)
        schema = schema["schema"]
    if schema["type"] != "function-before":
        return None
    if schema["function"]["function"] is not EXACT.func:
        return None
    inner = schema["schema"]
    if inner["type"] != "decimal":
        return None
    for key in ("ge", "gt", "le", "lt", "decimal_places"):
        if key in inner:
            found.setdefault(key, inner[key])
    return found


def _decimal_json(constraints: dict[str, Any], mode: str = "validation") -> dict[str, Any]:
    """The JSON Schema of an `ExactDecimal` with the given ge/gt/le/decimal_places bounds."""
    lower = next(((k, Decimal(constraints[k])) for k in ("ge", "gt") if k in constraints), None)
    upper = next(((k, Decimal(constraints[k])) for k in ("le", "lt") if k in constraints), None)
    places = constraints.get("decimal_places")
    schema = _decimal_schema(lower, upper, places, mode)
    name = "_".join(
        ["Decimal"]
        + [
            f"{kind}_{ROUNDING.to_sci_string(bound)}"
            for kind, bound in filter(None, (lower, upper))
        ]
        + ([f"places_{places}"] if places is not None else [])
    )
    return {**schema, _SHARED: name}


# A decimal, timestamp or text schema is up to kilobytes of patterns, the same for every
# field of its kind: `json_schema` moves each into `$defs` once, under its name (marked with
# this key, or known by its pattern), and refers to it; a field's own title, default and
# description stay beside the reference.
_SHARED: Final = "x-ordercore-shared"
_FIELD_KEYS: Final = frozenset({"title", "default", "description", "examples", "deprecated"})


@functools.cache
def _text_types() -> dict[str, str]:
    return {
        TypeAdapter(kind).json_schema()["pattern"]: name
        for name, kind in (("Id", Id), ("ShortText", ShortText), ("Text", Text))
    }


def _shared_name(node: dict[str, Any]) -> str | None:
    name: str | None = node.pop(_SHARED, None)
    if name is None and node.get("type") == "string" and "pattern" in node:
        name = _text_types().get(node["pattern"])
    return name


def share_patterns(schema: dict[str, Any]) -> dict[str, Any]:
    """Move every shared decimal, timestamp, day and text schema of `schema` into `$defs`."""
    shared: dict[str, Any] = {}

    def visit(node: object) -> None:
        if isinstance(node, dict):
            name = _shared_name(node)
            if name is not None:
                shared[name] = {key: node.pop(key) for key in list(node) if key not in _FIELD_KEYS}
                node["$ref"] = f"#/$defs/{name}"
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    if shared:
        schema["$defs"] = dict(sorted({**schema.get("$defs", {}), **shared}.items()))
    return schema


# ------------------------------------------------------------------ days and times

_YEAR: Final = r"(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_LEAP_YEAR: Final = (
    r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
)
_MONTH_DAY: Final = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
DAY: Final = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
"""A calendar day, ``YYYY-MM-DD``, leap days only in leap years."""

_TIME: Final = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.,][0-9]+)?)?"
_OFFSET: Final = r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])"


class StrictJsonSchema(GenerateJsonSchema):
    """Pydantic's JSON Schema generator, made as strict as ordercore's JSON parsing."""

    def function_after_schema(
        self, schema: core_schema.AfterValidatorFunctionSchema
    ) -> JsonSchemaValue:
        """Decimals, currencies, line counts and verdicts as their validators check them."""
        constraints = _constraints(schema)
        if constraints is not None:
            return _decimal_json(constraints, self.mode)
        function = schema["function"]["function"]
        name = getattr(function, "__qualname__", "")
        if name == "_check_currency":
            return {"type": "string", "enum": sorted(CURRENCIES)}
        if name == "_check_verdict" and self.mode == "validation":
            # A review verdict comes from review(), never from JSON: no document has one.
            return {"not": {}, "description": "a review result; not read from JSON"}
        found = super().function_after_schema(schema)
        if name == "_check_line_count":
            found = {**found, "minItems": 1, "maxItems": MAX_LINES}
        return found

    def function_before_schema(
        self, schema: core_schema.BeforeValidatorFunctionSchema
    ) -> JsonSchemaValue:
        """An `ExactDecimal` without outer bounds."""
        constraints = _constraints(schema)
        if constraints is not None:
            return _decimal_json(constraints, self.mode)
        return super().function_before_schema(schema)

    def encode_default(self, dft: Any) -> Any:
        """A read-only mapping default (an event's empty ``before``) as the object it is."""
        if isinstance(dft, Mapping) and type(dft) is not dict:
            dft = dict(dft)
        return super().encode_default(dft)

    def datetime_schema(self, schema: core_schema.DatetimeSchema) -> JsonSchemaValue:
        """A date and time; with the offset required where the model refuses naive ones."""
        found = super().datetime_schema(schema)
        if schema.get("tz_constraint") == "aware":
            return {**found, "pattern": f"^{DAY}[Tt _]{_TIME}{_OFFSET}$", _SHARED: "Timestamp"}
        return {**found, "pattern": f"^{DAY}[Tt _]{_TIME}{_OFFSET}?$", _SHARED: "DateTime"}

    def date_schema(self, schema: core_schema.DateSchema) -> JsonSchemaValue:
        """A calendar day, ``YYYY-MM-DD``."""
        return {**super().date_schema(schema), "pattern": f"^{DAY}$", _SHARED: "Day"}

    def typed_dict_schema(self, schema: core_schema.TypedDictSchema) -> JsonSchemaValue:
        """A business calendar's weekend: weekday numbers 0 to 6, never all seven."""
        found = super().typed_dict_schema(schema)
        properties = found.get("properties", {})
        weekend = properties.get("weekend_days")
        if weekend is not None and "working_days" in properties:
            weekdays = [{"contains": {"const": day}} for day in range(7)]
            properties["weekend_days"] = {
                **weekend,
                "items": {**weekend.get("items", {}), "minimum": 0, "maximum": 6},
                "not": {"allOf": weekdays},
            }
        return found
