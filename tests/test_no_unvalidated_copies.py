"""No page shows `model_copy(update=...)` on an entity: it skips validation there.

Pydantic's `model_copy(update=...)` stores the update as given. The context snapshots
(`ReviewContext`, `CustomerProfile`, ...) override it to validate, so a copy of a context is
fine; on an order, a line or an address it lets invalid values in. The docs' code blocks,
the README's, the examples and the doctests change entities with a validated
`Model.model_validate({**value.model_dump(), ...})` instead.

Which value a call copies is read from the code: a receiver naming a context (``context``,
``book.context``, ``context.customers["C-7"]``, ``make_review_context(...)``) is a snapshot;
anything else is taken for an entity.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pydantic
import pytest

from ordercore import Order
from ordercore.testing.factories import make_customer_profile, make_order

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
DOCTEST = re.compile(r"^\s*(?:>>>|\.\.\.) ?(.*)$", re.MULTILINE)
# the receiver: a dotted name with optional subscripts or a call, right before .model_copy(
COPY = re.compile(r"([\w.]+(?:\[[^\]]*\]|\([^()]*\))*)\.model_copy\(\s*update\s*=")
SNAPSHOT = re.compile(r"context|customers\[", re.IGNORECASE)


def _code(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return "\n".join(BLOCK.findall(text))
    if path.is_relative_to(ROOT / "src"):
        return "\n".join(DOCTEST.findall(text))
    return text


SOURCES = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").rglob("*.md"),
        *(ROOT / "examples").rglob("*.py"),
        *(ROOT / "src" / "ordercore").rglob("*.py"),
    ]
)


def _entity_copies(code: str) -> list[str]:
    return [m.group(0) for m in COPY.finditer(code) if not SNAPSHOT.search(m.group(1))]


def test_the_receiver_pattern_tells_an_entity_from_a_context() -> None:
    code = 'a = order.model_copy(update={"x": 1})\nb = book.context.model_copy(update={})'
    assert _entity_copies(code) == ["order.model_copy(update="]


def test_no_page_example_or_doctest_copies_an_entity_with_an_update() -> None:
    found = {
        str(path.relative_to(ROOT)): copies
        for path in SOURCES
        if (copies := _entity_copies(_code(path)))
    }
    assert found == {}


def test_the_validated_way_refuses_what_model_copy_lets_through() -> None:
    order = make_order()
    assert order.model_copy(update={"currency": "XYZ"}).currency == "XYZ"
    with pytest.raises(pydantic.ValidationError, match="unknown currency code 'XYZ'"):
        Order.model_validate({**order.model_dump(), "currency": "XYZ"})


def test_the_validated_way_keeps_every_other_field() -> None:
    order = make_order(lines=3)
    changed = Order.model_validate({**order.model_dump(), "order_id": "SO-2"})
    assert changed.model_dump() == {**order.model_dump(), "order_id": "SO-2"}


def test_a_context_snapshot_validates_its_own_copy() -> None:
    profile = make_customer_profile()
    with pytest.raises(pydantic.ValidationError):
        profile.model_copy(update={"overdue_days": Decimal("1.5")})
