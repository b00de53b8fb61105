"""The shared strict, frozen base of every entity, and the constrained scalar types they use.

Strictness in pydantic does not propagate into nested models on its own, so every entity
derives from [`Entity`][ordercore.Entity] instead of setting it field by field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Final

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "EXACT",
    "MAX_AMOUNT",
    "MAX_QUANTITY",
    "Entity",
    "ExactDecimal",
    "Id",
    "Quantity",
    "ShortText",
    "Text",
    "Timestamp",
    "decimal_field",
]

MAX_QUANTITY: Final = Decimal(1000000000)
"""The largest quantity any ledger field may hold. A billion units on one line is already
far beyond any real order; anything larger is a data error (a unit mix-up, a pasted id).
"""

MAX_AMOUNT: Final = Decimal(100000000000000)
"""The largest absolute money amount accepted (a hundred trillion in any currency)."""


class Entity(BaseModel):
    """Base of all ordercore entities: frozen, strict, no unknown fields.

    Strict means that from Python a `Decimal` field takes a `Decimal` or an `int` only (never
    a float or a string), a datetime field takes an aware `datetime`, a collection takes a
    tuple or a list, and a nested entity takes the entity or a mapping of its fields. From
    JSON, decimals are strings or integers (a JSON number with a fraction is a float in most
    producers and is refused), datetimes are ISO 8601 strings with an offset.
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


Id = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=64,
        pattern=r"^[^\x00-\x20\x7f](?:[^\x00-\x1f\x7f]*[^\x00-\x20\x7f])?$",
    ),
]
"""An identifier: 1 to 64 characters, no control characters, no leading or trailing space.
Any other text is allowed (ERP ids carry slashes, dots, CJK characters).
"""

ShortText = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
"""A short piece of text (a name, a street line): up to 200 characters, no control characters."""

Text = Annotated[
    str, StringConstraints(max_length=4000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")
]
"""Free text (a note, packing instructions): up to 4000 characters; tabs and newlines allowed."""


def _exact_decimal(value: object, info: ValidationInfo) -> object:
    kind = type(value)
    if kind is Decimal:
        return value
    if kind is int:
        return Decimal(value)  # type: ignore[arg-type]
    if kind is str and info.mode == "json":
        return value
    if info.mode == "json":
        raise PydanticCustomError(
            "exact_decimal",
            'Input should be a decimal string such as "12.50" or an integer, not a JSON '
            "{type} (fractional JSON numbers are floats in most producers)",
            {"type": "number with a fraction" if kind is float else kind.__name__},
        )
    raise PydanticCustomError(
        "exact_decimal",
        "Input should be a Decimal or an int, not {type} (floats and strings are never "
        "turned into quantities or money)",
        {"type": kind.__name__},
    )


EXACT: Final = BeforeValidator(_exact_decimal)
"""The validator behind `ExactDecimal`: refuses floats, bools and (from Python) strings."""


def decimal_field(**constraints: Any) -> Any:
    """Field constraints for an exact decimal, to be followed by `EXACT` in `Annotated`.

    Keeping the constraints on the decimal schema itself (before `EXACT` wraps it) lets
    pydantic check them in its compiled core instead of in Python.
    """
    return Field(strict=False, allow_inf_nan=False, **constraints)


ExactDecimal = Annotated[Decimal, decimal_field(), EXACT]
"""A `Decimal` that refuses floats, bools and (from Python) strings, and every NaN or infinity."""

Quantity = Annotated[Decimal, decimal_field(ge=0, le=MAX_QUANTITY, decimal_places=6), EXACT]
"""A quantity: a finite, non-negative `Decimal` of at most 6 decimal places, at most a billion."""

Timestamp = AwareDatetime
"""A timezone-aware datetime; a naive one is refused."""
