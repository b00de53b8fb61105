"""as_of bounds everything: what had not happened by then is not seen, in every measure.

Orders not yet received, surveys not yet sent or answered, errors not yet found, deliveries
and shipments after `as_of`; fill, return and backorder rates and survey scores take `as_of`,
`period` and `where` like the others. Every case runs on pandas, polars (eager and lazy) and
DuckDB.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from _kpi_support import AS_OF, at, orders
from ordercore.errors import FrameSchemaError
from ordercore.kpi import (
    PastDueNotShipped,
    alerts,
    backorder_rate,
    cost_per_order,
    cycle_time,
    errors_by_staff,
    fill_rate,
    order_accuracy,
    otif,
    perfect_order,
    return_rate,
    survey_score,
)

Constructor = Callable[[pd.DataFrame], Any]
Rows = Callable[[Any], list[dict[str, Any]]]

DELIVERED = {"delivered_at": at(4), "qty_delivered": 10.0}
LATER = AS_OF + dt.timedelta(days=2)
RECEIVED_LATER = {"received_at": LATER, "approved_at": LATER, "promised_at": LATER}


def _stamps(values: list[dt.datetime | None]) -> pd.Series:
    return pd.Series(values, dtype="datetime64[us, UTC]")


def _errors(order_ids: list[str], found: list[dt.datetime | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "error_id": [f"E-{i}" for i in range(len(order_ids))],
            "order_id": order_ids,
            "error_type": ["damaged"] * len(order_ids),
            "staff_id": ["S-9"] * len(order_ids),
            "found_at": _stamps(found),
        }
    )


def _lines(**columns: list[Any]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base: dict[str, Any] = {
        "order_id": [f"SO-{i}" for i in range(n)],
        "line_id": ["1"] * n,
        "qty_ordered": [10.0] * n,
        "qty_shipped": [10.0] * n,
        "qty_delivered": [10.0] * n,
        "qty_returned": [0.0] * n,
        "qty_backordered": [0.0] * n,
        "received_at": _stamps([at(1)] * n),
        "promised_at": _stamps([at(5)] * n),
        "delivered_at": _stamps([at(4)] * n),
    }
    for name, values in columns.items():
        base[name] = _stamps(values) if name.endswith("_at") else values
    return pd.DataFrame(base)


def test_orders_received_after_as_of_are_not_seen_by_any_order_kpi(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(DELIVERED, {**DELIVERED, **RECEIVED_LATER}))
    errors = constructor(_errors(["SO-1"], [at(5)]))
    for result in (
        otif(frame, as_of=AS_OF),
        cycle_time(frame, as_of=AS_OF),
        perfect_order(frame, errors, as_of=AS_OF),
        order_accuracy(frame, errors, as_of=AS_OF),
    ):
        assert result.denominator == 1.0
        assert result.exclusions["not_yet_received"] == 1


def test_order_accuracy_and_perfect_order_both_ignore_errors_found_after_as_of(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(DELIVERED, DELIVERED, DELIVERED))
    errors = constructor(_errors(["SO-0", "SO-1"], [AS_OF + dt.timedelta(hours=1), None]))
    accuracy = order_accuracy(frame, errors, as_of=AS_OF)
    perfect = perfect_order(frame, errors, as_of=AS_OF)
    # the error found later is not known yet; the one without a date is taken as found
    assert (accuracy.numerator, accuracy.denominator) == (2.0, 3.0)
    assert (perfect.numerator, perfect.denominator) == (2.0, 3.0)
    later = AS_OF + dt.timedelta(days=1)
    assert order_accuracy(frame, errors, as_of=later).numerator == 1.0
    assert perfect_order(frame, errors, as_of=later).numerator == 1.0


def test_errors_by_staff_counts_only_errors_found_by_as_of(
    constructor: Constructor, as_rows: Rows
) -> None:
    frame = constructor(orders(DELIVERED, DELIVERED))
    errors = constructor(_errors(["SO-0", "SO-1"], [at(5), LATER]))
    got = as_rows(errors_by_staff(frame, errors, as_of=AS_OF))
    assert got == [{"staff_id": "S-9", "errors": 1, "orders_with_errors": 1}]


def _surveys(sent: list[dt.datetime], responded: list[dt.datetime | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "survey_id": [f"Q-{i}" for i in range(len(sent))],
            "kind": ["csat"] * len(sent),
            "sent_at": _stamps(list(sent)),
            "score": [5.0] * len(sent),
            "responded_at": _stamps(responded),
            "channel": ["web"] * (len(sent) - 1) + ["edi"],
        }
    )


def test_surveys_sent_after_as_of_are_left_out(constructor: Constructor) -> None:
    frame = constructor(_surveys([at(5), at(6), LATER], [at(6), at(7), None]))
    result = survey_score(frame, "csat", as_of=AS_OF)
    assert (result.denominator, result.details["sent"]) == (2.0, 2)
    assert result.exclusions["not_yet_sent"] == 1


def test_an_answer_given_after_as_of_is_not_an_answer_yet(constructor: Constructor) -> None:
    frame = constructor(_surveys([at(5), at(6)], [at(6), LATER]))
    result = survey_score(frame, "csat", as_of=AS_OF)
    assert (result.details["responses"], result.details["sent"]) == (1, 2)


def test_survey_score_takes_period_and_where(constructor: Constructor) -> None:
    frame = constructor(_surveys([at(5), at(6), at(7, month=4)], [None, None, None]))
    assert survey_score(frame, "csat", period="2026-03").details["sent"] == 2
    assert survey_score(frame, "csat", where={"channel": "edi"}).details["sent"] == 1


def test_fill_rate_does_not_judge_a_line_not_yet_due_as_unfilled(
    constructor: Constructor,
) -> None:
    # due and half shipped; not yet due and unshipped; not yet due and already shipped
    frame = constructor(_lines(qty_shipped=[5.0, 0.0, 10.0], promised_at=[at(5), at(25), at(25)]))
    unit = fill_rate(frame, as_of=AS_OF)
    assert (unit.numerator, unit.denominator) == (15.0, 20.0)
    assert unit.exclusions["not_yet_due"] == 1
    assert fill_rate(frame).denominator == 30.0  # without as_of every line is due


def test_order_fill_rate_waits_for_a_line_not_yet_due_unless_another_already_failed(
    constructor: Constructor,
) -> None:
    frame = _lines(
        qty_shipped=[10.0, 0.0, 4.0, 0.0],
        promised_at=[at(5), at(25), at(5), at(25)],
    )
    frame["order_id"] = ["A", "A", "B", "B"]
    frame["line_id"] = ["1", "2", "1", "2"]
    result = fill_rate(constructor(frame), kind="order", as_of=AS_OF)
    # A waits for its second line; B already failed on its first
    assert (result.numerator, result.denominator) == (0.0, 1.0)
    assert result.exclusions["not_yet_due"] == 1


def test_line_kpis_leave_out_orders_received_after_as_of(constructor: Constructor) -> None:
    frame = constructor(
        _lines(
            qty_backordered=[0.0, 3.0],
            qty_returned=[0.0, 5.0],
            received_at=[at(1), LATER],
            promised_at=[at(5), LATER],
            delivered_at=[at(4), LATER],
        )
    )
    for result in (
        fill_rate(frame, as_of=AS_OF),
        backorder_rate(frame, as_of=AS_OF),
        return_rate(frame, as_of=AS_OF),
    ):
        assert result.value == pytest.approx(0.0 if result.name != "fill_rate_unit" else 1.0)
        assert result.exclusions["not_yet_received"] == 1


def test_return_rate_leaves_out_lines_delivered_after_as_of(constructor: Constructor) -> None:
    frame = constructor(
        _lines(qty_returned=[1.0, 5.0], delivered_at=[at(4), AS_OF + dt.timedelta(hours=1)])
    )
    result = return_rate(frame, as_of=AS_OF)
    assert (result.numerator, result.denominator) == (1.0, 10.0)
    assert result.exclusions["not_yet_delivered"] == 1


def test_backorder_rate_takes_period_and_where(constructor: Constructor) -> None:
    frame = _lines(
        qty_backordered=[2.0, 0.0, 1.0], received_at=[at(1), at(2), at(1, month=4)]
    ).assign(sku=["X", "Y", "X"])
    assert backorder_rate(constructor(frame), period="2026-03").value == 0.5
    assert backorder_rate(constructor(frame), where={"sku": "X"}).value == 1.0


def test_line_kpis_given_as_of_need_the_received_at_of_the_lines(
    constructor: Constructor,
) -> None:
    frame = constructor(_lines(qty_shipped=[1.0]).drop(columns=["received_at"]))
    for kpi in (fill_rate, backorder_rate, return_rate):
        with pytest.raises(FrameSchemaError, match="missing column 'received_at'"):
            kpi(frame, as_of=AS_OF)


def test_cost_per_order_leaves_out_postings_and_orders_after_as_of(
    constructor: Constructor,
) -> None:
    costs = pd.DataFrame(
        {"cost_id": ["1", "2"], "incurred_at": _stamps([at(2), LATER]), "amount": [90.0, 10.0]}
    )
    frame = orders({}, {}, RECEIVED_LATER)
    result = cost_per_order(constructor(costs), constructor(frame), as_of=AS_OF)
    assert (result.value, result.denominator) == (45.0, 2.0)
    assert result.exclusions["costs_not_yet_incurred"] == 1
    assert result.exclusions["orders_not_yet_received"] == 1


def test_alerts_ignore_orders_received_after_as_of(constructor: Constructor, as_rows: Rows) -> None:
    frame = orders(
        {"promised_at": at(10), "shipped_at": None},
        {"received_at": LATER, "approved_at": LATER, "promised_at": at(10), "shipped_at": None},
    )
    got = alerts(constructor(frame), [PastDueNotShipped()], as_of=AS_OF)
    assert [r["order_id"] for r in as_rows(got)] == ["SO-0"]


def test_a_shipment_or_cancellation_after_as_of_has_not_happened_yet_for_alerts(
    constructor: Constructor, as_rows: Rows
) -> None:
    frame = orders(
        {"promised_at": at(10), "shipped_at": LATER},
        {"promised_at": at(10), "cancelled_at": LATER, "cancelled_by": "customer"},
        {"promised_at": at(10), "shipped_at": at(11)},
    )
    got = alerts(constructor(frame), [PastDueNotShipped()], as_of=AS_OF)
    assert [r["order_id"] for r in as_rows(got)] == ["SO-0", "SO-1"]
