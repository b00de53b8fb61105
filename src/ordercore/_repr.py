"""Short reprs for configuration values: name only what differs from the defaults.

A policy holds dozens of factors, bands and tables; its full repr runs to thousands of
characters and buries the one threshold a host changed (it also lands in every signature
`help()` prints). These helpers write ``Policy(version='x', thresholds=(25, 45, 65))``
instead, with ``<changed: a; added: b; removed: c>`` for tables.
"""

from __future__ import annotations

import enum
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["keyed_changes", "short_repr", "value_text"]


def value_text(value: object) -> str:
    """A value as a repr shows it: enums as ``Class.NAME``, functions by their name."""
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, types.FunctionType | types.BuiltinFunctionType):
        return value.__qualname__
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(map(value_text, value))) + "}"
    return repr(value)


def _key(key: object) -> str:
    return key.value if isinstance(key, enum.Enum) else str(key)


def keyed_changes(current: Mapping[Any, object], default: Mapping[Any, object]) -> str | None:
    """How a table differs from its default, or None when it does not.

    Examples:
        >>> keyed_changes({"a": 1, "b": 3, "d": 4}, {"a": 1, "b": 2, "c": 3})
        '<changed: b; added: d; removed: c>'
        >>> keyed_changes({"b": 2, "a": 1}, {"a": 1, "b": 2}) is None
        True
    """
    changed = [_key(k) for k in current if k in default and current[k] != default[k]]
    added = [_key(k) for k in current if k not in default]
    removed = [_key(k) for k in default if k not in current]
    parts = [
        f"{label}: {', '.join(keys)}"
        for label, keys in (("changed", changed), ("added", added), ("removed", removed))
        if keys
    ]
    return f"<{'; '.join(parts)}>" if parts else None


def short_repr(
    name: str, always: Iterable[tuple[str, str]], changes: Iterable[tuple[str, str]]
) -> str:
    """``name(field=text, ...)``: the fields in `always`, then those in `changes`.

    Examples:
        >>> short_repr("Policy", [("version", "'1'")], [("thresholds", "(1, 2, 3)")])
        "Policy(version='1', thresholds=(1, 2, 3))"
    """
    fields = ", ".join(f"{field}={text}" for field, text in (*always, *changes))
    return f"{name}({fields})"
