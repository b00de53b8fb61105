"""Refuse, don't guess: frames a KPI cannot use are refused, rows it cannot judge are counted.

Each test pins one defect class: a missing column filled with a default, a code outside its
vocabulary, a null where a value is required, a duplicated key, a NaN quantity, a missing or
reversed timestamp, an error about an unknown order. Every case runs on pandas, polars (eager
and lazy) and DuckDB.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

import pandas as pd
import polars as pl
import pytest

from _kpi_support import AS_OF, at, orders
from ordercore.errors import FrameProblem, FrameSchemaError, InvalidArgument
from ordercore.kpi import (
    PastDueNotShipped,
    alerts,
    backorder_rate,
    check_frame,
    cost_per_order,
    cycle_time,
    fill_rate,
    order_accuracy,
    otif,
    perfect_order,
    return_rate,
    survey_score,
)

Constructor = Callable[[pd.DataFrame], Any]

DELIVERED = {"delivered_at": at(4), "qty_delivered": 10.0}


def _errors(order_ids: list[str], types: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "error_id": [f"E-{i}" for i in range(len(order_ids))],
            "order_id": order_ids,
            "error_type": types,
        }
    )


def _surveys(**columns: list[Any]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base: dict[str, Any] = {
        "survey_id": [f"Q-{i}" for i in range(n)],
        "kind": ["csat"] * n,
        "sent_at": pd.Series([at(6)] * n).dt.as_unit("us"),
        "score": [5.0] * n,
    }
    return pd.DataFrame({**base, **columns})


def _lines(**columns: list[Any]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base: dict[str, Any] = {
        "order_id": [f"SO-{i}" for i in range(n)],
        "line_id": ["1"] * n,
        "qty_ordered": [10.0] * n,
        "qty_cancelled": [0.0] * n,
        "qty_shipped": [10.0] * n,
        "qty_delivered": [10.0] * n,
        "qty_returned": [0.0] * n,
        "qty_backordered": [0.0] * n,
    }
    return pd.DataFrame({**base, **columns})


def _refused(call: Callable[[], object]) -> FrameSchemaError:
    with pytest.raises(FrameSchemaError) as caught:
        call()
    return caught.value


# -- missing columns are refused, not filled with a default


def test_otif_without_qty_delivered_is_refused_rather_than_read_as_one_unit(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(DELIVERED).drop(columns=["qty_delivered"]))
    error = _refused(lambda: otif(frame, as_of=AS_OF))
    assert error.frame == "orders"
    assert error.columns == ("qty_delivered",)
    assert "missing column 'qty_delivered'" in error.problems[0]


def test_otif_without_qty_ordered_is_refused(constructor: Constructor) -> None:
    frame = constructor(orders(DELIVERED).drop(columns=["qty_ordered"]))
    assert _refused(lambda: otif(frame, as_of=AS_OF)).columns == ("qty_ordered",)


def test_cancellations_without_a_cancelled_by_column_are_refused_by_otif(
    constructor: Constructor,
) -> None:
    frame = constructor(orders({"cancelled_at": at(2)}).drop(columns=["cancelled_by"]))
    error = _refused(lambda: otif(frame, as_of=AS_OF))
    assert error.columns == ("cancelled_by",)
    assert "cancelled_at is present" in error.problems[0]


def test_the_defaults_otif_applies_for_absent_columns_are_named_in_the_details(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(DELIVERED).drop(columns=["cancelled_at", "cancelled_by"]))
    assert otif(frame, as_of=AS_OF).details["defaults"] == {
        "cancelled_at": "absent: no row was cancelled"
    }


def test_fill_rate_without_as_of_says_it_read_every_line_as_due(constructor: Constructor) -> None:
    frame = constructor(_lines(qty_shipped=[10.0]).drop(columns=["qty_cancelled"]))
    defaults = fill_rate(frame).details["defaults"]
    assert set(defaults) == {"qty_cancelled", "as_of"}  # type: ignore[call-overload]


# -- one reading of cancelled_by: customer or seller, set on every cancelled row


def test_a_cancelled_order_without_cancelled_by_is_refused_by_every_order_kpi(
    constructor: Constructor,
) -> None:
    frame = constructor(orders({"cancelled_at": at(2)}, DELIVERED))
    for kpi in (
        lambda: otif(frame, as_of=AS_OF),
        lambda: cycle_time(frame, as_of=AS_OF),
        lambda: perfect_order(frame, as_of=AS_OF),
        lambda: alerts(frame, [PastDueNotShipped()], as_of=AS_OF),
    ):
        error = _refused(kpi)
        assert error.problems == (
            "cancelled_by: 1 null value(s) where cancelled_at is set, e.g. order_id=SO-0",
        )


def test_a_capitalised_cancelled_by_is_refused_naming_the_value(constructor: Constructor) -> None:
    frame = constructor(orders({"cancelled_at": at(2), "cancelled_by": "Customer"}))
    error = _refused(lambda: otif(frame, as_of=AS_OF))
    problem = error.details[0]
    assert (problem.column, problem.count) == ("cancelled_by", 1)
    assert problem.examples == ({"order_id": "SO-0", "cancelled_by": "Customer"},)
    assert str(problem) == (
        "cancelled_by: 1 value(s) outside customer, seller, "
        "e.g. order_id=SO-0 (cancelled_by='Customer')"
    )


def test_an_unknown_channel_is_refused(constructor: Constructor) -> None:
    frame = constructor(orders(DELIVERED, {**DELIVERED, "channel": "Web"}))
    assert _refused(lambda: cycle_time(frame, as_of=AS_OF)).columns == ("channel",)


def test_an_unknown_survey_kind_is_refused(constructor: Constructor) -> None:
    frame = constructor(_surveys(kind=["csat", "CSAT"]))
    error = _refused(lambda: survey_score(frame, "csat"))
    assert error.frame == "surveys"
    assert error.details[0].examples == ({"survey_id": "Q-1", "kind": "CSAT"},)


def test_an_unknown_error_type_is_refused(constructor: Constructor) -> None:
    frame = constructor(orders(DELIVERED))
    errors = constructor(_errors(["SO-0"], ["late_invoice"]))
    error = _refused(lambda: order_accuracy(frame, errors, as_of=AS_OF))
    assert (error.frame, error.columns) == ("errors", ("error_type",))


def test_a_null_order_id_is_refused(constructor: Constructor) -> None:
    frame = orders(DELIVERED, DELIVERED)
    frame.loc[1, "order_id"] = None
    error = _refused(lambda: otif(constructor(frame), as_of=AS_OF))
    assert error.details[0].problem == "null value(s)"
    assert error.columns == ("order_id",)


# -- duplicated keys are refused, or excluded and counted when asked


def test_duplicate_orders_are_refused_by_every_order_kpi(constructor: Constructor) -> None:
    raw = orders(DELIVERED, DELIVERED, DELIVERED)
    raw.loc[1, "order_id"] = "SO-0"
    frame = constructor(raw)
    errors = constructor(_errors(["SO-0"], ["damaged"]))
    costs = constructor(
        pd.DataFrame({"cost_id": ["K"], "incurred_at": [at(2)], "amount": [1.0]}).astype(
            {"incurred_at": "datetime64[us, UTC]"}
        )
    )
    for kpi in (
        lambda: otif(frame, as_of=AS_OF),
        lambda: cycle_time(frame, as_of=AS_OF),
        lambda: perfect_order(frame, errors, as_of=AS_OF),
        lambda: order_accuracy(frame, errors, as_of=AS_OF),
        lambda: cost_per_order(costs, frame),
        lambda: alerts(frame, [PastDueNotShipped()], as_of=AS_OF),
    ):
        problem = _refused(kpi).details[-1]
        assert (problem.column, problem.count) == ("order_id", 1)
        assert problem.examples == ({"order_id": "SO-0", "_rows": 2},)


def test_duplicate_lines_are_refused_by_the_line_kpis(constructor: Constructor) -> None:
    raw = _lines(qty_shipped=[10.0, 10.0, 4.0]).assign(
        promised_at=pd.Series([at(5)] * 3).dt.as_unit("us"),
        delivered_at=pd.Series([at(4)] * 3).dt.as_unit("us"),
    )
    raw.loc[1, "order_id"] = "SO-0"
    frame = constructor(raw)
    for kpi in (
        lambda: fill_rate(frame),
        lambda: backorder_rate(frame),
        lambda: return_rate(frame),
        lambda: otif(frame, "line_commit", as_of=AS_OF),
    ):
        problem = _refused(kpi).details[-1]
        assert problem.column == "order_id, line_id"
        assert problem.message.startswith("duplicate key (order_id, line_id): 1 row(s)")


def test_duplicates_can_be_excluded_and_counted_instead(constructor: Constructor) -> None:
    raw = orders(DELIVERED, DELIVERED, {**DELIVERED, "delivered_at": at(9)})
    raw.loc[1, "order_id"] = "SO-0"
    result = otif(constructor(raw), as_of=AS_OF, duplicates="exclude")
    assert (result.numerator, result.denominator) == (0.0, 1.0)
    assert result.exclusions["duplicate_key"] == 2


def test_an_unknown_duplicates_choice_is_refused(constructor: Constructor) -> None:
    with pytest.raises(InvalidArgument, match="duplicates"):
        otif(constructor(orders(DELIVERED)), as_of=AS_OF, duplicates="keep_first")  # type: ignore[arg-type]


# -- rows that cannot be judged are excluded and counted, never scored


def test_a_nan_delivered_quantity_is_excluded_rather_than_failed(constructor: Constructor) -> None:
    frame = constructor(orders(DELIVERED, {**DELIVERED, "qty_delivered": float("nan")}))
    result = otif(frame, as_of=AS_OF)
    assert (result.numerator, result.denominator) == (1.0, 1.0)
    assert result.exclusions["invalid_quantity"] == 1


def test_a_nan_that_is_not_null_is_excluded_on_polars_too() -> None:
    frame = pl.from_pandas(orders(DELIVERED, DELIVERED)).with_columns(
        qty_delivered=pl.Series([10.0, float("nan")])
    )
    assert frame["qty_delivered"].null_count() == 0
    for native in (frame, frame.lazy()):
        assert otif(native, as_of=AS_OF).exclusions["invalid_quantity"] == 1


def test_an_open_order_needs_no_delivered_quantity(constructor: Constructor) -> None:
    frame = constructor(orders({"promised_at": at(25), "qty_delivered": float("nan")}))
    result = otif(frame, as_of=AS_OF)
    assert result.exclusions["not_yet_due"] == 1
    assert result.exclusions["invalid_quantity"] == 0


def test_a_missing_received_at_is_excluded_and_counted(constructor: Constructor) -> None:
    frame = constructor(orders(DELIVERED, {**DELIVERED, "received_at": None}))
    for result in (otif(frame, as_of=AS_OF), cycle_time(frame, as_of=AS_OF)):
        assert result.denominator == 1.0
        assert result.exclusions["missing_received_at"] == 1


def test_delivered_before_received_never_reaches_the_mean_cycle_time(
    constructor: Constructor,
) -> None:
    frame = constructor(orders(DELIVERED, {**DELIVERED, "delivered_at": at(1, 1)}))
    result = cycle_time(frame, as_of=AS_OF)
    assert (result.value, result.denominator) == (72.0, 1.0)
    assert result.exclusions["reversed_timestamps"] == 1


def test_more_hold_than_cycle_time_is_excluded_from_net_cycle_time(
    constructor: Constructor,
) -> None:
    frame = constructor(
        orders({**DELIVERED, "hold_hours": 6.0}, {**DELIVERED, "hold_hours": 100.0})
    )
    result = cycle_time(frame, as_of=AS_OF, net=True)
    assert (result.value, result.exclusions["invalid_hold_hours"]) == (66.0, 1)


def test_errors_about_unknown_orders_are_counted_not_lost(constructor: Constructor) -> None:
    frame = constructor(orders(DELIVERED, DELIVERED))
    errors = constructor(_errors(["SO-0", "SO-9", "SO-9"], ["damaged", "pricing", "damaged"]))
    for result in (
        perfect_order(frame, errors, as_of=AS_OF),
        order_accuracy(frame, errors, as_of=AS_OF),
    ):
        assert result.exclusions["unknown_order"] == 2
        assert result.numerator == 1.0


def test_surveys_about_unknown_orders_are_left_out_given_the_orders(
    constructor: Constructor,
) -> None:
    surveys = constructor(_surveys(order_id=["SO-0", "SO-7"], score=[5.0, 1.0]))
    result = survey_score(surveys, "csat", orders=constructor(orders(DELIVERED)))
    assert (result.value, result.exclusions["unknown_order"]) == (1.0, 1)


def test_a_line_that_returned_more_than_was_delivered_is_excluded(
    constructor: Constructor,
) -> None:
    frame = constructor(_lines(qty_returned=[1.0, 20.0]))
    result = return_rate(frame)
    assert (result.numerator, result.denominator) == (1.0, 10.0)
    assert result.exclusions["invalid_quantity"] == 1


def test_a_nan_shipped_quantity_is_excluded_from_fill_rates(constructor: Constructor) -> None:
    frame = constructor(_lines(qty_shipped=[10.0, float("nan")]))
    kinds: tuple[Literal["unit", "line", "order"], ...] = ("unit", "line", "order")
    for kind in kinds:
        result = fill_rate(frame, kind=kind)
        assert (result.value, result.exclusions["invalid_quantity"]) == (1.0, 1)


def test_a_cost_posting_without_an_amount_is_excluded(constructor: Constructor) -> None:
    costs = pd.DataFrame(
        {
            "cost_id": ["1", "2"],
            "incurred_at": pd.Series([at(2), at(2)]).dt.as_unit("us"),
            "amount": [100.0, None],
        }
    )
    result = cost_per_order(constructor(costs), constructor(orders({})))
    assert (result.value, result.exclusions["costs_invalid_amount"]) == (100.0, 1)


# -- filters that can match nothing by construction are refused


@pytest.mark.parametrize(
    ("where", "problem"),
    [
        ({"owner_id": None}, "matches no row"),
        ({"channel": "Web"}, "is not one of"),
        ({"qty_ordered": "10"}, "is not a float"),
    ],
)
def test_a_where_filter_that_cannot_match_is_refused(
    constructor: Constructor, where: dict[str, object], problem: str
) -> None:
    with pytest.raises(InvalidArgument, match=problem):
        otif(constructor(orders(DELIVERED)), as_of=AS_OF, where=where)


# -- check_frame reports every problem at once


def test_check_frame_reports_nulls_in_required_columns(constructor: Constructor) -> None:
    frame = orders(DELIVERED, DELIVERED)
    frame.loc[1, "customer_id"] = None
    frame.loc[1, "received_at"] = pd.NaT
    with pytest.raises(FrameSchemaError) as caught:
        check_frame(constructor(frame), "orders")
    assert caught.value.problems == (
        "customer_id: 1 null value(s), e.g. order_id=SO-1",
        "received_at: 1 null value(s), e.g. order_id=SO-1",
    )


def test_check_frame_reports_codes_nans_and_unknown_orders_together(
    constructor: Constructor,
) -> None:
    errors = pd.DataFrame(
        {
            "error_id": ["E-1", "E-2", "E-3"],
            "order_id": ["SO-0", "SO-5", "SO-0"],
            "error_type": ["damaged", "late", None],
        }
    )
    with pytest.raises(FrameSchemaError) as caught:
        check_frame(constructor(errors), "errors", orders=constructor(orders({})))
    assert caught.value.problems == (
        "error_type: 1 null value(s), e.g. error_id=E-3",
        (
            "error_type: 1 value(s) outside wrong_item, wrong_quantity, missing_item, "
            "wrong_address, documentation, pricing, damaged, e.g. error_id=E-2 (error_type='late')"
        ),
        "order_id: 1 row(s) about orders not in the orders frame, e.g. error_id=E-2, order_id=SO-5",
    )
    assert all(isinstance(p, FrameProblem) for p in caught.value.details)


def test_check_frame_reports_nan_and_infinite_quantities(constructor: Constructor) -> None:
    frame = _lines(qty_shipped=[10.0, float("inf")])
    with pytest.raises(FrameSchemaError, match=r"qty_shipped: 1 NaN or infinite value\(s\)"):
        check_frame(constructor(frame), "lines")


def test_a_delivered_order_must_say_how_much_arrived_for_check_frame(
    constructor: Constructor,
) -> None:
    frame = orders({**DELIVERED, "qty_delivered": float("nan")}, {"qty_delivered": float("nan")})
    with pytest.raises(FrameSchemaError) as caught:
        check_frame(constructor(frame), "orders")
    assert caught.value.problems == (
        "qty_delivered: 1 null value(s) where delivered_at is set, e.g. order_id=SO-0",
    )


def test_a_clean_frame_passes_check_frame_unchanged(constructor: Constructor) -> None:
    frame = constructor(orders(DELIVERED, {"cancelled_at": at(2), "cancelled_by": "seller"}))
    assert check_frame(frame, "orders") is frame


def test_received_after_as_of_is_not_a_frame_problem() -> None:
    later = AS_OF + dt.timedelta(days=1)
    frame = orders({"received_at": later, "approved_at": later, "promised_at": later})
    assert check_frame(frame, "orders") is frame


def test_a_nan_delivered_quantity_is_excluded_from_cycle_time_even_where_nan_compares_high() -> (
    None
):
    # polars orders NaN above every number: it must not make a delivery complete
    frame = pl.from_pandas(orders(DELIVERED, DELIVERED)).with_columns(
        qty_delivered=pl.Series([10.0, float("nan")])
    )
    for native in (frame, frame.lazy(), frame.to_pandas()):
        result = cycle_time(native, as_of=AS_OF)
        assert (result.denominator, result.exclusions["invalid_quantity"]) == (1.0, 1)
        assert result.details["censored"] == 0
