"""Who may release a hold or override a failed review: the host's authority rule.

The lifecycle asks the policy's `authority` before the decisions that put the company's
money or books at risk: releasing a hold (`ReleaseHold`), approving an order whose review
failed (`Approve(override=True)`) and reopening a closed order (`Reopen`). Each needs a reason, and the trail keeps who decided and why
(`Hold.release_reason`, `OrderApproved.overridden`).

The default, [`allow_any`][ordercore.lifecycle.authority.allow_any], lets any actor decide and
records the reason. [`AuthorityRules`][ordercore.lifecycle.authority.AuthorityRules] is the
data-driven rule most hosts need, like an ERP's authorisation control: grants by action,
role, subject (the hold's reason, or the review rules overridden) and amount. Any callable
taking an `AuthorityRequest` and returning `None` (allowed) or a refusal text works too.

Examples:
    >>> from decimal import Decimal
    >>> rules = AuthorityRules(
    ...     grants=(
    ...         Grant("release_hold", roles=frozenset({"credit_manager"}),
    ...               subjects=frozenset({"credit"}), up_to=Decimal("50000")),
    ...     ),
    ...     roles={"user:wang.fang": frozenset({"credit_manager"})},
    ... )
    >>> rules.grants[0].allows(frozenset({"credit_manager"}), ("credit",), Decimal("1200"))
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from ordercore._refusals import Refusal, listed
from ordercore.errors import ConfigurationError
from ordercore.labels import label

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ordercore.events import Actor
    from ordercore.orders import Order

__all__ = [
    "RELEASE_HOLD",
    "REOPEN_ORDER",
    "REVIEW_OVERRIDE",
    "Authority",
    "AuthorityRequest",
    "AuthorityRules",
    "Grant",
    "allow_any",
]

RELEASE_HOLD: Final = "release_hold"
"""The action of releasing a hold; its subject is the hold's reason code."""
REVIEW_OVERRIDE: Final = "override_review"
"""The action of approving despite a failed review; its subjects are the failure reasons."""
REOPEN_ORDER: Final = "reopen_order"
"""The action of reopening a closed order; it has no subjects."""
_ACTIONS: Final = frozenset({RELEASE_HOLD, REVIEW_OVERRIDE, REOPEN_ORDER})
_ACTIONS_ZH: Final = {
    RELEASE_HOLD: "解除冻结",
    REVIEW_OVERRIDE: "越过未通过的审核批准订单",
    REOPEN_ORDER: "重新打开订单",
}


@dataclass(frozen=True, slots=True)
class AuthorityRequest:
    """One decision the lifecycle asks the authority about.

    Attributes:
        action: `RELEASE_HOLD`, `REVIEW_OVERRIDE` or `REOPEN_ORDER`.
        actor: Who asks.
        order: The order as it stands.
        subjects: What the decision is about: the hold's reason code, or the failure
            reasons of the review being overridden.
        reason: Why, as the command gives it (never empty: the lifecycle requires one).
    """

    action: str
    actor: Actor
    order: Order
    subjects: tuple[str, ...]
    reason: str

    @property
    def amount(self) -> Decimal:
        """The order's gross total, in its currency."""
        return self.order.total.amount


Authority = Callable[[AuthorityRequest], "str | None"]
"""Decides a request: `None` allows it, a text refuses it (shown in the `GuardRejected`).

A `Refusal` (see `ordercore.lifecycle.guards`) gives the refusal in Chinese too; a plain `str`
shows in English in both languages. `AuthorityRules` refuses with a `Refusal`.
"""


def allow_any(_: AuthorityRequest) -> str | None:
    """The default authority: anyone may decide; the reason is recorded in the trail."""
    return None


