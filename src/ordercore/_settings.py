"""Checks of the settings a host writes into rules and plans: hours, names, levels, statuses.

Monitoring rules and the supervision plan are built once, from configuration a person wrote;
a NaN SLA, a status that does not exist or a role given as one string instead of a list
would otherwise give a rule that never fires, silently. Each check raises
`ConfigurationError` naming the component, the setting and the value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final

from pydantic import TypeAdapter, ValidationError

from ordercore._base import Id, ShortText
from ordercore.errors import ConfigurationError
from ordercore.status import OrderStatus

__all__ = ["STATUSES", "hours", "levels", "status", "text", "texts"]

STATUSES: Final = tuple(s.value for s in OrderStatus)
"""The primary statuses of an order."""
_ID: Final = TypeAdapter(Id)
_SHORT: Final = TypeAdapter(ShortText)


def hours(value: object, *, component: str, name: str, zero: bool = False) -> float:
    """A finite number of hours, > 0 (>= 0 with `zero`); bools and text are refused."""
    number = None if isinstance(value, bool) or not isinstance(value, (int, float)) else value
    if number is None or not math.isfinite(number) or number < 0 or (number == 0 and not zero):
        limit = ">= 0" if zero else "> 0"
        raise ConfigurationError(
            f"{name} must be a finite number {limit}, got {value!r}", component=component
        )
    return float(number)


def text(value: object, *, component: str, name: str, id_: bool = False) -> str:
    """A name: one line of text (`ShortText`), or an id (`Id`) with `id_`, as entities check."""
    try:
        checked: str = (_ID if id_ else _SHORT).validate_python(value)
        reason = "" if checked else "it is empty"
    except ValidationError as error:
        checked, reason = "", error.errors()[0]["msg"]
    if reason:
        raise ConfigurationError(
            f"{name} must be {'an id' if id_ else 'a name'}, got {value!r}: {reason}",
            component=component,
        )
    return checked


def texts(value: object, *, component: str, name: str, id_: bool = False) -> tuple[str, ...]:
    """Names (ids with `id_`) given as a list, tuple or set (one string is refused, not split)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigurationError(
            f"{name} must be a list of names, got {value!r}", component=component
        )
    return tuple(text(v, component=component, name=name, id_=id_) for v in value)


def levels(value: object, *, component: str, name: str = "levels") -> tuple[str, ...]:
    """Risk level names (`RiskLevel` values), as given; enum members are read by value."""
    from ordercore.risk.policy import RiskLevel  # noqa: PLC0415 - risk's package reads this module

    known = tuple(level.value for level in RiskLevel)
    given = texts(value, component=component, name=name)
    unknown = [v for v in given if v not in known]
    if unknown:
        raise ConfigurationError(
            f"{name} must be some of {', '.join(known)}, got {list(given)!r}",
            component=component,
        )
    return tuple(str(v) for v in given)


def status(value: object, *, component: str, name: str = "status") -> str:
    """A primary status of an order (`STATUSES`), as its value."""
    if not isinstance(value, str) or value not in STATUSES:
        raise ConfigurationError(
            f"{name} must be one of {', '.join(STATUSES)}, got {value!r}", component=component
        )
    return str(value)
