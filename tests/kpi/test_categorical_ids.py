"""Ids kept as categories are refused by name: they are matched across frames.

`check_frame` accepts a category (or enum) for a code column such as ``channel``. An id kept
as a category was accepted too, and then matched another frame's text ids differently per
backend: polars refused the join with an untyped error from inside the query, and pandas'
lookups missed, so orders with errors counted as perfect. Now every KPI refuses such an id
with `FrameSchemaError` naming the frame and the column, on every backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw
import pytest

from ordercore.errors import FrameSchemaError
from ordercore.kpi import (
    frame_problems,
    generate,
    monthly_report,
    order_accuracy,
    otif,
    perfect_order,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Constructor

_DATA = generate(300, seed=5)
_AS_OF = _DATA.as_of

_KPIS: dict[str, Callable[[Any, Any], object]] = {
    "order_accuracy": lambda o, e: order_accuracy(o, e, as_of=_AS_OF),
    "perfect_order": lambda o, e: perfect_order(o, e, as_of=_AS_OF),
    "monthly_report": lambda o, e: monthly_report(o, errors=e, as_of=_AS_OF),
}


@pytest.mark.parametrize("kpi", sorted(_KPIS))
@pytest.mark.parametrize("side", ["errors", "orders"])
def test_an_id_kept_as_a_category_is_refused_naming_it(
    constructor: Constructor, kpi: str, side: str
) -> None:
    orders, errors = _DATA.orders, _DATA.errors
    expected = _KPIS[kpi](constructor(orders), constructor(errors))
    if side == "errors":
        errors = errors.assign(order_id=errors["order_id"].astype("category"))
    else:
        orders = orders.assign(order_id=orders["order_id"].astype("category"))
    native_orders, native_errors = constructor(orders), constructor(errors)
    kept = nw.from_native(native_errors if side == "errors" else native_orders)
    if kept.collect_schema()["order_id"] == nw.String:  # DuckDB reads a dictionary as text
        got = _KPIS[kpi](native_orders, native_errors)
        assert repr(got) == repr(expected)
        return
    with pytest.raises(FrameSchemaError, match=r"order_id: ids must be text") as caught:
        _KPIS[kpi](native_orders, native_errors)
    assert side in str(caught.value)


def test_codes_kept_as_categories_still_count_alike(constructor: Constructor) -> None:
    orders = _DATA.orders
    coded = orders.assign(channel=orders["channel"].astype("category"))
    plain, cats = otif(constructor(orders), as_of=_AS_OF), otif(constructor(coded), as_of=_AS_OF)
    assert (cats.value, cats.numerator, cats.denominator) == (
        plain.value,
        plain.numerator,
        plain.denominator,
    )


def test_frame_problems_names_the_id_kept_as_a_category() -> None:
    orders = _DATA.orders.assign(owner_id=_DATA.orders["owner_id"].astype("category"))
    problems = [p for p in frame_problems(orders, "orders") if p.startswith("owner_id")]
    assert problems == [
        (
            "owner_id: ids must be text, got Categorical; cast them first (pandas:"
            " .astype('str'), polars: .cast(pl.String))"
        )
    ]
