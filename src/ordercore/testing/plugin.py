"""An opt-in pytest plugin with fixtures for code that handles orders.

Enable it in your own `conftest.py` (root conftest only, as pytest requires):

```python
pytest_plugins = ["ordercore.testing.plugin"]
```

It is deliberately not an auto-loaded entry point: an entry point would import ordercore
into every pytest run of every environment where ordercore is installed.

Every fixture's name starts with ``ordercore_``, so none collides with a project's own
fixtures or with other plugins' (pytest-factoryboy registers ``order_factory`` for an
``OrderFactory``, for example). Loading the plugin also registers the hypothesis strategies
of `ordercore.testing.strategies`, so ``st.from_type(Order)`` works in every test.

Fixtures:

| fixture | scope | what you get |
|---|---|---|
| `ordercore_clock` | function | a `FrozenClock` at 2026-03-02 01:30 UTC; advance it yourself |
| `ordercore_repository` | function | a fresh `InMemoryOrderRepository` |
| `ordercore_order_factory` | function | `make_order` (any field overridable) |
| `ordercore_line_factory` | function | `make_line` |
| `ordercore_actor` | function | a user actor for commands |
| `ordercore_review_context` | function | a `ReviewContext` that the factory orders pass |
| `ordercore_synthetic_book` | session | a seeded synthetic order book, built once, immutable |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import pytest

# Imported for its effect: the entity strategies are registered with hypothesis.
import ordercore.testing.strategies  # noqa: F401
from ordercore.events import Actor
from ordercore.memory import InMemoryOrderRepository
from ordercore.testing.book import SyntheticBook, synthetic_book
from ordercore.testing.clock import FrozenClock
from ordercore.testing.factories import (
    DEFAULT_RECEIVED_AT,
    make_line,
    make_order,
    make_review_context,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from ordercore.context import ReviewContext
    from ordercore.orders import Order, OrderLine

__all__ = [
    "ordercore_actor",
    "ordercore_clock",
    "ordercore_line_factory",
    "ordercore_order_factory",
    "ordercore_repository",
    "ordercore_review_context",
    "ordercore_synthetic_book",
]


_BOOKS: Final = pytest.StashKey[dict[tuple[int, int], SyntheticBook]]()


@pytest.fixture
def ordercore_clock() -> FrozenClock:
    """A clock frozen at the factories' default receipt time."""
    return FrozenClock(DEFAULT_RECEIVED_AT)


@pytest.fixture
def ordercore_repository() -> InMemoryOrderRepository:
    """A new, empty in-memory repository."""
    return InMemoryOrderRepository()


@pytest.fixture
def ordercore_order_factory() -> Callable[..., Order]:
    """`ordercore.testing.factories.make_order`."""
    return make_order


@pytest.fixture
def ordercore_line_factory() -> Callable[..., OrderLine]:
    """`ordercore.testing.factories.make_line`."""
    return make_line


@pytest.fixture
def ordercore_actor() -> Actor:
    """A user actor (`user:test-clerk`) to pass as `actor=` to commands."""
    return Actor.user("test-clerk")


@pytest.fixture
def ordercore_review_context(ordercore_clock: FrozenClock) -> ReviewContext:
    """A review context (customers, products, prices, calendar) the factory orders pass."""
    return make_review_context(as_of=ordercore_clock.now())


@pytest.fixture(scope="session")
def ordercore_synthetic_book(request: pytest.FixtureRequest) -> SyntheticBook:
    """A seeded synthetic book of 200 orders, built once per session and shared.

    The book is immutable (tuples, read-only survey rows, frozen orders), so sharing it
    cannot leak one test's changes into another. For another size or seed, parametrise
    indirectly: ``@pytest.mark.parametrize("ordercore_synthetic_book", [{"orders": 50,
    "seed": 3}], indirect=True)``; each distinct parameter is built once too.
    """
    options: dict[str, Any] = getattr(request, "param", {})
    key = (options.get("orders", 200), options.get("seed", 7))
    # pytest keeps one value of a parametrised fixture at a time; the session's own store
    # keeps every book, so tests that alternate between parameters never rebuild one.
    books = request.config.stash.setdefault(_BOOKS, {})
    if key not in books:
        books[key] = synthetic_book(orders=key[0], seed=key[1])
    return books[key]
