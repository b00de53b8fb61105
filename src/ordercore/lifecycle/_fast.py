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
_new = object.__new__
# The slot descriptors of pydantic's model base, called directly: the same store as
# `object.__setattr__`, without looking the name up through the class on every copy.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_FIELDS_SET: dict[type[BaseModel], set[str]] = {}


def replace(model: _M, changes: dict[str, Any]) -> _M:
    """Return a copy of `model` with `changes`; the values must already be valid.

    Like `model_copy(update=...)`, the changed fields join the copy's `model_fields_set`, so
    `model_dump(exclude_unset=True)` keeps them.
    """
    values = model.__dict__.copy()
    values.update(changes)
    copy: _M = _new(type(model))
    _set_dict(copy, values)
    fields_set = model.__pydantic_fields_set__
    if not changes.keys() <= fields_set:
        fields_set = fields_set | changes.keys()
    # Frozen models never change their fields set, so copies may share it.
    _set_fields(copy, fields_set)
    _set_extra(copy, None)
    _set_private(copy, None)
    return copy


def update_fresh(model: BaseModel, changes: dict[str, Any]) -> None:
    """Write `changes` into a copy that `replace` made moments ago and nobody else holds.

    `apply` uses it for the derived status change that follows a command's own change: the
    order it updates is the one `apply` itself just built, not yet returned to anyone, so
    updating it is the same as copying it once more, without the copy.
    """
    model.__dict__.update(changes)
    fields_set = model.__pydantic_fields_set__
    if not changes.keys() <= fields_set:
        # The set may be shared with the order this copy came from: never add to it.
        _set_fields(model, fields_set | changes.keys())


def construct(cls: type[_M], values: dict[str, Any]) -> _M:
    """Build an instance from a complete dict of valid field values (defaults included)."""
    fields_set = _FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _FIELDS_SET[cls] = set(cls.model_fields)
    instance: _M = _new(cls)
    _set_dict(instance, values)
    _set_fields(instance, fields_set)
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance
