"""The public functions outside `ordercore.kpi` refuse an argument of the wrong kind typed too.

As `tests/kpi/test_argument_types.py` does for the KPIs: None, a number, text, a list, an
empty pandas frame, a naive datetime or a bare object in place of each required argument
gives an `OrderCoreError` (or pydantic's `ValidationError` where an entity is built from
it), never an `AttributeError` or a bare `TypeError` from inside.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pydantic
import pytest

from _argument_support import GARBAGE, wrong_arguments
from ordercore.errors import OrderCoreError

_MODULES = (
    "ordercore",
    "ordercore.lifecycle",
    "ordercore.validation",
    "ordercore.risk",
    "ordercore.promise",
    "ordercore.service",
    "ordercore.upcasting",
)
# documented to raise the builtin: an unknown issue code is a KeyError, as a dict lookup is
_DOCUMENTED = {"ordercore.validation.make_issue"}


def _functions() -> list[tuple[str, Any]]:
    found = []
    for name in _MODULES:
        module = importlib.import_module(name)
        for attribute in getattr(module, "__all__", ()):
            function = getattr(module, attribute)
            qualified = f"{name}.{attribute}"
            if inspect.isfunction(function) and qualified not in _DOCUMENTED:
                found.append((qualified, function))
    return found


_FUNCTIONS = _functions()


@pytest.mark.parametrize("value", GARBAGE, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize(("name", "function"), _FUNCTIONS, ids=[n for n, _ in _FUNCTIONS])
def test_a_wrong_argument_is_refused_typed(name: str, function: Any, value: object) -> None:
    arguments = wrong_arguments(function, value)
    try:
        function(**arguments)
    except (OrderCoreError, pydantic.ValidationError):
        return
    except Exception as error:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{name} raised untyped {type(error).__name__}: {error}")


def test_the_sweep_reaches_the_entry_points_that_were_untyped() -> None:
    names = {n for n, _ in _FUNCTIONS}
    assert {
        "ordercore.lifecycle.merge",
        "ordercore.service.handle",
        "ordercore.risk.assess_features",
        "ordercore.promise.apply_event",
        "ordercore.validation.require",
        "ordercore.validation.review",
        "ordercore.label",
    } <= names
