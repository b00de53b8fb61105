"""An opt-in pytest plugin with fixtures for code that handles orders.

Enable it in your own `conftest.py` (root conftest only, as pytest requires):

```python
pytest_plugins = ["ordercore.testing.plugin"]
```

It is deliberately not an auto-loaded entry point: an entry point would import ordercore
into every pytest run of every environment where ordercore is installed.

Fixtures:

| fixture | what you get |
|---|---|
| `ordercore_clock` | a `FrozenClock` at 2026-03-02 01:30 UTC; advance it yourself |
| `ordercore_repository` | a fresh `InMemoryOrderRepository` |
| `order_factory` | `make_order` (any field overridable) |
| `line_factory` | `make_line` |
| `ordercore_actor` | a user actor for commands |
| `review_context` | a `ReviewContext` that the factory orders pass |
| `synthetic_book` | a small seeded synthetic order book driven through the lifecycle |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from ordercore.events import Actor
from ordercore.memory import InMemoryOrderRepository
from ordercore.testing.book import SyntheticBook
from ordercore.testing.book import synthetic_book as build_book
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
    "line_factory",
    "order_factory",
    "ordercore_actor",
    "ordercore_clock",
    "ordercore_repository",
    "review_context",
    "synthetic_book",
]


@pytest.fixture
def ordercore_clock() -> FrozenClock:
    """A clock frozen at the factories' default receipt time."""
    return FrozenClock(DEFAULT_RECEIVED_AT)


@pytest.fixture
def ordercore_repository() -> InMemoryOrderRepository:
    """A new, empty in-memory repository."""
    return InMemoryOrderRepository()


@pytest.fixture
def order_factory() -> Callable[..., Order]:
    """`ordercore.testing.factories.make_order`."""
    return make_order


@pytest.fixture
def line_factory() -> Callable[..., OrderLine]:
    """`ordercore.testing.factories.make_line`."""
    return make_line


@pytest.fixture
def ordercore_actor() -> Actor:
    """A user actor (`user:test-clerk`) to pass as `actor=` to commands."""
    return Actor.user("test-clerk")


@pytest.fixture
def review_context(ordercore_clock: FrozenClock) -> ReviewContext:
    """A review context (customers, products, prices, calendar) the factory orders pass."""
    return make_review_context(as_of=ordercore_clock.now())


@pytest.fixture
def synthetic_book(request: pytest.FixtureRequest) -> SyntheticBook:
    """A seeded synthetic book of 200 orders; parametrise with `indirect` for other sizes."""
    options: dict[str, Any] = getattr(request, "param", {})
    return build_book(orders=options.get("orders", 200), seed=options.get("seed", 7))
