"""English and Chinese (zh-CN) labels for every status, dimension, channel and error code.

One table holds them all, keyed by a namespace (the enum's class name, or ``"error"`` for
error codes) and the value. [`label`][ordercore.labels.label] looks one up.

Examples:
    >>> from ordercore.status import OrderStatus
    >>> label(OrderStatus.UNDER_REVIEW), label(OrderStatus.UNDER_REVIEW, "zh")
    ('Under review', '审核中')
    >>> from ordercore.errors import CurrencyMismatch
    >>> label(CurrencyMismatch, "zh")
    '币种不一致'
"""

from __future__ import annotations

from enum import Enum
from types import MappingProxyType
from typing import Final, Literal

__all__ = ["LABELS", "Language", "label", "labels_for"]

Language = Literal["en", "zh"]
"""A label language: ``"en"`` or ``"zh"`` (simplified Chinese, zh-CN)."""

_TABLE: dict[tuple[str, str], tuple[str, str]] = {
    # OrderStatus
    ("OrderStatus", "draft"): ("Draft", "草稿"),
    ("OrderStatus", "submitted"): ("Submitted", "已提交"),
    ("OrderStatus", "under_review"): ("Under review", "审核中"),
    ("OrderStatus", "approved"): ("Approved", "已审核"),
    ("OrderStatus", "in_fulfilment"): ("In fulfilment", "履行中"),
    ("OrderStatus", "fulfilled"): ("Fulfilled", "已交付"),
    ("OrderStatus", "closed"): ("Closed", "已关闭"),
    ("OrderStatus", "rejected"): ("Rejected", "已驳回"),
    ("OrderStatus", "cancelled"): ("Cancelled", "已取消"),
    ("OrderStatus", "expired"): ("Expired", "已过期"),
    # Progress
    ("Progress", "none"): ("None", "未开始"),
    ("Progress", "partial"): ("Partial", "部分"),
    ("Progress", "full"): ("Full", "全部"),
    # Channel
    ("Channel", "phone"): ("Phone", "电话"),
    ("Channel", "fax"): ("Fax", "传真"),
    ("Channel", "web"): ("Web", "网站"),
    ("Channel", "edi"): ("EDI", "电子数据交换"),
    ("Channel", "email"): ("E-mail", "电子邮件"),
    ("Channel", "api"): ("API", "系统接口"),
    # Dimension
    ("Dimension", "allocation"): ("Allocation", "分配"),
    ("Dimension", "production"): ("Production", "生产"),
    ("Dimension", "packing"): ("Packing", "包装"),
    ("Dimension", "shipping"): ("Shipping", "发货"),
    ("Dimension", "fulfilment"): ("Fulfilment", "交付"),
    ("Dimension", "billing"): ("Billing", "开票"),
    ("Dimension", "payment"): ("Payment", "收款"),
    ("Dimension", "returns"): ("Returns", "退货"),
    # LedgerField
    ("LedgerField", "cancelled"): ("Cancelled", "已取消"),
    ("LedgerField", "allocated"): ("Allocated", "已分配"),
    ("LedgerField", "planned"): ("Planned", "已排产"),
    ("LedgerField", "procured"): ("Procured", "已采购"),
    ("LedgerField", "produced"): ("Produced", "已生产"),
    ("LedgerField", "packed"): ("Packed", "已包装"),
    ("LedgerField", "shipped"): ("Shipped", "已发货"),
    ("LedgerField", "delivered"): ("Delivered", "已签收"),
    ("LedgerField", "return_requested"): ("Return requested", "已申请退货"),
    ("LedgerField", "returned"): ("Returned", "已退回"),
    ("LedgerField", "exchanged"): ("Exchanged", "已换货"),
    ("LedgerField", "repaired"): ("Repaired", "已维修"),
    ("LedgerField", "invoiced"): ("Invoiced", "已开票"),
    ("LedgerField", "paid"): ("Paid", "已收款"),
    # error codes
    ("error", "ordercore_error"): ("Order processing error", "订单处理错误"),
    ("error", "unknown_currency"): ("Unknown currency", "未知币种"),
    ("error", "currency_mismatch"): ("Currency mismatch", "币种不一致"),
    ("error", "ledger_violation"): ("Quantity ledger violation", "数量台账校验失败"),
    ("error", "invalid_transition"): ("Command not allowed in this status", "当前状态不允许此操作"),
    ("error", "guard_rejected"): ("Command refused by a check", "操作未通过校验"),
    ("error", "concurrency_conflict"): ("Order changed by someone else", "订单已被他人修改"),
    ("error", "order_not_found"): ("Order not found", "订单不存在"),
    ("error", "order_already_exists"): ("Order already exists", "订单已存在"),
    ("error", "corrupt_record"): ("Stored record is damaged", "存储记录已损坏"),
    ("error", "configuration_error"): ("Configuration error", "配置错误"),
    ("error", "unsound_machine"): ("Unsound lifecycle definition", "生命周期定义不完整"),
    ("error", "frame_schema_error"): ("Data does not match the schema", "数据不符合规范"),
    ("error", "unsupported_backend"): ("Unsupported data frame library", "不支持的数据框类型"),
    # CommandName values (lifecycle)
    ("CommandName", "submit"): ("Submit", "提交"),
    ("CommandName", "start_review"): ("Start review", "开始审核"),
    ("CommandName", "approve"): ("Approve", "审核通过"),
    ("CommandName", "reject"): ("Reject", "驳回"),
    ("CommandName", "cancel"): ("Cancel order", "取消订单"),
    ("CommandName", "expire"): ("Expire", "过期"),
    ("CommandName", "amend"): ("Amend", "变更订单"),
    ("CommandName", "allocate"): ("Allocate", "分配产能/库存"),
    ("CommandName", "plan_production"): ("Plan production", "排产"),
    ("CommandName", "procure"): ("Procure material", "物料采购"),
    ("CommandName", "produce"): ("Record production", "生产报工"),
    ("CommandName", "pack"): ("Pack", "包装"),
    ("CommandName", "ship"): ("Ship", "发货"),
    ("CommandName", "deliver"): ("Record delivery", "签收"),
    ("CommandName", "invoice"): ("Invoice", "开票"),
    ("CommandName", "record_payment"): ("Record payment", "登记收款"),
    ("CommandName", "short_close"): ("Short-close line", "行关闭"),
    ("CommandName", "place_hold"): ("Place hold", "冻结"),
    ("CommandName", "release_hold"): ("Release hold", "解除冻结"),
    ("CommandName", "record_risk_assessment"): ("Record risk assessment", "记录风险评估"),
    ("CommandName", "open_case"): ("Open after-sales case", "创建售后单"),
    ("CommandName", "advance_case"): ("Advance after-sales case", "处理售后单"),
    ("CommandName", "record_feedback"): ("Record feedback", "记录客户反馈"),
    ("CommandName", "waive_feedback"): ("Waive feedback", "免于反馈"),
    ("CommandName", "close"): ("Close", "关闭订单"),
    ("CommandName", "archive"): ("Archive", "归档"),
    ("CommandName", "start_fulfilment"): ("Start fulfilment (derived)", "开始履行（自动）"),
    ("CommandName", "complete_fulfilment"): ("Complete fulfilment (derived)", "履行完成（自动）"),
    ("CommandName", "send_back_to_review"): ("Send back to review (derived)", "退回审核（自动）"),
    # HoldReason values (lifecycle)
    ("HoldReason", "credit"): ("Credit", "信用"),
    ("HoldReason", "risk"): ("Risk", "风险"),
    ("HoldReason", "address"): ("Address", "地址"),
    ("HoldReason", "stock"): ("Stock", "库存"),
    ("HoldReason", "customer_request"): ("Customer request", "客户要求"),
    ("HoldReason", "quality"): ("Quality", "质量"),
    ("HoldReason", "other"): ("Other", "其他"),
    # HoldAction values (lifecycle)
    ("HoldAction", "approve"): ("Approve", "审核通过"),
    ("HoldAction", "allocate"): ("Allocate", "分配"),
    ("HoldAction", "plan_production"): ("Plan production", "排产"),
    ("HoldAction", "procure"): ("Procure", "采购"),
    ("HoldAction", "produce"): ("Produce", "生产"),
    ("HoldAction", "pack"): ("Pack", "包装"),
    ("HoldAction", "ship"): ("Ship", "发货"),
    ("HoldAction", "deliver"): ("Deliver", "签收"),
    ("HoldAction", "invoice"): ("Invoice", "开票"),
    # CaseKind values (lifecycle)
    ("CaseKind", "return"): ("Return (RMA)", "退货"),
    ("CaseKind", "exchange"): ("Exchange", "换货"),
    ("CaseKind", "repair"): ("Repair / warranty", "维修/保修"),
    ("CaseKind", "complaint"): ("Complaint", "投诉"),
    # CaseStatus values (lifecycle)
    ("CaseStatus", "requested"): ("Requested", "已申请"),
    ("CaseStatus", "approved"): ("Approved", "已批准"),
    ("CaseStatus", "declined"): ("Declined", "已拒绝"),
    ("CaseStatus", "received"): ("Received", "已收到"),
    ("CaseStatus", "investigated"): ("Investigated", "已调查"),
    ("CaseStatus", "refunded"): ("Refunded", "已退款"),
    ("CaseStatus", "replaced"): ("Replaced", "已更换"),
    ("CaseStatus", "repaired"): ("Repaired", "已维修"),
    ("CaseStatus", "resolved"): ("Resolved", "已解决"),
    # CaseAction values (lifecycle)
    ("CaseAction", "approve"): ("Approve", "批准"),
    ("CaseAction", "decline"): ("Decline", "拒绝"),
    ("CaseAction", "receive"): ("Receive", "收货"),
    ("CaseAction", "refund"): ("Refund", "退款"),
    ("CaseAction", "replace"): ("Replace", "更换"),
    ("CaseAction", "repair"): ("Repair", "维修"),
    ("CaseAction", "investigate"): ("Investigate", "调查"),
    ("CaseAction", "resolve"): ("Resolve", "解决"),
    # ReturnCondition values (lifecycle)
    ("ReturnCondition", "resaleable"): ("Resaleable", "完好可售"),
    ("ReturnCondition", "damaged"): ("Damaged", "破损"),
    ("ReturnCondition", "defective"): ("Defective", "质量缺陷"),
    ("ReturnCondition", "wrong_item"): ("Wrong item", "错发货品"),
    # RootCause values (lifecycle)
    ("RootCause", "product_defect"): ("Product defect", "产品缺陷"),
    ("RootCause", "wrong_item"): ("Wrong item", "错发货品"),
    ("RootCause", "damaged_in_transit"): ("Damaged in transit", "运输损坏"),
    ("RootCause", "late_delivery"): ("Late delivery", "延迟交付"),
    ("RootCause", "packaging"): ("Packaging", "包装问题"),
    ("RootCause", "customer_change"): ("Customer change", "客户变更"),
    ("RootCause", "service"): ("Service", "服务问题"),
    ("RootCause", "other"): ("Other", "其他"),
    # ActorKind values (lifecycle)
    ("ActorKind", "user"): ("User", "用户"),
    ("ActorKind", "system"): ("System", "系统"),
    ("ActorKind", "integration"): ("Integration", "外部系统"),
    # KPI result statuses, ordercore.kpi
    ("KpiStatus", "ok"): ("OK", "正常"),
    ("KpiStatus", "no_data"): ("No data", "无数据"),
    ("KpiStatus", "insufficient_sample"): ("Insufficient sample", "样本不足"),
    # order error taxonomy, ordercore.kpi
    ("ErrorType", "wrong_item"): ("Wrong item", "错发货品"),
    ("ErrorType", "wrong_quantity"): ("Wrong quantity", "数量错误"),
    ("ErrorType", "missing_item"): ("Missing item", "漏发"),
    ("ErrorType", "wrong_address"): ("Wrong address", "地址错误"),
    ("ErrorType", "documentation"): ("Documentation error", "单据错误"),
    ("ErrorType", "pricing"): ("Pricing error", "价格错误"),
    ("ErrorType", "damaged"): ("Damaged", "货损"),
    # monitoring alert severities, ordercore.kpi
    ("Severity", "warning"): ("Warning", "警告"),
    ("Severity", "critical"): ("Critical", "严重"),
    # <- sections for further namespaces go above this line, one block per enum
}

