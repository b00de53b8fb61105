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
