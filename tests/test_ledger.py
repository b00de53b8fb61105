from __future__ import annotations

import decimal
from decimal import ROUND_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from _support import make_line
from ordercore import LedgerField, LedgerViolation, LineLedger
from ordercore.errors import AmountOutOfRange
from ordercore.ledger import Dimension, check_ledger, check_movement, combine_progress
from ordercore.status import Progress

TEN = Decimal(10)


def _moved(ledger: LineLedger, field: LedgerField, qty: int, tolerance: str = "0") -> LineLedger:
    return ledger.moved(
        field, Decimal(qty), ordered=TEN, tolerance=Decimal(tolerance), line_id="L1"
    )


def _through(*steps: tuple[LedgerField, int]) -> LineLedger:
    ledger = LineLedger()
    for field, qty in steps:
        ledger = _moved(ledger, field, qty)
    return ledger


A, P, S, D = LedgerField.ALLOCATED, LedgerField.PACKED, LedgerField.SHIPPED, LedgerField.DELIVERED


def test_cannot_allocate_more_than_the_open_quantity() -> None:
    with pytest.raises(LedgerViolation, match="allocated would become 11, more than open quantity"):
        _moved(LineLedger(), A, 11)


def test_cannot_ship_more_than_was_packed_and_allocated() -> None:
    with pytest.raises(LedgerViolation) as caught:
        _moved(_through((A, 5), (P, 5)), S, 6)
    assert (caught.value.field, caught.value.limit_name) == ("shipped", "packed")
    assert caught.value.limit == Decimal(5)


def test_cannot_deliver_more_than_was_shipped() -> None:
    with pytest.raises(LedgerViolation, match="delivered would become 4, more than shipped"):
        _moved(_through((A, 3), (P, 3), (S, 3)), D, 4)


def test_cannot_return_more_than_was_delivered() -> None:
    ledger = _through((A, 3), (P, 3), (S, 3), (D, 2))
    with pytest.raises(
        LedgerViolation, match="return_requested would become 3, more than delivered"
    ):
        _moved(ledger, LedgerField.RETURN_REQUESTED, 3)


def test_cannot_receive_a_return_that_was_not_requested() -> None:
    ledger = _through((A, 3), (P, 3), (S, 3), (D, 3))
    with pytest.raises(LedgerViolation, match="more than return_requested"):
        _moved(ledger, LedgerField.RETURNED, 1)


def test_cannot_be_paid_beyond_what_was_invoiced() -> None:
    with pytest.raises(LedgerViolation, match="paid would become 1, more than invoiced"):
        _moved(LineLedger(), LedgerField.PAID, 1)


def test_over_delivery_is_allowed_only_within_the_explicit_tolerance() -> None:
    ledger = LineLedger()
    for field in (A, P, S, D):
        ledger = _moved(ledger, field, 11, tolerance="0.1")
    assert ledger.delivered == Decimal(11)
    with pytest.raises(LedgerViolation, match="open quantity \\+ 10"):
        _moved(ledger, A, 1, tolerance="0.1")


def test_negative_movement_reverses_but_not_below_zero() -> None:
    ledger = _moved(_moved(LineLedger(), A, 5), A, -5)
    assert ledger.allocated == 0
    with pytest.raises(LedgerViolation, match="below zero"):
        _moved(ledger, A, -1)


def test_reversing_an_allocation_below_what_was_packed_is_refused() -> None:
    with pytest.raises(LedgerViolation, match="packed would become 5, more than allocated"):
        _moved(_through((A, 5), (P, 5)), A, -1)


def test_cancelling_more_than_ordered_is_refused() -> None:
    with pytest.raises(LedgerViolation, match="cancelled would become 11, more than ordered"):
        _moved(LineLedger(), LedgerField.CANCELLED, 11)


def test_cancelling_below_what_is_allocated_is_refused() -> None:
    with pytest.raises(LedgerViolation, match="allocated"):
        _moved(_through((A, 8)), LedgerField.CANCELLED, 3)


def test_a_failed_movement_leaves_the_ledger_unchanged() -> None:
    ledger = _through((A, 5))
    with pytest.raises(LedgerViolation):
        _moved(ledger, P, 6)
    assert ledger.packed == 0


def test_float_movement_is_refused() -> None:
    with pytest.raises(TypeError, match="finite Decimal"):
        LineLedger().moved(A, 1.0, ordered=TEN)  # type: ignore[arg-type]


def test_line_movement_names_the_line() -> None:
    with pytest.raises(LedgerViolation, match=r"^line 7:"):
        make_line("7").with_movement(LedgerField.SHIPPED, Decimal(1))


def test_check_ledger_accepts_a_consistent_ledger() -> None:
    check_ledger(_through((A, 10), (P, 10), (S, 10), (D, 10)), ordered=TEN)


@pytest.mark.parametrize(
    ("progresses", "expected"),
    [
        ([Progress.FULL, Progress.FULL], Progress.FULL),
        ([Progress.NONE, Progress.NONE], Progress.NONE),
        ([Progress.FULL, Progress.NONE], Progress.PARTIAL),
        ([Progress.FULL, None], Progress.FULL),
        ([None, None], Progress.NONE),
        ([], Progress.NONE),
    ],
)
def test_combined_progress(progresses: list[Progress | None], expected: Progress) -> None:
    assert combine_progress(progresses) is expected


