from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ordercore.lifecycle import ReviewVerdict
from ordercore.validation import Issue, IssueSeverity, ReviewResult

AS_OF = datetime(2026, 3, 2, tzinfo=UTC)


def _issue(severity: IssueSeverity, code: str = "x.y") -> Issue:
    return Issue(
        code=code,
        severity=severity,
        path="lines[0].quantity",
        observed=1,
        expected=2,
        message_en="too few",
        message_zh="太少",
    )


def _result(*issues: Issue) -> ReviewResult:
    return ReviewResult("SO-1", 4, issues, AS_OF)


def test_a_result_without_issues_passes() -> None:
    assert _result().passed


def test_a_result_with_an_error_fails() -> None:
    assert not _result(_issue(IssueSeverity.ERROR)).passed


def test_warnings_and_notes_do_not_block() -> None:
    assert _result(_issue(IssueSeverity.WARNING), _issue(IssueSeverity.INFO)).passed


def test_failure_reasons_give_one_sentence_per_error() -> None:
    result = _result(_issue(IssueSeverity.ERROR, "a.b"), _issue(IssueSeverity.WARNING))
    assert result.failure_reasons == ("lines[0].quantity: too few [a.b]",)


def test_issues_are_split_by_severity() -> None:
    error, warning, note = (_issue(s) for s in IssueSeverity)
    result = _result(error, warning, note)
    assert (result.errors, result.warnings, result.notes) == ((error,), (warning,), (note,))


def test_a_result_satisfies_the_lifecycle_review_verdict_protocol() -> None:
    assert isinstance(_result(), ReviewVerdict)


def test_messages_come_in_both_languages() -> None:
    result = _result(_issue(IssueSeverity.ERROR))
    assert (result.messages("en"), result.messages("zh")) == (("too few",), ("太少",))


def test_an_unsupported_language_is_refused() -> None:
    with pytest.raises(ValueError, match="'fr'"):
        _issue(IssueSeverity.ERROR).message("fr")


def test_the_summary_counts_errors_and_warnings() -> None:
    result = _result(_issue(IssueSeverity.ERROR), _issue(IssueSeverity.WARNING))
    assert result.summary() == "SO-1 v4: failed (1 errors, 1 warnings)"


def test_the_summary_speaks_chinese() -> None:
    assert (
        _result(_issue(IssueSeverity.ERROR)).summary("zh")
        == "SO-1 v4：审核未通过（1 个错误，0 个警告）"
    )


def test_issues_are_immutable() -> None:
    issue = _issue(IssueSeverity.ERROR)
    with pytest.raises(AttributeError):
        issue.code = "other"  # type: ignore[misc]
