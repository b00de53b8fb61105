"""The SCOR perfect order: what needs a delivery is judged on delivered orders only.

Documentation (RL.2.3) and condition (RL.2.4) cannot be judged before something arrived; a
past-due order not yet delivered is counted in the headline (it failed on time) and is not
perfect. The APQC product follows the same denominators. Every case runs on pandas, polars
(eager and lazy) and DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from _kpi_support import AS_OF, at, orders
from ordercore.kpi import KpiStatus, perfect_order, perfect_order_multiplicative

Constructor = Callable[[pd.DataFrame], Any]

DELIVERED = {"delivered_at": at(4), "qty_delivered": 10.0}
PAST_DUE = {"promised_at": at(10)}  # open, its promised day passed before as_of


def _errors(order_ids: list[str], types: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "error_id": [f"E-{i}" for i in range(len(order_ids))],
            "order_id": order_ids,
            "error_type": types,
        }
    )


def test_documentation_and_condition_are_rated_over_delivered_orders_only(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(DELIVERED, DELIVERED, PAST_DUE))
    errors = constructor(_errors(["SO-1"], ["documentation"]))
    result = perfect_order(frame, errors, as_of=AS_OF)
    assert result.details["delivered"] == 2
    assert result.details["documentation"] == 0.5  # of the two delivered, not of three
    assert result.details["condition"] == 1.0
    assert result.details["on_time"] == pytest.approx(2 / 3)


def test_a_past_due_order_not_yet_delivered_is_counted_and_is_not_perfect(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(DELIVERED, PAST_DUE))
    result = perfect_order(frame, as_of=AS_OF)
    assert (result.numerator, result.denominator) == (1.0, 2.0)


def test_an_order_not_yet_due_is_not_counted_in_the_perfect_order_rate(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(DELIVERED, {"promised_at": at(25)}))
    result = perfect_order(frame, as_of=AS_OF)
    assert (result.denominator, result.exclusions["not_yet_due"]) == (1.0, 1)


def test_the_apqc_product_takes_documentation_and_condition_over_delivered_orders(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(DELIVERED, DELIVERED, PAST_DUE, PAST_DUE))
    errors = constructor(_errors(["SO-0"], ["damaged"]))
    result = perfect_order_multiplicative(frame, errors, as_of=AS_OF)
    # in full 2/4, on time 2/4, documentation 2/2, condition 1/2
    assert result.value == pytest.approx(0.5 * 0.5 * 1.0 * 0.5)


def test_the_apqc_product_has_no_value_before_a_counted_order_is_delivered(
    constructor: Constructor,
) -> None:
    result = perfect_order_multiplicative(constructor(orders(PAST_DUE)), as_of=AS_OF)
    assert (result.value, result.status) == (None, KpiStatus.NO_DATA)
    assert result.details["documentation"] is None
