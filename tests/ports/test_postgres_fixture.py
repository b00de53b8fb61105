"""Without PostgreSQL's binaries its tests skip with one line saying how to enable them, or fail under CI."""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]

CONFTEST = f"""
import sys

sys.path.insert(0, {str(TESTS)!r})

from ordercore_sqlalchemy.testing import TemporaryPostgres

TemporaryPostgres.find_binaries = staticmethod(lambda: None)  # a machine without them
"""

TESTS_FILE = """
pytest_plugins = ["_sqlalchemy_fixtures"]


def test_one(postgres_engine):
    pass


def test_two(postgres_engine):
    pass
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_needs_postgres=TESTS_FILE)
    return pytester


def test_outside_ci_the_postgres_tests_skip_with_one_line_saying_how_to_enable_them(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = project.runpytest_subprocess("-ra", "-p", "no:cacheprovider")
    result.assert_outcomes(skipped=2)
    lines = [line for line in result.outlines if line.startswith("SKIPPED")]
    assert len(lines) == 1, lines
    assert "apt-get install postgresql" in lines[0]


def test_under_ci_the_postgres_tests_fail_instead(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*CI must run the PostgreSQL tests*"])
