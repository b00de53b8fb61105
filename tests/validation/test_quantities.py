from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from _validation_support import codes, good_order, make_context, make_line, product
from ordercore import LineLedger, Order
from ordercore.validation.quantities import (
    maximum_quantity,
    minimum_order_quantity,
    pack_multiple,
    positive_quantities,
)

if TYPE_CHECKING:
    from ordercore.context import ReviewContext


def _context_with(**limits: Decimal) -> ReviewContext:
    return make_context(products={"BOLT-M8": product("BOLT-M8", **limits)})


def _one_line(quantity: Decimal) -> Order:
    return good_order(lines=[make_line("1", quantity=quantity)])


def test_positive_quantities_pass_for_ordinary_lines() -> None:
    assert positive_quantities()(good_order(), make_context()) == []


def test_a_line_with_zero_quantity_built_without_validation_fails() -> None:
    line = make_line("1").model_copy(update={"quantity": Decimal(0)})
    order = good_order().model_copy(update={"lines": (line,)})
    issues = positive_quantities()(order, make_context())
    assert codes(issues) == ["quantity.not_positive"]
    assert issues[0].path == "lines[0].quantity"


def test_an_order_whose_every_line_is_cancelled_has_nothing_open() -> None:
    cancelled = make_line("1", ledger=LineLedger(cancelled=Decimal(10)))
    assert codes(positive_quantities()(good_order(lines=[cancelled]), make_context())) == [
        "quantity.nothing_open"
    ]


def test_one_cancelled_line_beside_an_open_one_is_fine() -> None:
    cancelled = make_line("1", ledger=LineLedger(cancelled=Decimal(10)))
    order = good_order(lines=[cancelled, make_line("2")])
    assert positive_quantities()(order, make_context()) == []


def test_below_moq_fails_with_the_line_path() -> None:
    issues = minimum_order_quantity()(_one_line(Decimal(9)), _context_with(moq=Decimal(10)))
    assert [(i.code, i.path, i.observed, i.expected) for i in issues] == [
        ("quantity.below_moq", "lines[0].quantity", Decimal(9), Decimal(10))
    ]


def test_exactly_the_moq_passes() -> None:
    assert minimum_order_quantity()(_one_line(Decimal(10)), _context_with(moq=Decimal(10))) == []


def test_a_product_without_moq_is_not_checked() -> None:
    assert minimum_order_quantity()(_one_line(Decimal(1)), _context_with()) == []


def test_an_unknown_product_is_skipped_by_the_moq_rule() -> None:
    order = good_order(lines=[make_line("1", sku="GHOST", quantity=Decimal(1))])
    assert minimum_order_quantity()(order, _context_with(moq=Decimal(10))) == []


def test_a_quantity_off_the_pack_multiple_fails() -> None:
    issues = pack_multiple()(_one_line(Decimal(30)), _context_with(pack_multiple=Decimal(25)))
    assert codes(issues) == ["quantity.not_pack_multiple"]


def test_whole_packs_pass() -> None:
    assert pack_multiple()(_one_line(Decimal(50)), _context_with(pack_multiple=Decimal(25))) == []


def test_fractional_pack_sizes_are_compared_exactly() -> None:
    context = _context_with(pack_multiple=Decimal("0.5"))
    assert pack_multiple()(_one_line(Decimal("2.5")), context) == []


def test_fractional_pack_remainder_fails() -> None:
    context = _context_with(pack_multiple=Decimal("0.5"))
    assert codes(pack_multiple()(_one_line(Decimal("2.4")), context)) == [
        "quantity.not_pack_multiple"
    ]


def test_above_the_maximum_fails() -> None:
    issues = maximum_quantity()(_one_line(Decimal(101)), _context_with(max_quantity=Decimal(100)))
    assert codes(issues) == ["quantity.above_max"]


def test_exactly_the_maximum_passes() -> None:
    assert (
        maximum_quantity()(_one_line(Decimal(100)), _context_with(max_quantity=Decimal(100))) == []
    )


def test_every_failing_line_is_reported() -> None:
    order = good_order(
        lines=[make_line("1", quantity=Decimal(5)), make_line("2", quantity=Decimal(6))]
    )
    issues = minimum_order_quantity()(order, _context_with(moq=Decimal(10)))
    assert [i.path for i in issues] == ["lines[0].quantity", "lines[1].quantity"]


def test_the_moq_message_names_line_and_sku_in_both_languages() -> None:
    issue = minimum_order_quantity()(_one_line(Decimal(9)), _context_with(moq=Decimal(10)))[0]
    assert "BOLT-M8" in issue.message_en
    assert "最小起订量" in issue.message_zh
