"""Copying already-valid entities without re-validating them (the lifecycle's hot path).

Only `evolve` uses these, on values that were validated before: the commands (validated when
built), the events (validated when emitted) and the order they fold into. The property tests
in `tests/lifecycle/` check after every step that the result equals its own JSON round trip
through the full validators, so a value these copies let through would fail there.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

_M = TypeVar("_M", bound=BaseModel)
_set = object.__setattr__
_new = object.__new__
_FIELDS_SET: dict[type[BaseModel], set[str]] = {}


def replace(model: _M, changes: dict[str, Any]) -> _M:
    """Return a copy of `model` with `changes`; the values must already be valid.

    Like `model_copy(update=...)`, the changed fields join the copy's `model_fields_set`, so
    `model_dump(exclude_unset=True)` keeps them.
    """
    values = model.__dict__.copy()
    values.update(changes)
    copy: _M = _new(type(model))
    _set(copy, "__dict__", values)
    fields_set = model.__pydantic_fields_set__
    if not changes.keys() <= fields_set:
        fields_set = fields_set | changes.keys()
    # Frozen models never change their fields set, so copies may share it.
    _set(copy, "__pydantic_fields_set__", fields_set)
    _set(copy, "__pydantic_extra__", None)
    _set(copy, "__pydantic_private__", None)
    return copy


def construct(cls: type[_M], values: dict[str, Any]) -> _M:
    """Build an instance from a complete dict of valid field values (defaults included)."""
    fields_set = _FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _FIELDS_SET[cls] = set(cls.model_fields)
    instance: _M = _new(cls)
    _set(instance, "__dict__", values)
    _set(instance, "__pydantic_fields_set__", fields_set)
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance
