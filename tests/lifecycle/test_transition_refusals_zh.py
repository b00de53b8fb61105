"""A command the status does not allow is refused in Chinese as well (InvalidTransition)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from _lifecycle_support import Trail
from _zh_support import english_words
from ordercore import InvalidTransition
from ordercore.aftersales import CaseAction, CaseKind
from ordercore.lifecycle import CANONICAL, AdvanceCase, OpenCase, Ship, Submit
from ordercore.status import OrderStatus


@pytest.mark.parametrize("status", list(OrderStatus), ids=str)
def test_every_status_refuses_in_chinese_with_chinese_labels(status: OrderStatus) -> None:
    allowed = CANONICAL.commands(status.value)
    error = InvalidTransition("host_only_command", status.value, allowed, "SO-7")
    zh = error.message("zh")
    assert zh.startswith("订单 SO-7 处于「")
    assert english_words(zh.replace("host_only_command", "")) == set()
    assert error.message("en") == str(error)


def test_a_refused_command_names_status_command_and_what_is_allowed() -> None:
    trail = Trail()
    trail.do(Submit())
    with pytest.raises(InvalidTransition) as caught:
        trail.do(Ship(line_id="1", quantity=Decimal(1)))
    zh = caught.value.message("zh")
    assert zh.startswith("订单 SO-1 处于「已提交」状态，不能执行「发货」；可执行：开始审核、过期")


def test_a_case_action_its_machine_does_not_allow_is_refused_in_chinese() -> None:
    trail = Trail().to_approved().deliver_line("1", 10)
    trail.do(OpenCase(case_id="RMA", kind=CaseKind.RETURN, line_id="1", quantity=Decimal(1)))
    with pytest.raises(InvalidTransition) as caught:
        trail.do(AdvanceCase(case_id="RMA", action=CaseAction.REFUND))
    zh = caught.value.message("zh")
    assert zh.startswith("售后单 RMA 处于「")
    assert english_words(zh) == set()


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        InvalidTransition("ship", "submitted", (), "SO-1").message("fr")
