"""English and Chinese words of the improvement analysis: parts, causes, sources, headings.

Kept with the analysis (not in `ordercore.labels`) so that each module's words move with it;
`word` falls back to `ordercore.labels` for the lifecycle's own codes (hold reasons, root
causes).
"""

from __future__ import annotations

from typing import Final

from ordercore.errors import InvalidArgument

WORDS: Final[dict[str, tuple[str, str]]] = {
    # stages and parts of a lateness
    "review": ("review", "评审"),
    "allocation": ("allocation wait", "分配等待"),
    "procurement": ("procurement", "采购"),
    "production": ("planning and production", "计划与生产"),
    "packing": ("packing", "包装"),
    "dispatch": ("dispatch", "发运"),
    "transit": ("transit", "运输"),
    "hold_credit": ("hold: credit", "冻结：信用"),
    "hold_risk": ("hold: risk", "冻结：风险"),
    "hold_address": ("hold: address", "冻结：地址"),
    "hold_stock": ("hold: stock", "冻结：库存"),
    "customer_wait": ("waiting for the customer", "等待客户"),
    "hold_quality": ("hold: quality", "冻结：质量"),
    "hold_other": ("hold: other", "冻结：其他"),
    # sources of failure causes
    "lateness": ("late delivery", "交付延迟"),
    "short": ("not in full", "未足量交付"),
    "accuracy": ("order error", "订单差错"),
    "after_sales": ("after-sales", "售后"),
    "complaint": ("complaint", "投诉"),
    # error types
    "wrong_item": ("wrong item", "错发商品"),
    "wrong_quantity": ("wrong quantity", "数量错误"),
    "missing_item": ("missing item", "漏发商品"),
    "wrong_address": ("wrong address", "地址错误"),
    "documentation": ("documentation", "单据错误"),
    "pricing": ("pricing", "价格错误"),
    "damaged": ("damaged", "货损"),
    # root causes
    "product_defect": ("product defect", "产品缺陷"),
    "damaged_in_transit": ("damaged in transit", "运输损坏"),
    "late_delivery": ("late delivery", "交付延迟"),
    "packaging": ("packaging", "包装"),
    "customer_change": ("customer change", "客户变更"),
    "service": ("service", "服务"),
    "no_root_cause": ("no root cause recorded", "未记录根因"),
    "short_closed": ("short-closed by the seller", "卖方短交"),
    "other": ("other", "其他"),
}
"""Code -> (English, Chinese)."""


def check_lang(lang: str, function: str) -> bool:
    """True for Chinese, False for English; anything else is refused."""
    if lang in ("zh", "zh-CN", "zh_CN"):
        return True
    if lang == "en":
        return False
    raise InvalidArgument(function, "lang", f"must be 'en' or 'zh', got {lang!r}")


def word(code: str, lang: str = "en") -> str:
    """The word for `code` (the code itself when there is none: a host's own cause)."""
    zh = check_lang(lang, "word")
    pair = WORDS.get(code)
    if pair is None:
        return code
    return pair[1] if zh else pair[0]
