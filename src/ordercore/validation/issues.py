"""What a review finds: issues, gathered in a review result.

An [`Issue`][ordercore.validation.issues.Issue] names a stable code (a key of [`CODES`][ordercore.validation.codes.CODES] for the
built-in rules), a severity, the field it is about (``lines[2].quantity``), what was observed
and what was expected, and a message in English and in Chinese. A
[`ReviewResult`][ordercore.validation.issues.ReviewResult] passes when none of
its issues is an error; warnings and notes never block approval.

Examples:
    >>> from datetime import UTC, datetime
    >>> issue = Issue(
    ...     code="quantity.below_moq",
    ...     severity=IssueSeverity.ERROR,
    ...     path="lines[0].quantity",
    ...     observed=5,
    ...     expected=10,
    ...     message_en="line 1 orders 5, below the minimum order quantity 10",
    ...     message_zh="第1行订购数量5，低于最小起订量10",
    ... )
    >>> result = ReviewResult("SO-1", 3, (issue,), datetime(2026, 3, 2, tzinfo=UTC))
    >>> result.passed
    False
    >>> result.failure_reasons
    ('lines[0].quantity: line 1 orders 5, below the minimum order quantity 10 [quantity.below_moq]',)
    >>> issue.message("zh")
    '第1行订购数量5，低于最小起订量10'
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["Issue", "IssueSeverity", "ReviewResult"]


class IssueSeverity(StrEnum):
    """How much an issue matters: only errors block approval."""

    ERROR = "error"
    """The order cannot be approved as it is."""
    WARNING = "warning"
    """Someone should look at it; approval is not blocked."""
    INFO = "info"
    """A note for the reviewer."""


@attrs.frozen(slots=True)
class Issue:
    """One finding of a review rule.

    Attributes:
        code: A stable, dotted code (``"credit.limit_exceeded"``); hosts may add their own.
        severity: Error, warning or info.
        path: The field the issue is about, e.g. ``lines[2].quantity`` (line positions count
            from 0) or ``customer`` for the order as a whole.
        observed: The value found (a `Decimal`, `Money`, date, text), or `None`.
        expected: The value or limit that was expected, or `None`.
        message_en: The English message.
        message_zh: The Chinese (zh-CN) message.
        rule: The name of the rule that reported it (filled in by `review` when a host rule
            leaves it empty).
    """

    code: str
    severity: IssueSeverity
    path: str
    observed: object
    expected: object
    message_en: str
    message_zh: str
    rule: str = ""

    @property
    def is_error(self) -> bool:
        """Whether the issue blocks approval."""
        return self.severity is IssueSeverity.ERROR

    def message(self, lang: str = "en") -> str:
        """The message in ``"en"`` or ``"zh"`` (``"zh-CN"`` is accepted too).

        Raises:
            ValueError: If the language is neither.
        """
        if lang == "en":
            return self.message_en
        if lang in ("zh", "zh-CN", "zh_CN"):
            return self.message_zh
        raise ValueError(f"unsupported message language {lang!r}; use 'en' or 'zh'")

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}{self.message_en} [{self.code}]"


@attrs.frozen(slots=True)
class ReviewResult:
    """The verdict of reviewing one order against a rule set at `as_of`.

    It is what the lifecycle's approve guard accepts (it satisfies
    [`ReviewVerdict`][ordercore.lifecycle.guards.ReviewVerdict]): the verdict is bound to the
    order id and version that were reviewed.

    Attributes:
        order_id: The order reviewed.
        order_version: The version of the order reviewed.
        issues: Everything the rules found, in rule order.
        as_of: The moment of the review (the context's `as_of`).
        rules: The names of the rules that ran, in order.
    """

    order_id: str
    order_version: int
    issues: tuple[Issue, ...]
    as_of: datetime
    rules: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """Whether no issue is an error."""
        return all(issue.severity is not IssueSeverity.ERROR for issue in self.issues)

    @property
    def errors(self) -> tuple[Issue, ...]:
        """The issues that block approval."""
        return tuple(i for i in self.issues if i.severity is IssueSeverity.ERROR)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """The warnings."""
        return tuple(i for i in self.issues if i.severity is IssueSeverity.WARNING)

    @property
    def notes(self) -> tuple[Issue, ...]:
        """The info-severity issues."""
        return tuple(i for i in self.issues if i.severity is IssueSeverity.INFO)

    @property
    def failure_reasons(self) -> tuple[str, ...]:
        """One English sentence per error: ``path: message [code]``."""
        return tuple(str(i) for i in self.issues if i.severity is IssueSeverity.ERROR)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of every issue, in order (repeats kept)."""
        return tuple(i.code for i in self.issues)

    def messages(self, lang: str = "en") -> tuple[str, ...]:
        """Every issue's message in one language, in order."""
        return tuple(i.message(lang) for i in self.issues)

    def _repr_html_(self) -> str:
        """Rich display in notebooks: the verdict, then one row per issue (en and zh)."""
        from ordercore import _html  # noqa: PLC0415 - only notebooks call this

        verdict = "passed" if self.passed else "failed"
        header = _html.definition_list(
            [
                ("order", f"{self.order_id} (v{self.order_version})"),
                (
                    "verdict",
                    f"{verdict}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)",
                ),
                ("as of", self.as_of.isoformat()),
            ]
        )
        rows = [(i.severity.value, i.code, i.path, i.message_en, i.message_zh) for i in self.issues]
        return header + _html.table(["severity", "code", "field", "message", "说明"], rows)

    def summary(self, lang: str = "en") -> str:
        """One line: the order, the verdict and the issue counts.

        Examples:
            >>> from datetime import UTC, datetime
            >>> ReviewResult("SO-9", 1, (), datetime(2026, 3, 2, tzinfo=UTC)).summary()
            'SO-9 v1: passed (0 errors, 0 warnings)'
            >>> ReviewResult("SO-9", 1, (), datetime(2026, 3, 2, tzinfo=UTC)).summary("zh")
            'SO-9 v1：审核通过（0 个错误，0 个警告）'
        """
        errors = sum(1 for i in self.issues if i.severity is IssueSeverity.ERROR)
        warnings = sum(1 for i in self.issues if i.severity is IssueSeverity.WARNING)
        head = f"{self.order_id} v{self.order_version}"
        if lang in ("zh", "zh-CN", "zh_CN"):
            verdict = "审核通过" if not errors else "审核未通过"
            return f"{head}：{verdict}（{errors} 个错误，{warnings} 个警告）"
        if lang != "en":
            raise ValueError(f"unsupported message language {lang!r}; use 'en' or 'zh'")
        verdict = "passed" if not errors else "failed"
        return f"{head}: {verdict} ({errors} errors, {warnings} warnings)"
