"""Per-context precomputation: it lives with its context and never changes a verdict."""

from __future__ import annotations

import gc
import weakref
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING

from hypothesis import given
from hypothesis import strategies as st

from ordercore import Money, Order
from ordercore.context import ReviewContext
from ordercore.testing.factories import make_order, make_review_context
from ordercore.testing.strategies import orders, review_contexts
from ordercore.validation import review, review_many
from ordercore.validation._prepared import order_facts, prepared

if TYPE_CHECKING:
    from collections.abc import Iterator

# Generated orders (any customer, SKUs the factory context does not know) and factory orders
# (the context's customer, products and prices) between them reach every default rule.
ANY_ORDER = st.one_of(orders(), st.integers(0, 10**6).map(lambda seed: make_order(seed=seed)))
LIMITS = st.integers(0, 200_000).map(lambda amount: Money.of(Decimal(amount), "CNY"))


def _rebuilt(context: ReviewContext) -> ReviewContext:
    """An equal context that was never reviewed: nothing precomputed."""
    return ReviewContext.model_validate_json(context.model_dump_json())


def _with_limit(context: ReviewContext, limit: Money) -> ReviewContext:
    customers = {
        key: profile.model_copy(update={"credit_limit": limit})
        for key, profile in context.customers.items()
    }
    return context.model_copy(update={"customers": customers})


def _with_price(context: ReviewContext, sku: str, price: Money) -> ReviewContext:
    assert context.price_list is not None
    prices = {**context.price_list.prices, sku: price}
    return context.model_copy(
        update={"price_list": context.price_list.model_copy(update={"prices": prices})}
    )


@contextmanager
def _collector_off() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@given(review_contexts(), ANY_ORDER)
def test_a_review_from_the_precomputation_equals_a_fresh_review(
    context: ReviewContext, order: Order
) -> None:
    first = review(order, context)
    again = review(order, context)  # everything per context is precomputed by now
    assert first == again == review(order, _rebuilt(context))


@given(review_contexts(), ANY_ORDER, LIMITS)
def test_a_context_rebuilt_with_another_credit_limit_reviews_like_a_fresh_one(
    context: ReviewContext, order: Order, limit: Money
) -> None:
    review(order, context)
    changed = _with_limit(context, limit)
    assert review(order, changed) == review(order, _rebuilt(changed))


@given(review_contexts(), ANY_ORDER, st.sampled_from(["0.01", "0.85", "99.00"]))
def test_a_context_rebuilt_with_another_price_reviews_like_a_fresh_one(
    context: ReviewContext, order: Order, price: str
) -> None:
    review(order, context)
    changed = _with_price(context, order.lines[0].sku, Money.of(price, "CNY"))
    assert review(order, changed) == review(order, _rebuilt(changed))


def test_a_context_rebuilt_with_a_lower_credit_limit_gives_the_new_verdict() -> None:
    context, order = make_review_context(), make_order()
    assert review(order, context).passed
    lower = _with_limit(context, Money.of("10", "CNY"))
    assert "credit.limit_exceeded" in review(order, lower).codes


def test_a_context_rebuilt_with_another_price_gives_the_new_verdict() -> None:
    context, order = make_review_context(), make_order()
    assert review(order, context).passed
    cheaper = _with_price(context, order.lines[0].sku, Money.of("0.01", "CNY"))
    assert "price.off_list" in review(order, cheaper).codes


def test_contexts_made_one_after_another_each_give_their_own_verdict() -> None:
    order = make_order()
    for round_ in range(20):  # a dropped context's memory (and id) is soon reused
        limit = "10" if round_ % 2 else "100000"
        context = _with_limit(make_review_context(), Money.of(limit, "CNY"))
        assert review(order, context).passed is (limit == "100000")
        del context


def test_a_context_is_freed_once_the_caller_drops_it() -> None:
    context = make_review_context(recent_orders=(make_order("SO-0"),))
    ref = weakref.ref(context)
    review(make_order(), context)
    review_many([make_order("SO-2"), make_order("SO-3")], context)
    del context
    gc.collect()
    assert ref() is None


def test_a_context_is_freed_without_waiting_for_the_garbage_collector() -> None:
    context = make_review_context(recent_orders=(make_order("SO-0"),))
    ref = weakref.ref(context)
    with _collector_off():
        review(make_order(), context)
        del context
        assert ref() is None


def test_the_precomputation_is_made_once_per_context() -> None:
    context = make_review_context()
    assert prepared(context) is prepared(context)


def test_equal_contexts_each_have_their_own_precomputation() -> None:
    first, second = make_review_context(), make_review_context()
    assert first == second
    assert prepared(first) is not prepared(second)


def test_one_order_against_two_contexts_gets_each_contexts_line_facts() -> None:
    order, context = make_order(), make_review_context()
    cheaper = _with_price(context, order.lines[0].sku, Money.of("0.01", "CNY"))
    assert "price" not in order_facts(order, context).failures
    assert order_facts(order, cheaper).failures["price"] == [0]
    assert "price" not in order_facts(order, context).failures


def test_the_line_facts_are_shared_by_the_rules_of_one_review() -> None:
    order, context = make_order(), make_review_context()
    assert order_facts(order, context) is order_facts(order, context)


def test_reviews_racing_on_a_fresh_context_give_the_verdicts_of_one_thread() -> None:
    orders_ = [make_order(f"SO-{n}", seed=n) for n in range(40)]
    expected = review_many(orders_, make_review_context())
    for _ in range(5):
        context = make_review_context()  # nothing precomputed yet: the threads race for it
        with ThreadPoolExecutor(max_workers=4) as pool:
            found = list(pool.map(review, orders_, [context] * len(orders_)))
        assert found == expected
