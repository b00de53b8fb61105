"""`RiskAssessment`: the explained outcome of scoring one order under one policy.

The score is the exact sum of the factor points (0 to 100); the level comes from the score,
raised by hard stops (to CRITICAL) and by too little data (to the policy's floor); the
recommendation is the level's, made more severe by hard stops; supervision and contingency
actions follow from the level and the reasons. The score is **points, not a probability**:
see [`ordercore.risk.calibrate`][ordercore.risk.calibrate] for turning it into one.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Final

import attrs

from ordercore._lang import is_zh, text
from ordercore.labels import LABELS, label
from ordercore.risk._texts import EXPLAIN, role_text
from ordercore.risk.bands import Unit, format_value

if TYPE_CHECKING:
    from datetime import datetime

    from ordercore.risk.factors import FactorResult
    from ordercore.risk.policy import ContingencyAction, Recommendation, RiskLevel, Supervision

__all__ = ["HardStopHit", "RiskAssessment"]


def _factor_name(code: str, lang: str) -> str:
    """A factor's label; a host's own factor without one is shown by its code."""
    if ("RiskFactor", code) in LABELS:
        return label(("RiskFactor", code), lang)
    return code


_POINTS: Final = attrgetter("points")


@attrs.frozen(slots=True)
class HardStopHit:
    """A hard stop that fired.

    Attributes:
        code: The reason code.
        observed: The feature value.
        threshold: The stop's threshold.
        recommendation: The recommendation it forces.
    """

    code: str
    observed: int
    threshold: int
    recommendation: Recommendation
    unit: Unit = "count"

    def description(self, lang: str = "en") -> str:
        """The reason in English or Chinese."""
        en, zh = LABELS[("RiskReason", self.code)]
        return zh if lang.startswith("zh") else en

    def explain(self, lang: str = "en") -> str:
        """The reason with the observed value and the threshold, in the stop's unit.

        Examples:
            >>> from ordercore.risk.policy import Recommendation
            >>> hit = HardStopHit("exposure_hard_limit", 16810, 15000, Recommendation.HOLD, "bp")
            >>> hit.explain()
            'Exposure after this order is 150 % of the credit limit or more: 168.10 % (threshold 150.00 %)'
            >>> hit.explain("zh")
            '下单后信用敞口达信用额度的150%及以上：168.10 %（阈值 150.00 %）'
        """
        reason = self.description("zh" if is_zh(lang) else "en")
        if self.unit in ("flag", "level"):
            return reason
        return text(
            EXPLAIN,
            "hard_stop",
            lang,
            reason=reason,
            observed=format_value(self.observed, self.unit),
            threshold=format_value(self.threshold, self.unit),
        )


@attrs.frozen(slots=True, kw_only=True)
class RiskAssessment:
    """The risk of one order under one policy at one moment.

    Attributes:
        order_id: The order.
        score: The sum of the factor points, 0 to 100.
        level: LOW, MEDIUM, HIGH or CRITICAL.
        recommendation: Accept, review, hold or reject.
        factors: Every factor's result, in the policy's order (zero-point ones included).
        hard_stops: The hard stops that fired.
        supervision: Who must look, and how soon.
        contingency: The actions the reasons call for, without repeats.
        data_completeness: Percent of the factors whose data was known (rounded down).
        missing: Codes of the factors whose data was unknown.
        floored: Whether the level was raised because too much data was missing.
        policy_version: The policy that scored.
        as_of: When the assessment was made.
    """

    order_id: str
    score: int
    level: RiskLevel
    recommendation: Recommendation
    factors: tuple[FactorResult, ...]
    hard_stops: tuple[HardStopHit, ...]
    supervision: Supervision
    contingency: tuple[ContingencyAction, ...]
    data_completeness: int
    missing: tuple[str, ...]
    floored: bool
    policy_version: str
    as_of: datetime

    def __attrs_post_init__(self) -> None:
        # The invariant the whole design rests on; a policy makes it hold by construction.
        total = sum(map(_POINTS, self.factors))
        if total != self.score or not 0 <= self.score <= 100:  # noqa: PLR2004
            raise ValueError(
                f"assessment of {self.order_id}: score {self.score} is not the sum of its "
                f"factor points ({total}) within 0..100"
            )

    @property
    def reasons(self) -> tuple[FactorResult, ...]:
        """The factors that scored, most points first (ties in policy order)."""
        scored = [f for f in self.factors if f.points > 0]
        return tuple(sorted(scored, key=lambda f: -f.points))

    def factor_result(self, code: str) -> FactorResult:
        """The result of the factor with this code.

        Raises:
            KeyError: If the policy had no such factor.
        """
        for result in self.factors:
            if result.code == code:
                return result
        raise KeyError(f"assessment of {self.order_id} has no factor {code!r}")

    @property
    def reason_codes(self) -> tuple[str, ...]:
        """Hard-stop codes, then the reason codes of the factors that scored."""
        return (*(s.code for s in self.hard_stops), *(f.reason for f in self.reasons))

    def _repr_html_(self) -> str:
        """Rich display in notebooks: score, level, action, the hard stops and every factor.

        Values are shown in their unit, as `explain` shows them (basis points as a
        percentage).

        Examples:
            >>> from datetime import datetime, timezone
            >>> from ordercore.risk.features import OrderFeatures
            >>> from ordercore.risk.score import assess_features
            >>> features = OrderFeatures(order_id="SO-9", exposure_bp=16810)
            >>> html = assess_features(features, as_of=datetime(2026, 3, 2, tzinfo=timezone.utc))._repr_html_()
            >>> "168.10 %" in html, "16810" in html
            (True, False)
        """
        from ordercore import _html  # noqa: PLC0415 - only notebooks call this

        header = _html.definition_list(
            [
                ("order", self.order_id),
                ("score", f"{self.score} / 100 ({self.level.value}, {self.recommendation.value})"),
                ("hard stops", ", ".join(h.code for h in self.hard_stops) or "none"),
                ("data completeness", f"{self.data_completeness} %"),
                ("policy", f"{self.policy_version} as of {self.as_of.isoformat()}"),
            ]
        )
        rows = [
            (
                f.code,
                f.points,
                format_value(f.observed, f.unit) if f.known else "unknown",
                "" if f.threshold is None else format_value(f.threshold, f.unit),
                f.en,
                f.zh,
            )
            for f in self.factors
            if f.points or not f.known
        ]
        stops = [
            (s.code, "!", format_value(s.observed, s.unit), format_value(s.threshold, s.unit))
            for s in self.hard_stops
        ]
        return header + _html.table(
            ["factor", "points", "observed", "threshold", "reason", "原因"],
            [*((*stop, *LABELS[("RiskReason", stop[0])]) for stop in stops), *rows],
            numeric=[False, True, True, True],
        )

    def explain(self, lang: str = "en") -> str:
        """A short multi-line explanation for a person, in English or Chinese.

        Examples:
            >>> from datetime import datetime, timezone
            >>> from ordercore.risk.features import OrderFeatures
            >>> from ordercore.risk.score import assess_features
            >>> features = OrderFeatures(order_id="SO-9", exposure_bp=10400, first_order=0,
            ...     overdue_days=45, overdue_bp=0, value_ratio_bp=9000, ship_to_change=0,
            ...     lines_over_max=0, lines_off_pack=0, terms_changed=0, review_warnings=0,
            ...     capacity_load_bp=0, lines_over_discount=0, blocked=0)
            >>> print(assess_features(features, as_of=datetime(2026, 3, 2, tzinfo=timezone.utc)).explain())  # io-ok: doctest output
            SO-9: 22 points, Medium -> Review (data 100 %, policy ordercore-default-1)
              +16 Exposure after this order is over the credit limit: 104.00 % (threshold 100.00 %)
              +6 Receivables overdue 30 days or more: 45 (threshold 30)
            supervision: heightened, order_desk_lead within 24 h
            actions: request_prepayment, credit_controller_approval, collect_overdue
        """
        zh = is_zh(lang)
        listing = EXPLAIN["list"][1 if zh else 0]
        lines = [
            text(
                EXPLAIN,
                "header",
                lang,
                order=self.order_id,
                score=self.score,
                level=label(self.level, lang),
                recommendation=label(self.recommendation, lang),
                completeness=self.data_completeness,
                policy=self.policy_version,
            )
        ]
        lines.extend(
            text(EXPLAIN, "hard_stop_line", lang, explanation=stop.explain(lang))
            for stop in self.hard_stops
        )
        lines.extend(
            text(EXPLAIN, "factor", lang, points=f.points, explanation=f.explain(lang))
            for f in self.reasons
        )
        if self.missing:
            names = (_factor_name(code, lang) if zh else code for code in self.missing)
            lines.append(text(EXPLAIN, "missing", lang, factors=listing.join(names)))
        sup = self.supervision
        hours = sup.respond_within_hours
        lines.append(
            text(
                EXPLAIN,
                "supervision",
                lang,
                # English keeps the codes a host configured; Chinese reads the labels
                intensity=label(sup.intensity, lang) if zh else sup.intensity.value,
                roles=listing.join(role_text(r, lang) for r in sup.roles)
                or text(EXPLAIN, "nobody", lang),
                within=text(EXPLAIN, "within", lang, hours=hours) if hours else "",
            )
        )
        if self.contingency:
            actions = (label(a, lang) if zh else a.value for a in self.contingency)
            lines.append(text(EXPLAIN, "actions", lang, actions=listing.join(actions)))
        return "\n".join(lines)
