"""Every public function of `ordercore.kpi` refuses an argument of the wrong kind with a typed error.

Called with None, a number, text, a list, an empty pandas frame, a datetime or a bare object
in place of each required argument, a KPI, converter, analysis or report raises an
`OrderCoreError` (naming the function and the argument), never an `AttributeError` or a
bare `TypeError` from deep inside.
"""

from __future__ import annotations

import datetime as dt
import gc
import inspect
from typing import Any

import pandas as pd
import pytest

from _argument_support import AT, GARBAGE, wrong_arguments
from ordercore import kpi
from ordercore.errors import InvalidArgument, OrderCoreError, UnsupportedBackend
from ordercore.testing.book import synthetic_book

_AS_OF = AT
_FUNCTIONS = [
    name
    for name in kpi.__all__
    if inspect.isfunction(getattr(kpi, name)) and name != "generate"  # generate: its own tests
]


@pytest.mark.parametrize("value", GARBAGE, ids=lambda v: type(v).__name__)
@pytest.mark.parametrize("name", _FUNCTIONS)
def test_a_wrong_argument_is_refused_typed(name: str, value: object) -> None:
    function = getattr(kpi, name)
    arguments = wrong_arguments(function, value)
    if name == "perfect_order_multiplicative":  # takes perfect_order's keywords
        arguments["as_of"] = _AS_OF
    try:
        function(**arguments)
    except OrderCoreError:
        return
    except Exception as error:  # noqa: BLE001 - the point of the test
        pytest.fail(f"{name} raised untyped {type(error).__name__}: {error}")
    # some garbage is a valid value for some arguments (an empty frame, a list of nothing)


def test_the_functions_covered_include_every_family() -> None:
    assert {"otif", "orders_frame", "trail_frame", "conformance", "alerts", "decompose"} <= set(
        _FUNCTIONS
    )


_BOOK = synthetic_book(orders=6, seed=1)


@pytest.mark.parametrize(
    "convert",
    [
        kpi.orders_frame,
        kpi.lines_frame,
        kpi.lifecycle_frames,
        kpi.deliveries_frame,
        kpi.cases_frame,
    ],
)
def test_a_converter_names_the_first_item_that_is_not_an_order(convert: Any) -> None:
    orders = [*_BOOK.orders[:2], {"order_id": "SO-X"}, *_BOOK.orders[2:]]
    with pytest.raises(
        InvalidArgument, match=r"orders item 2 is \{'order_id': 'SO-X'\}, not an Order"
    ):
        convert(orders, _BOOK.events)


@pytest.mark.parametrize(
    ("convert", "function"),
    [
        (kpi.events_frame, "events_frame"),
        (kpi.trail_frame, "trail_frame"),
        (lambda e: kpi.orders_frame(_BOOK.orders, e), "orders_frame"),
    ],
)
def test_a_converter_names_the_first_item_that_is_not_an_event(convert: Any, function: str) -> None:
    events = [*_BOOK.events[:5], "order_approved", *_BOOK.events[5:]]
    with pytest.raises(
        InvalidArgument,
        match=rf"{function}\(\): events item 5 is 'order_approved', not an OrderEvent",
    ):
        convert(events)


def test_a_naive_as_of_is_refused_by_the_converters() -> None:
    with pytest.raises(InvalidArgument, match="as_of must be a timezone-aware datetime"):
        kpi.orders_frame(_BOOK.orders, _BOOK.events, as_of=dt.datetime(2026, 7, 1))  # noqa: DTZ001


def test_an_iterator_of_entities_is_read_once_and_converted() -> None:
    frame = kpi.orders_frame(iter(_BOOK.orders), iter(_BOOK.events))
    assert frame["order_id"].tolist() == [o.order_id for o in _BOOK.orders]


def test_an_analysis_names_the_frame_argument_it_cannot_read() -> None:
    with pytest.raises(UnsupportedBackend, match=r"conformance\(\): events: unsupported frame"):
        kpi.conformance(pd.DataFrame(), [1, 2], as_of=_AS_OF)


def test_a_failure_with_only_entities_in_the_inputs_is_raised_as_it_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ordercore.kpi import convert  # noqa: PLC0415 - the module whose step is made to fail

    def broken(*_: object, **__: object) -> None:
        raise KeyError("a defect of the converter")

    monkeypatch.setattr(convert, "_Book", broken)
    with pytest.raises(KeyError, match="a defect of the converter") as caught:
        kpi.orders_frame(_BOOK.orders, _BOOK.events)
    assert not isinstance(caught.value, InvalidArgument)


@pytest.mark.parametrize("enabled", [True, False])
def test_a_conversion_leaves_the_collector_as_it_found_it(enabled: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        kpi.orders_frame(_BOOK.orders, _BOOK.events)
        kpi.events_frame(_BOOK.events)
        assert gc.isenabled() is enabled
        with pytest.raises(InvalidArgument):
            kpi.lines_frame([*_BOOK.orders, "SO-X"], _BOOK.events)  # type: ignore[list-item]
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_collector_is_paused_while_a_frame_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    from ordercore.kpi import convert  # noqa: PLC0415 - the module whose step is observed

    seen: list[bool] = []
    real = convert._Book

    def observed(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(convert, "_Book", observed)
    assert gc.isenabled()
    kpi.orders_frame(_BOOK.orders, _BOOK.events)
    assert seen == [False]
    assert gc.isenabled()
