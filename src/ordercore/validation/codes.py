"""The catalogue of built-in issue codes: default severity and en/zh message templates.

Codes are stable, dotted and lower-case (``area.what``); a host's own rules may use any
other code. The short title of every code is in the label table under the namespace
``"IssueCode"`` (``label(("IssueCode", "credit.blocked"), "zh")``).

Templates are `str.format` strings; ``{observed}`` and ``{expected}`` are the issue's values,
the other fields are named in each template.

Examples:
    >>> issue = make_issue(
    ...     "credit.blocked", rule="customer_not_blocked", path="customer", customer="C-7"
    ... )
    >>> issue.severity.value, issue.message_en
    ('error', 'customer C-7 is blocked for new orders')
    >>> issue.message_zh
    '客户 C-7 已被冻结，不能接收新订单'
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

import attrs

from ordercore.validation.issues import Issue, IssueSeverity

__all__ = ["CODES", "CodeSpec", "make_issue"]

_E: Final = IssueSeverity.ERROR
_W: Final = IssueSeverity.WARNING


@attrs.frozen(slots=True)
class CodeSpec:
    """A built-in issue code: its default severity and message templates.

    Attributes:
        code: The code.
        severity: The severity used unless the rule is told otherwise.
        en: The English template.
        zh: The Chinese template.
    """

    code: str
    severity: IssueSeverity
    en: str
    zh: str


_SPECS: Final = (
    # quantities
    CodeSpec(
        "quantity.not_positive",
        _E,
        "line {line_id} orders {observed}; quantities must be greater than zero",
        "第 {line_id} 行订购数量为 {observed}，数量必须大于零",
    ),
    CodeSpec(
        "quantity.nothing_open",
        _E,
        "every line is fully cancelled; nothing is left to deliver",
        "所有订单行均已取消，没有待交付的数量",
    ),
    CodeSpec(
        "quantity.below_moq",
        _E,
        "line {line_id} ({sku}) orders {observed}, below the minimum order quantity {expected}",
        "第 {line_id} 行（{sku}）订购数量 {observed}，低于最小起订量 {expected}",
    ),
    CodeSpec(
        "quantity.not_pack_multiple",
        _E,
        "line {line_id} ({sku}) orders {observed}, not a multiple of the pack size {expected}",
        "第 {line_id} 行（{sku}）订购数量 {observed} 不是包装倍数 {expected} 的整数倍",
    ),
    CodeSpec(
        "quantity.above_max",
        _E,
        "line {line_id} ({sku}) orders {observed}, more than the maximum {expected} per line",
        "第 {line_id} 行（{sku}）订购数量 {observed}，超过单行最大数量 {expected}",
    ),
    # products
    CodeSpec(
        "product.unknown",
        _E,
        "line {line_id}: product {observed} is not in the product master",
        "第 {line_id} 行：产品 {observed} 不在产品主数据中",
    ),
    CodeSpec(
        "product.not_sellable",
        _E,
        "line {line_id}: product {observed} may not be sold",
        "第 {line_id} 行：产品 {observed} 不可销售",
    ),
    CodeSpec(
        "product.uom_mismatch",
        _E,
        "line {line_id} ({sku}) is in {observed} but the product is sold in {expected}",
        "第 {line_id} 行（{sku}）单位为 {observed}，产品销售单位为 {expected}",
    ),
    # prices, discounts, totals, currency
    CodeSpec(
        "price.not_listed",
        _W,
        "line {line_id}: product {observed} has no price on the price list",
        "第 {line_id} 行：产品 {observed} 在价格表中没有价格",
    ),
    CodeSpec(
        "price.off_list",
        _E,
        "line {line_id} ({sku}) is priced {observed}, list price {expected} "
        "(deviation {deviation}, tolerance {tolerance})",
        "第 {line_id} 行（{sku}）单价 {observed}，价格表价格 {expected}（偏差 {deviation}，允许 {tolerance}）",
    ),
    CodeSpec(
        "price.list_currency",
        _E,
        "the order is in {observed} but the price list is in {expected}; prices cannot be compared",
        "订单币种为 {observed}，价格表币种为 {expected}，无法核对价格",
    ),
    CodeSpec(
        "price.discount_above_limit",
        _E,
        "line {line_id} ({sku}) has a discount of {observed}, above the limit {expected}",
        "第 {line_id} 行（{sku}）折扣率 {observed}，超过上限 {expected}",
    ),
    CodeSpec(
        "totals.line_rounds_to_zero",
        _E,
        "line {line_id} ({sku}): {quantity} × {price} rounds to {observed} although the line "
        "is not free; check the unit or the price",
        "第 {line_id} 行（{sku}）：{quantity} × {price} 舍入后为 {observed}，但该行并非赠品，请核对单位或单价",
    ),
    CodeSpec(
        "totals.stated_mismatch",
        _E,
        "the order adds up to {observed} but the customer's document states {expected}",
        "订单合计为 {observed}，客户单据上的合计为 {expected}",
    ),
    CodeSpec(
        "currency.customer_mismatch",
        _E,
        "the order is in {observed} but customer {customer} is billed in {expected}",
        "订单币种为 {observed}，客户 {customer} 的结算币种为 {expected}",
    ),
    # dates and capacity
    CodeSpec(
        "date.requested_in_past",
        _E,
        "{what} requested for {observed}, before the review date {expected}",
        "{what_zh}要求交期 {observed} 早于审核日期 {expected}",
    ),
    CodeSpec(
        "date.inside_lead_time",
        _E,
        "{what} requested for {observed}, but the earliest date after {lead_time} business "
        "days of lead time is {expected}",
        "{what_zh}要求交期 {observed}，按 {lead_time} 个工作日的交货周期最早为 {expected}",
    ),
    CodeSpec(
        "capacity.insufficient",
        _E,
        "promised for {date} but the order needs {observed} {unit} of capacity and only "
        "{expected} {unit} are free until then",
        "承诺交期 {date}，订单需要产能 {observed} {unit}，此前可用产能仅 {expected} {unit}",
    ),
    CodeSpec(
        "promise.date_not_kept",
        _E,
        "promised for {observed} but the plan {outcome}: {reason}",
        "承诺交期 {observed}，{outcome_zh}：{reason_zh}",
    ),
    # customer and credit
    CodeSpec(
        "customer.unknown",
        _E,
        "customer {observed} has no profile in the review context",
        "客户 {observed} 在审核上下文中没有档案",
    ),
    CodeSpec(
        "credit.blocked",
        _E,
        "customer {customer} is blocked for new orders",
        "客户 {customer} 已被冻结，不能接收新订单",
    ),
    CodeSpec(
        "credit.limit_exceeded",
        _E,
        "credit limit exceeded for customer {customer}: open exposure {exposure} + this order "
        "{amount} = {observed} > limit {expected}",
        "客户 {customer} 超出信用额度：未清敞口 {exposure} + 本单 {amount} = {observed} > 额度 {expected}",
    ),
    CodeSpec(
        "credit.no_limit",
        _W,
        "customer {customer} has no credit limit; the order's {observed} was not checked",
        "客户 {customer} 未设置信用额度，本单金额 {observed} 未经额度校验",
    ),
    CodeSpec(
        "credit.exposure_unknown",
        _W,
        "customer {customer}'s open exposure is unknown; the order's {observed} alone was "
        "compared with the limit {expected}",
        "客户 {customer} 的未清敞口未知，仅以本单金额 {observed} 与额度 {expected} 比较",
    ),
    CodeSpec(
        "credit.not_comparable",
        _E,
        "customer {customer}'s {what} is in {observed} but the order is in {expected}; "
        "convert before review",
        "客户 {customer} 的{what_zh}币种为 {observed}，订单币种为 {expected}，请先换算",
    ),
    CodeSpec(
        "credit.overdue",
        _E,
        "customer {customer} has {amount} overdue for {observed} days (allowed: {expected} days)",
        "客户 {customer} 有 {amount_zh} 逾期 {observed} 天（允许 {expected} 天）",
    ),
    # duplicates
    CodeSpec(
        "duplicate.same_lines",
        _E,
        "order {other} from the same customer, received {observed}, has the same lines "
        "(window {window})",
        "同一客户的订单 {other}（接收于 {observed}）订单行相同（检查窗口 {window_zh}）",
    ),
    CodeSpec(
        "duplicate.same_po",
        _E,
        "order {other} from the same customer carries the same purchase order {observed}",
        "同一客户的订单 {other} 使用了相同的采购单号 {observed}",
    ),
    # completeness and channel
    CodeSpec(
        "address.missing",
        _E,
        "the order has no delivery address",
        "订单缺少收货地址",
    ),
    CodeSpec(
        "address.incomplete",
        _E,
        "the delivery address has no {field}",
        "收货地址缺少{field_zh}",
    ),
    CodeSpec(
        "contact.missing",
        _E,
        "the order has no contact person",
        "订单缺少联系人",
    ),
    CodeSpec(
        "contact.incomplete",
        _E,
        "the contact has no {field}",
        "联系人缺少{field_zh}",
    ),
    CodeSpec(
        "contact.unreachable",
        _E,
        "the contact {name} has neither a phone number nor an e-mail address",
        "联系人 {name} 既没有电话也没有电子邮件",
    ),
    CodeSpec(
        "channel.confirmation_missing",
        _E,
        "a {channel} order needs the reference of the confirmation sent back to the customer",
        "{channel_zh}订单需要填写回传给客户的确认单号",
    ),
)

CODES: Final = MappingProxyType({spec.code: spec for spec in _SPECS})
"""Every built-in issue code: ``code -> CodeSpec``. Read-only."""


def make_issue(
    code: str,
    *,
    rule: str,
    path: str,
    observed: object = None,
    expected: object = None,
    severity: IssueSeverity | None = None,
    **fields: object,
) -> Issue:
    """Build an issue of a built-in code, formatting both messages from its templates.

    Args:
        code: A key of `CODES`.
        rule: The name of the rule reporting it.
        path: The field path.
        observed: The value found.
        expected: The value or limit expected.
        severity: Overrides the code's default severity.
        **fields: The other fields the templates name.

    Raises:
        KeyError: If the code is not built in.
    """
    spec = CODES[code]
    return Issue(
        code=code,
        severity=spec.severity if severity is None else severity,
        path=path,
        observed=observed,
        expected=expected,
        message_en=spec.en.format(observed=observed, expected=expected, **fields),
        message_zh=spec.zh.format(observed=observed, expected=expected, **fields),
        rule=rule,
    )
