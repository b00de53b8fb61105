"""Refusals in English and Chinese: the reason a guard gives, as a person reads it.

A [`Refusal`][ordercore.lifecycle.guards.Refusal] is a `str` whose text is the English
reason (so everything that reads guard reasons as text keeps working) and that carries the
Chinese text as `.zh`. The canonical guards return them; a host's guard may return a plain
`str`, whose Chinese falls back to the English. Refusals are built only when a guard
refuses, never on the way through.

This module imports nothing of ordercore when it loads but the label table, so that
`ordercore.errors` can read refusals without an import cycle.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, Self

from ordercore.labels import label

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from pydantic import ValidationError

    from ordercore.errors import AmountOutOfRange, LedgerViolation
    from ordercore.holds import Hold
    from ordercore.orders import Order

__all__ = [
    "Refusal",
    "before_receipt",
    "command_zh",
    "error_refusal",
    "hold_blocks",
    "join",
    "ledger_refusal",
    "listed",
    "no_line",
    "refusal",
    "validation_refusal",
    "zh_of",
]


class Refusal(str):  # noqa: SLOT000 - a str subclass cannot hold slots; `zh` needs a dict
    """A guard's reason for refusing: the English text, carrying the Chinese text as `.zh`.

    Built as ``Refusal(en, zh)``. It is a `str` whose text is the English reason, so it
    compares, joins and prints as the English reason does; `GuardRejected.reasons_zh` reads
    `.zh`. It is immutable, and copies and pickles keep both texts.

    Attributes:
        zh: The same reason in Chinese, with the same ids, quantities, amounts and dates.

    Examples:
        >>> reason = Refusal("hold H-1 is active", "冻结 H-1 仍有效")
        >>> reason == "hold H-1 is active", reason.zh
        (True, '冻结 H-1 仍有效')
    """

    zh: str

    def __new__(cls, en: str, zh: str) -> Self:
        self = super().__new__(cls, en)
        object.__setattr__(self, "zh", str(zh))
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Refusal is immutable; cannot set {name!r}")

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # both texts
        """Copies and pickles keep both texts."""
        return (str(self), self.zh)

    @property
    def en(self) -> str:
        """The English reason, as a plain `str`."""
        return str(self)


def refusal(en: str, zh: str) -> Refusal:
    """A refusal in English and Chinese (see `Refusal`).

    Examples:
        >>> refusal("feedback is already recorded or waived", "客户反馈已记录或已免于反馈").zh
        '客户反馈已记录或已免于反馈'
    """
    return Refusal(en, zh)


def zh_of(reason: object) -> str:
    """The Chinese text of a reason: a `Refusal`'s `.zh`, any other text as it is (English).

    Read by its attribute, so that a `Refusal` of a module imported twice (doctest runners
    do that) still counts.
    """
    zh = getattr(reason, "zh", None)
    if isinstance(reason, str) and isinstance(zh, str):
        return zh
    return str(reason)


def join(parts: Iterable[str]) -> Refusal | None:
    """Several reasons as one (``"; "`` in English, ``"；"`` in Chinese); `None` for none."""
    reasons = list(parts)
    if not reasons:
        return None
    return Refusal("; ".join(reasons), "；".join(zh_of(r) for r in reasons))


def listed(items: Iterable[str], none_zh: str = "无") -> str:
    """Ids as a Chinese list (``"1、2"``), or `none_zh` for none."""
    return "、".join(items) or none_zh


def command_zh(name: str) -> str:
    """A command's Chinese label (``"ship"`` → ``"发货"``); a host's own command keeps its name."""
    try:
        return label(("CommandName", name), "zh")
    except KeyError:
        return name


def error_refusal(error: ValueError) -> Refusal | str:
    """The refusal a `ValueError` was raised with (a `Refusal` argument keeps its Chinese)."""
    reason = error.args[0] if error.args else None
    if isinstance(reason, str) and isinstance(getattr(reason, "zh", None), str):
        return reason
    return str(error)


# ---------------------------------------------------------------- refusals several guards give


def hold_blocks(hold: Hold, action: str, action_zh: str) -> Refusal:
    """The refusal of an action an active hold blocks (``action`` as the English names it)."""
    if hold.line_ids:
        scope, scope_zh = f"lines {', '.join(hold.line_ids)}", f"第 {listed(hold.line_ids)} 行"
    else:
        scope, scope_zh = "the order", "整单"
    return refusal(
        f"hold {hold.hold_id} ({hold.reason.value}, on {scope}) blocks {action}; release it first",
        f"冻结 {hold.hold_id}（{label(hold.reason, 'zh')}，{scope_zh}）阻止{action_zh}，请先解除",
    )


def no_line(order: Order, line_id: str | None) -> Refusal:
    """The refusal of a line the order does not have, naming the lines it has."""
    known = ", ".join(line.line_id for line in order.lines)
    return refusal(
        f"order has no line {line_id!r}; lines: {known}",
        f"订单没有行 {line_id!r}；现有行：{listed(line.line_id for line in order.lines)}",
    )


def before_receipt(order: Order, field: str, field_zh: str, when: datetime) -> Refusal:
    """The refusal of a date before the order was received (`field` as the command names it)."""
    received = order.received_at.isoformat()
    return refusal(
        f"{field} {when.isoformat()} is before the order was received ({received})",
        f"{field_zh}（{field}）{when.isoformat()} 早于订单接收时间（{received}）",
    )


# ---------------------------------------------------------------- ledger violations

_LIMITS_ZH: Final = {"zero": "零", "ordered": "订购数量", "open quantity": "未结数量"}


def _quantity_zh(name: str) -> str:
    known = _LIMITS_ZH.get(name)
    if known is not None:
        return known
    if name.startswith("open quantity + "):
        return "未结数量 + " + name.removeprefix("open quantity + ")
    try:
        return label(("LedgerField", name), "zh") + "数量"
    except KeyError:
        return name


def ledger_refusal(error: LedgerViolation, en_suffix: str, zh_suffix: str) -> Refusal:
    """A ledger violation as a refusal, each language with its own suffix."""
    field = _quantity_zh(error.field)
    if error.attempted < 0:
        zh = f"第 {error.line_id} 行：{field}将变为 {error.attempted}，低于零"
    else:
        limit = _quantity_zh(error.limit_name)
        zh = f"第 {error.line_id} 行：{field}将变为 {error.attempted}，超过{limit}（{error.limit}）"
    return Refusal(f"{error}{en_suffix}", zh + zh_suffix)


# ---------------------------------------------------------------- the entity model's refusals

# The order-level checks an amendment, a header change, a split or a merge can fail (see
# `Order` and `OrderLine`), with their Chinese; anything else shows the model's English.
_MODEL_ZH: Final = (
    (re.compile(r"(?P<where>\S+)\.line_id (?P<id>'.*') is used twice"), "{where} 的行号 {id} 重复"),
    (
        re.compile(
            r"(?P<where>\S+)\.unit_price is in (?P<line>\w+) but the order is in (?P<order>\w+); "
            r"one order has one currency"
        ),
        "{where} 的单价币种为 {line}，订单币种为 {order}；一张订单只能使用一种币种",
    ),
    (
        re.compile(
            r"(?:(?P<line>\S+)\.)?(?P<field>\w+) (?P<when>.+) is before the order was received "
            r"\((?P<at>.+)\)"
        ),
        "{line}{field_zh}（{field}）{when} 早于订单接收时间（{at}）",
    ),
    (re.compile(r"an order needs at least one line"), "订单至少需要一行"),
    (
        re.compile(r"an order may have at most (?P<most>\d+) lines, got (?P<got>\d+)"),
        "一张订单最多 {most} 行，实为 {got} 行",
    ),
    (
        re.compile(r"unit_price must be greater than zero, got (?P<price>.+?);.*"),
        "单价须大于零，实为 {price}；赠品请按价目表价格录入并设置折扣率",
    ),
)


_DATES_ZH: Final = {
    "requested_delivery_at": "要求交期",
    "promised_delivery_at": "承诺交期",
    "updated_at": "最近变更时间",
}


def _amount_zh(error: AmountOutOfRange) -> str:
    attempted = error.attempted
    if not attempted.is_finite():
        problem = f"{attempted} 不是有限数值"
    elif attempted.copy_abs() > error.limit:
        problem = f"{attempted} 的绝对值超出上限 {error.limit}"
    else:
        problem = f"{attempted} 的小数超过 {error.places} 位"
    return f"金额超出范围：{problem}；不做舍入"


def _cause_zh(cause: ValueError) -> str:
    from ordercore.errors import AmountOutOfRange, LedgerViolation  # noqa: PLC0415 - a cycle

    if isinstance(cause, LedgerViolation):
        return ledger_refusal(cause, "", "").zh
    if isinstance(cause, AmountOutOfRange):
        return _amount_zh(cause)
    return _model_problem_zh(str(cause))


def _model_problem_zh(message: str) -> str:
    for pattern, template in _MODEL_ZH:
        found = pattern.fullmatch(message)
        if found is not None:
            values = found.groupdict()
            if "field" in values:  # a date: named in Chinese, the line's own before it
                values["field_zh"] = _DATES_ZH.get(values["field"], "日期")
                values["line"] = f"{values['line']} 的" if values["line"] else ""
            return template.format(**values)
    return message


def validation_refusal(error: ValidationError, english: str) -> Refusal:
    """A model's validation error as a refusal: `english` as the guards have always said it.

    The Chinese names the same fields and values: the order-level checks an amendment, a
    split or a merge can fail, ledger violations and amounts out of range are in Chinese; a
    check of the model without a Chinese text here (a field's own type or range) shows its
    English message.
    """
    problems = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"])
        cause = (item.get("ctx") or {}).get("error")
        problem = _cause_zh(cause) if isinstance(cause, ValueError) else item["msg"]
        problems.append(f"{where}：{problem}" if where else problem)
    return Refusal(english, "订单校验未通过：" + "；".join(problems))