LABELS: Final = MappingProxyType(_TABLE)
"""The whole label table: ``(namespace, value) -> (English, Chinese)``. Read-only."""


def _key(item: object) -> tuple[str, str]:
    if isinstance(item, Enum):
        return (type(item).__name__, str(item.value))
    code = getattr(item, "code", None)
    if isinstance(code, str) and isinstance(item, type | BaseException):
        return ("error", code)
    if isinstance(item, tuple) and len(item) == 2 and all(isinstance(p, str) for p in item):  # noqa: PLR2004
        return (item[0], item[1])
    raise TypeError(
        "label() takes an enum member, an ordercore error (class or instance) or a "
        f"(namespace, value) tuple, not {type(item).__name__}"
    )


def label(item: object, lang: Language | str = "en") -> str:
    """Return the English or Chinese label of a status, dimension, channel or error.

    Args:
        item: An enum member (`OrderStatus.APPROVED`), an ordercore error class or
            instance, or a ``(namespace, value)`` tuple such as ``("error", "unknown_currency")``.
        lang: ``"en"`` (default) or ``"zh"`` (``"zh-CN"`` is accepted too).

    Raises:
        KeyError: If the table has no label for the item.
        ValueError: If the language is neither English nor Chinese.
    """
    if lang in ("zh", "zh-CN", "zh_CN"):
        index = 1
    elif lang == "en":
        index = 0
    else:
        raise ValueError(f"unsupported label language {lang!r}; use 'en' or 'zh'")
    key = _key(item)
    try:
        return _TABLE[key][index]
    except KeyError:
        raise KeyError(f"no label for {key[0]} {key[1]!r}") from None


def labels_for(namespace: str) -> dict[str, tuple[str, str]]:
    """Return every ``value -> (English, Chinese)`` label of one namespace.

    Examples:
        >>> labels_for("Progress")["partial"]
        ('Partial', '部分')
    """
    return {value: pair for (space, value), pair in _TABLE.items() if space == namespace}
