"""Write your own review rule and risk factor, and use them beside the built-ins.

The rule: EDI and API orders above 10,000 CNY must carry the customer's purchase-order
number. The factor: an export licence that has expired (a host-defined feature, given per
order online and as a column in batch). Neither needs a subclass of anything internal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ordercore.risk import Band, BandFactor, RiskContext, RiskPolicy, assess
from ordercore.risk.factors import BUILTIN_FACTORS, DUPLICATE
from ordercore.testing.factories import make_line, make_order, make_review_context
from ordercore.validation import (
    DEFAULT_RULES,
    Issue,
    IssueSeverity,
    channel_is,
    only_when,
    review,
    rule,
)

if TYPE_CHECKING:
    from ordercore.context import ReviewContext
    from ordercore.orders import Order


PO_THRESHOLD = 10_000


@rule
def po_required(order: Order, _context: ReviewContext) -> list[Issue]:
    """Orders above 10,000 need the customer's purchase-order number."""
    if order.customer_po or order.total.amount <= PO_THRESHOLD:
        return []
    return [
        Issue(
            code="acme.po_missing",
            severity=IssueSeverity.ERROR,
            path="customer_po",
            observed=None,
            expected="a purchase-order number",
            message_en=f"orders above 10,000 {order.currency} need the customer's PO number",
            message_zh=f"金额超过 10,000 {order.currency} 的订单须填写客户采购单号",
        )
    ]


ACME_RULES = DEFAULT_RULES.plus(only_when(channel_is("edi", "api"), po_required))

EXPORT_LICENCE = BandFactor(
    "export_licence",
    "licence_days_overdue",  # days since the licence expired; negative while still valid
    (
        Band(0, 3, "licence_expired", en="Export licence expired", zh="出口许可证已过期"),
        Band(
            30,
            5,
            "licence_long_expired",
            en="Export licence expired over 30 days ago",
            zh="出口许可证过期超过 30 天",
        ),
    ),
    unit="days",
    unknown_points=2,
    unknown_en="Export licence status unknown",
    unknown_zh="出口许可证状态未知",
)
# a policy's factor maxima add up to at most 100: the new 5 replace the duplicate factor's 5
ACME_POLICY = RiskPolicy(
    version="acme-2026.1",
    factors=[f for f in BUILTIN_FACTORS if f is not DUPLICATE] + [EXPORT_LICENCE],
)


def main() -> None:
    """Review and score two EDI orders with the host's rule and factor."""
    context = make_review_context()
    big = [make_line("1", 3, quantity=Decimal(100))]  # 100 x 149.00 CNY
    orders = [
        make_order("SO-EDI-1", channel="edi", lines=big),
        make_order("SO-EDI-2", channel="edi", lines=big, customer_po="PO-4711"),
    ]
    for order in orders:
        result = review(order, context, ACME_RULES)
        codes = ", ".join(i.code for i in result.issues) or "no issues"
        print(f"{order.order_id}: review {'passed' if result.passed else 'failed'} ({codes})")
    risk_context = RiskContext.of(context)
    for overdue in (-10, 12, 45, None):
        extra = {"licence_days_overdue": overdue}  # None: the host does not know
        scored = assess(orders[1], risk_context, ACME_POLICY, as_of=context.as_of, extra=extra)
        factor = scored.factor_result("export_licence")
        print(
            f"licence {overdue!s:>5} days overdue: +{factor.points} ({factor.explain()}); score {scored.score}"
        )


if __name__ == "__main__":
    main()