@dataclass(frozen=True, slots=True)
class Grant:
    """One permission: who may take an action, on which subjects, up to which amount.

    Attributes:
        action: `RELEASE_HOLD`, `REVIEW_OVERRIDE` or `REOPEN_ORDER`.
        roles: The roles granted it (at least one).
        subjects: The subjects it covers (hold reasons, review failure reasons); empty
            covers every subject. A request is covered when all its subjects are.
        up_to: The largest order gross total it covers, in the order's currency; `None`
            has no limit.

    Raises:
        ConfigurationError: For an unknown action, no roles or a negative limit.
    """

    action: str
    roles: frozenset[str]
    subjects: frozenset[str] = frozenset()
    up_to: Decimal | None = None

    def __post_init__(self) -> None:
        if self.action not in _ACTIONS:
            raise ConfigurationError(
                f"unknown action {self.action!r}; actions: {', '.join(sorted(_ACTIONS))}",
                component="Grant",
            )
        if not isinstance(self.roles, frozenset) or not self.roles:
            raise ConfigurationError("roles must be a non-empty frozenset", component="Grant")
        if not isinstance(self.subjects, frozenset):
            raise ConfigurationError("subjects must be a frozenset", component="Grant")
        limit = self.up_to
        if limit is not None and (type(limit) is not Decimal or not limit.is_finite() or limit < 0):
            raise ConfigurationError(
                f"up_to must be a non-negative Decimal or None, got {limit!r}", component="Grant"
            )

    def allows(self, roles: frozenset[str], subjects: tuple[str, ...], amount: Decimal) -> bool:
        """Whether this grant covers an actor with `roles` deciding on `subjects` at `amount`."""
        if not roles & self.roles:
            return False
        if self.subjects and not set(subjects) <= self.subjects:
            return False
        return self.up_to is None or amount <= self.up_to


@dataclass(frozen=True, slots=True)
class AuthorityRules:
    """Grants by action, role, subject and amount; the actions nobody is granted stay open.

    An action with at least one grant is allowed only to an actor whose roles some grant
    covers; an action with no grant is allowed to anyone (so hosts restrict only what they
    mean to).

    Attributes:
        grants: The permissions.
        roles: The roles of each actor, keyed by the actor as text (``"user:wang.fang"``);
            an actor not listed has none.

    Raises:
        ConfigurationError: For a grant that is not a `Grant` or roles that are not frozensets.
    """

    grants: tuple[Grant, ...]
    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not all(isinstance(grant, Grant) for grant in self.grants):
            raise ConfigurationError("grants must be Grant values", component="AuthorityRules")
        if not all(isinstance(v, frozenset) for v in self.roles.values()):
            raise ConfigurationError(
                "roles must map actors to frozensets of role names", component="AuthorityRules"
            )
        object.__setattr__(self, "grants", tuple(self.grants))
        object.__setattr__(self, "roles", MappingProxyType(dict(self.roles)))

    def __call__(self, request: AuthorityRequest) -> str | None:
        """Allow (`None`) or refuse the request, naming who would be allowed."""
        grants = [grant for grant in self.grants if grant.action == request.action]
        if not grants:
            return None
        actor = str(request.actor)
        roles = self.roles.get(actor, frozenset())
        if any(grant.allows(roles, request.subjects, request.amount) for grant in grants):
            return None
        held = ", ".join(sorted(roles)) or "none"
        granted = "; ".join(_describe(grant) for grant in grants)
        subjects = ", ".join(request.subjects) or "-"
        currency = request.order.currency
        subjects_zh = f"（{_subjects_zh(request.subjects)}）" if request.subjects else ""
        return Refusal(
            f"{actor} (roles: {held}) may not {request.action.replace('_', ' ')} "
            f"({subjects}) on {request.amount} {currency}; granted to: {granted}",
            f"{actor}（角色：{listed(sorted(roles))}）无权{_ACTIONS_ZH[request.action]}"
            f"{subjects_zh}，订单金额 {request.amount} {currency}；"
            f"有权限的是：{'；'.join(_describe_zh(grant) for grant in grants)}",
        )


def _describe(grant: Grant) -> str:
    roles = ", ".join(sorted(grant.roles))
    subjects = f" for {', '.join(sorted(grant.subjects))}" if grant.subjects else ""
    limit = f" up to {grant.up_to}" if grant.up_to is not None else ""
    return f"{roles}{subjects}{limit}"


def _describe_zh(grant: Grant) -> str:
    roles = "、".join(sorted(grant.roles))
    subjects = f"（{_subjects_zh(sorted(grant.subjects))}）" if grant.subjects else ""
    limit = f"，最高 {grant.up_to}" if grant.up_to is not None else ""
    return f"{roles}{subjects}{limit}"


def _subjects_zh(subjects: Iterable[str]) -> str:
    """Hold reasons by their Chinese label; review failure reasons as the review gave them."""
    shown = []
    for subject in subjects:
        try:
            shown.append(label(("HoldReason", subject), "zh"))
        except KeyError:
            shown.append(subject)
    return "、".join(shown)
