"""Holds from a review: the failed checks that put an order on hold rather than back to entry.

A failed credit check is not a data error to correct: the order waits for the credit
department, which releases the hold with a reason or overrides the review
(`Approve(override=True)`), as the policy's authority allows. `hold_commands` turns a
review's errors into the `PlaceHold` commands that say so, one per hold reason, so the
order's trail shows why it waits; `DEFAULT_HOLD_REASONS` maps the built-in rules, and a host
passes its own mapping for its own rules.

Examples:
    >>> from datetime import datetime, timezone
    >>> from ordercore.validation.issues import Issue, IssueSeverity, ReviewResult
    >>> found = Issue("credit.limit_exceeded", IssueSeverity.ERROR, "customer", None, None,
    ...               "over the limit", "超出信用额度", rule="credit_limit_respected")
    >>> result = ReviewResult("SO-1", 3, (found,), datetime(2026, 3, 2, tzinfo=timezone.utc))
    >>> [(c.hold_id, c.hold_reason.value) for c in hold_commands(result)]
    [('review-credit-3', 'credit')]
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from ordercore.errors import ConfigurationError
from ordercore.holds import HoldReason
from ordercore.lifecycle.commands import PlaceHold

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ordercore.orders import Order
    from ordercore.validation.issues import ReviewResult

__all__ = ["DEFAULT_HOLD_REASONS", "hold_commands"]

DEFAULT_HOLD_REASONS: Final[Mapping[str, HoldReason]] = MappingProxyType(
    {
        "customer_not_blocked": HoldReason.CREDIT,
        "credit_limit_respected": HoldReason.CREDIT,
        "overdue_within_limit": HoldReason.CREDIT,
        "ship_to_complete": HoldReason.ADDRESS,
        "promised_date_within_capacity": HoldReason.STOCK,
    }
)
"""Built-in rules whose errors hold the order, by rule name; other errors are to be fixed."""


def hold_commands(
    result: ReviewResult,
    order: Order | None = None,
    reasons: Mapping[str, HoldReason] = DEFAULT_HOLD_REASONS,
) -> tuple[PlaceHold, ...]:
    """The holds a review's errors call for: one `PlaceHold` per hold reason, in rule order.

    Each hold is an order-level hold with the reason's default blocks, its id
    ``review-<reason>-<reviewed version>`` and a note listing the issue codes. With `order`,
    a reason already held by an active hold is skipped, so applying the result twice places
    nothing twice.

    Args:
        result: The review result.
        order: The order as it stands (to skip reasons already held); optional.
        reasons: Rule name -> hold reason; rules not named give no hold.

    Raises:
        ConfigurationError: If `reasons` maps a rule to something that is not a `HoldReason`.
    """
    for rule, mapped in reasons.items():
        if not isinstance(mapped, HoldReason):
            raise ConfigurationError(
                f"rule {rule!r} maps to {mapped!r}, not a HoldReason", component="hold_commands"
            )
    held = {h.reason for h in order.active_holds} if order is not None else set()
    codes: dict[HoldReason, list[str]] = {}
    for issue in result.errors:
        reason = reasons.get(issue.rule)
        if reason is not None and reason not in held:
            codes.setdefault(reason, []).append(issue.code)
    return tuple(
        PlaceHold(
            hold_id=f"review-{reason.value}-{result.order_version}",
            hold_reason=reason,
            note="review: " + ", ".join(dict.fromkeys(found)),
        )
        for reason, found in codes.items()
    )