def test_returns_progress_is_measured_against_delivered_quantity() -> None:
    ledger = _through((A, 10), (P, 10), (S, 10), (D, 4), (LedgerField.RETURN_REQUESTED, 4))
    ledger = _moved(ledger, LedgerField.RETURNED, 4)
    line = make_line(quantity=TEN, ledger=ledger)
    assert line.progress(Dimension.RETURNS) is Progress.FULL
    assert line.progress(Dimension.FULFILMENT) is Progress.PARTIAL


@given(
    moves=st.lists(
        st.tuples(st.sampled_from(list(LedgerField)), st.integers(min_value=-4, max_value=6)),
        max_size=40,
    ),
    tolerance=st.sampled_from(["0", "0.1", "0.5"]),
)
def test_the_targeted_movement_check_agrees_with_the_full_check(
    moves: list[tuple[LedgerField, int]], tolerance: str
) -> None:
    ledger = LineLedger()
    for field, delta in moves:
        values = ledger.__dict__.copy()
        values[field.value] += Decimal(delta)
        candidate = LineLedger.model_construct(**values)
        try:
            check_ledger(candidate, ordered=TEN, tolerance=Decimal(tolerance))
        except LedgerViolation:
            full_ok = False
        else:
            full_ok = True
        try:
            check_movement(candidate, field.value, ordered=TEN, tolerance=Decimal(tolerance))
        except LedgerViolation:
            targeted_ok = False
        else:
            targeted_ok = True
        assert targeted_ok == full_ok, (field, delta, ledger)
        if full_ok:
            ledger = candidate


# ----------------------------------------------------- exact, whatever the decimal context


def test_a_movement_is_added_exactly_under_a_low_precision_context() -> None:
    ordered = Decimal(200000)
    ledger = LineLedger().moved(LedgerField.ALLOCATED, Decimal("123456.5"), ordered=ordered)
    with decimal.localcontext(prec=3, rounding=ROUND_UP):
        ledger = ledger.moved(LedgerField.ALLOCATED, Decimal("0.000001"), ordered=ordered)
    assert ledger.allocated == Decimal("123456.500001")


def test_the_tolerance_ceiling_is_exact_under_a_low_precision_context() -> None:
    # open 1234.5 × 1.1 = 1357.95 exactly; prec=3 would make it 1.36E+3 and let 1358 through
    ordered, tolerance = Decimal("1234.5"), Decimal("0.1")
    with decimal.localcontext(prec=3, rounding=ROUND_UP):
        at_ceiling = LineLedger().moved(
            LedgerField.ALLOCATED, Decimal("1357.95"), ordered=ordered, tolerance=tolerance
        )
        with pytest.raises(LedgerViolation, match=r"1357\.95\)"):
            at_ceiling.moved(
                LedgerField.ALLOCATED, Decimal("0.05"), ordered=ordered, tolerance=tolerance
            )


def test_check_ledger_uses_the_exact_ceiling_under_a_low_precision_context() -> None:
    ledger = LineLedger(allocated=Decimal("1357.96"))
    with (
        decimal.localcontext(prec=3, rounding=ROUND_UP),
        pytest.raises(LedgerViolation, match="more than open quantity"),
    ):
        check_ledger(ledger, ordered=Decimal("1234.5"), tolerance=Decimal("0.1"))


def test_ledger_checks_raise_no_decimal_signal_with_every_trap_enabled() -> None:
    context = decimal.Context()
    for signal in (decimal.Inexact, decimal.Rounded, decimal.Subnormal, decimal.Underflow):
        context.traps[signal] = True
    with decimal.localcontext(context):
        ledger = LineLedger().moved(
            LedgerField.ALLOCATED,
            Decimal("1357.95"),
            ordered=Decimal("1234.5"),
            tolerance=Decimal("0.1"),
        )
        check_ledger(ledger, ordered=Decimal("1234.5"), tolerance=Decimal("0.1"))
    assert ledger.allocated == Decimal("1357.95")


# -------------------------------------------------------------- quantities that fit


@pytest.mark.parametrize(
    ("delta", "problem"),
    [
        pytest.param(Decimal("0.0000001"), "more than 6 decimal places", id="7 places"),
        pytest.param(Decimal("1E-1000000"), "more than 6 decimal places", id="tiny"),
        pytest.param(Decimal("1000000000.000001"), "beyond the limit", id="above max"),
        pytest.param(Decimal("-1E+999999"), "beyond the limit", id="huge negative"),
    ],
)
def test_a_movement_no_quantity_can_hold_raises_amount_out_of_range(
    delta: Decimal, problem: str
) -> None:
    ledger = LineLedger()
    with pytest.raises(AmountOutOfRange, match=problem) as caught:
        ledger.moved(LedgerField.ALLOCATED, delta, ordered=TEN, line_id="L1")
    assert "move allocated of line L1" in str(caught.value)
    assert ledger == LineLedger()


def test_a_movement_with_trailing_zeros_beyond_six_places_is_accepted() -> None:
    ledger = LineLedger().moved(LedgerField.ALLOCATED, Decimal("1.000000000"), ordered=TEN)
    assert ledger.allocated == 1


@pytest.mark.parametrize("text", ["-0", "-0.000", "-0E+3"])
def test_a_negative_zero_quantity_is_kept_as_zero(text: str) -> None:
    from_python = LineLedger(allocated=Decimal(text)).allocated
    from_json = LineLedger.model_validate_json(f'{{"allocated": "{text}"}}').allocated
    assert [(str(q), q.is_signed()) for q in (from_python, from_json)] == [
        (str(Decimal(text).copy_abs()), False)
    ] * 2
