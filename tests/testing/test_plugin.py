"""The pytest plugin's fixtures: prefixed names and one shared, immutable synthetic book."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs
import pytest

from ordercore.testing import plugin
from ordercore.testing.book import SyntheticBook, synthetic_book
from ordercore.testing.factories import make_order, make_review_context

if TYPE_CHECKING:
    from ordercore.testing.book import SyntheticBook as Book

CONFTEST = 'pytest_plugins = ["ordercore.testing.plugin"]\n'

DEFAULT_BOOK_USER = """
def test_default_book(ordercore_synthetic_book):
    assert ordercore_synthetic_book.seed == 7
"""

SMALL_BOOK_USER = """
import pytest

@pytest.mark.parametrize("ordercore_synthetic_book", [{"orders": 20, "seed": 3}], indirect=True)
def test_small_book(ordercore_synthetic_book):
    assert ordercore_synthetic_book.seed == 3
"""


def _plugin_fixtures(pytester: pytest.Pytester) -> dict[str, str]:
    """Each fixture `pytest --fixtures` lists for the plugin, with its scope."""
    pytester.makeconftest(CONFTEST)
    output = pytester.runpytest_inprocess("--fixtures", "-p", "no:cacheprovider").outlines
    start = next(n for n, line in enumerate(output) if "from ordercore.testing.plugin" in line)
    fixtures = {}
    for line in output[start + 1 :]:
        if line.startswith("-----"):
            break
        if " -- " in line and not line.startswith(" "):
            name, _, rest = line.partition(" ")
            fixtures[name] = rest.split(" scope]")[0].lstrip("[") if "scope]" in rest else ""
    return fixtures


def test_every_fixture_of_the_plugin_is_prefixed_ordercore(pytester: pytest.Pytester) -> None:
    names = sorted(_plugin_fixtures(pytester))
    assert names == sorted(plugin.__all__)
    assert [name for name in names if not name.startswith("ordercore_")] == []


def test_the_synthetic_book_fixture_is_session_scoped(pytester: pytest.Pytester) -> None:
    assert _plugin_fixtures(pytester)["ordercore_synthetic_book"] == "session"


def test_the_synthetic_book_is_built_once_per_session_and_parameter(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[dict[str, Any]] = []

    def counting(**options: Any) -> Book:
        built.append(options)
        return synthetic_book(orders=3, seed=options["seed"])

    monkeypatch.setattr(plugin, "synthetic_book", counting)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_a=DEFAULT_BOOK_USER,
        test_b=SMALL_BOOK_USER,
        test_c=DEFAULT_BOOK_USER,
        test_d=SMALL_BOOK_USER,
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    assert sorted(built, key=lambda o: o["seed"]) == [
        {"orders": 20, "seed": 3},
        {"orders": 200, "seed": 7},
    ]


def _book(**changes: Any) -> SyntheticBook:
    values: dict[str, Any] = {
        "orders": [make_order()],
        "events": [],
        "surveys": [{"survey_id": "SV-1", "score": 4.0}],
        "context": make_review_context(),
        "as_of": datetime(2026, 6, 1, tzinfo=UTC),
        "seed": 1,
    }
    values.update(changes)
    return SyntheticBook(**values)


def test_a_book_built_from_lists_holds_tuples() -> None:
    book = _book()
    assert type(book.orders) is tuple
    assert type(book.events) is tuple
    assert type(book.surveys) is tuple


def test_a_survey_row_of_the_book_cannot_be_changed() -> None:
    book = _book()
    with pytest.raises(TypeError):
        book.surveys[0]["score"] = 1.0  # type: ignore[index]
    assert book.surveys[0]["score"] == 4.0


def test_changing_the_source_row_leaves_the_book_unchanged() -> None:
    row = {"survey_id": "SV-1", "score": 4.0}
    book = _book(surveys=[row])
    row["score"] = 1.0
    assert book.surveys[0]["score"] == 4.0


def test_a_book_field_cannot_be_reassigned() -> None:
    book = _book()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        book.orders = ()  # type: ignore[misc]
