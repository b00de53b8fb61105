"""The English and Chinese texts of a risk explanation: its lines and the default roles.

Reason, level, recommendation, intensity and action labels are in `ordercore.labels`; these
are the sentences around them and the roles of the default supervision plan. A host's own
role (not listed here) is shown as the host named it, in both languages.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from ordercore._lang import is_zh

__all__ = ["EXPLAIN", "ROLES", "role_text"]

EXPLAIN: Final = MappingProxyType(
    {
        "header": (
            (
                "{order}: {score} points, {level} -> {recommendation} "
                "(data {completeness} %, policy {policy})"
            ),
            "{order}：{score} 分，{level} -> {recommendation}（数据完整度 {completeness} %，策略 {policy}）",
        ),
        "hard_stop": (
            "{reason}: {observed} (threshold {threshold})",
            "{reason}：{observed}（阈值 {threshold}）",
        ),
        "hard_stop_line": ("  ! {explanation}", "  ! {explanation}"),
        "factor": ("  +{points} {explanation}", "  +{points} {explanation}"),
        "missing": ("  missing: {factors}", "  缺失数据：{factors}"),
        "supervision": (
            "supervision: {intensity}, {roles}{within}",
            "监督：{intensity}，{roles}{within}",
        ),
        "within": (" within {hours} h", "，{hours} 小时内处理"),
        "nobody": ("-", "无需专人"),
        "actions": ("actions: {actions}", "措施：{actions}"),
        "list": (", ", "、"),
    }
)
"""The lines of `RiskAssessment.explain`: ``key -> (en, zh)`` `str.format` templates."""

ROLES: Final = MappingProxyType(
    {
        "order_desk_lead": ("order_desk_lead", "订单组长"),
        "credit_controller": ("credit_controller", "信用主管"),
        "sales_manager": ("sales_manager", "销售经理"),
    }
)
"""The roles of the default supervision plan: ``role -> (en, zh)``."""


def role_text(role: str, lang: str) -> str:
    """A role as a person reads it; a role not in `ROLES` is shown as given."""
    pair = ROLES.get(role)
    if pair is None:
        return role
    return pair[1] if is_zh(lang) else pair[0]
