from __future__ import annotations

from _validation_support import codes, good_order, make_context, make_line, product
from ordercore.validation.products import product_known, product_sellable, uom_matches_product


def test_known_products_pass() -> None:
    assert product_known()(good_order(), make_context()) == []


def test_an_unknown_sku_fails_once_with_its_path() -> None:
    order = good_order(lines=[make_line("1"), make_line("2", sku="GHOST")])
    issues = product_known()(order, make_context())
    assert [(i.code, i.path, i.observed) for i in issues] == [
        ("product.unknown", "lines[1].sku", "GHOST")
    ]


def test_an_unsellable_product_fails() -> None:
    context = make_context(products={"BOLT-M8": product("BOLT-M8", sellable=False)})
    order = good_order(lines=[make_line("1")])
    assert codes(product_sellable()(order, context)) == ["product.not_sellable"]


def test_sellable_products_pass() -> None:
    assert product_sellable()(good_order(), make_context()) == []


def test_a_different_unit_of_measure_fails() -> None:
    order = good_order(lines=[make_line("1", uom="kg")])
    issues = uom_matches_product()(order, make_context())
    assert [(i.code, i.observed, i.expected) for i in issues] == [
        ("product.uom_mismatch", "kg", "pcs")
    ]


def test_units_are_compared_case_sensitively() -> None:
    order = good_order(lines=[make_line("1", uom="PCS")])
    assert codes(uom_matches_product()(order, make_context())) == ["product.uom_mismatch"]


def test_the_matching_unit_passes() -> None:
    assert uom_matches_product()(good_order(), make_context()) == []


def test_unknown_products_are_left_to_product_known() -> None:
    order = good_order(lines=[make_line("1", sku="GHOST", uom="kg")])
    assert uom_matches_product()(order, make_context()) == []
