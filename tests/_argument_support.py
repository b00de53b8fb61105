"""What the argument-type sweeps share: the wrong values, and a function's required parameters."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import pandas as pd

AT = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
"""The moment given for ``at`` and ``as_of`` (the sweep varies the other arguments)."""
GARBAGE: list[Any] = [None, 1, "x", [], pd.DataFrame(), dt.datetime(2026, 1, 1), object()]  # noqa: DTZ001
"""Seven kinds of wrong value: None, a number, text, a list, an empty frame, a naive datetime, an object."""

_KINDS = (
    inspect.Parameter.POSITIONAL_ONLY,
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    inspect.Parameter.KEYWORD_ONLY,
)


def wrong_arguments(function: Any, value: object) -> dict[str, object]:
    """`value` for every required parameter of `function` (`AT` for ``at`` and ``as_of``)."""
    return {
        p.name: AT if p.name in ("at", "as_of") else value
        for p in inspect.signature(function).parameters.values()
        if p.default is p.empty and p.kind in _KINDS
    }
