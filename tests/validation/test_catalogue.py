from __future__ import annotations

from pathlib import Path

import pytest

from ordercore.labels import label
from ordercore.validation import CODES, IssueSeverity, make_issue

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "validation.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_issue_code_has_an_english_label_and_a_chinese_one(code: str) -> None:
    assert label(("IssueCode", code))
    assert label(("IssueCode", code), "zh")


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_issue_code_is_documented(code: str) -> None:
    assert f"`{code}`" in PAGE


@pytest.mark.parametrize("severity", list(IssueSeverity))
def test_every_severity_has_labels(severity: IssueSeverity) -> None:
    assert label(severity, "zh")


def test_an_unknown_code_cannot_be_made() -> None:
    with pytest.raises(KeyError):
        make_issue("no.such_code", rule="r", path="")


def test_a_severity_can_be_overridden() -> None:
    issue = make_issue(
        "credit.no_limit",
        rule="r",
        path="customer",
        severity=IssueSeverity.ERROR,
        customer="C-1",
    )
    assert issue.severity is IssueSeverity.ERROR
