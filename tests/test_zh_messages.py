"""What a Chinese reader sees: review durations, risk explanations and hard stops in zh."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from _validation_support import RECEIVED, good_order, make_context
from ordercore._durations import duration_text
from ordercore.risk.features import OrderFeatures
from ordercore.risk.score import assess_features
from ordercore.validation.duplicates import no_duplicate_order

AS_OF = datetime(2026, 3, 2, tzinfo=UTC)
FULL = {
    "first_order": 0,
    "overdue_days": 45,
    "overdue_bp": 0,
    "value_ratio_bp": 9000,
    "ship_to_change": 0,
    "lines_over_max": 0,
    "lines_off_pack": 0,
    "terms_changed": 0,
    "review_warnings": 0,
    "capacity_load_bp": 0,
    "lines_over_discount": 0,
    "blocked": 0,
}
# Words of English (three letters or more) left in a Chinese text, ids and versions aside.
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


def _english_words(text: str, *allowed: str) -> list[str]:
    for word in allowed:
        text = text.replace(word, "")
    return ENGLISH_WORD.findall(text)


def _duplicate_issue(window: timedelta) -> tuple[str, str]:
    earlier = good_order(order_id="SO-0", received_at=RECEIVED - timedelta(days=1))
    context = make_context(recent_orders=[earlier])
    (issue,) = no_duplicate_order(window=window)(good_order(), context)
    return issue.message_en, issue.message_zh


def test_the_duplicate_message_gives_the_window_in_days_in_chinese() -> None:
    _, zh = _duplicate_issue(timedelta(days=3))
    assert "检查窗口 3 天" in zh
    assert "days" not in zh
    assert not re.search(r"\d, \d+:\d\d:\d\d", zh)  # no str(timedelta)


def test_the_duplicate_message_gives_the_window_in_days_in_english() -> None:
    en, _ = _duplicate_issue(timedelta(days=3))
    assert en.endswith("(window 3 days)")


def test_a_window_of_hours_reads_as_days_and_hours() -> None:
    _, zh = _duplicate_issue(timedelta(hours=36))
    assert "检查窗口 1 天 12 小时" in zh


@pytest.mark.parametrize(
    ("span", "en", "zh"),
    [
        (timedelta(days=1), "1 day", "1 天"),
        (timedelta(minutes=90), "1 hour 30 minutes", "1 小时 30 分钟"),
        (timedelta(seconds=45), "45 seconds", "45 秒"),
        (-timedelta(days=2), "minus 2 days", "负 2 天"),
    ],
)
def test_durations_read_in_both_languages(span: timedelta, en: str, zh: str) -> None:
    assert (duration_text(span), duration_text(span, "zh")) == (en, zh)


def test_a_duration_in_another_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language 'fr'"):
        duration_text(timedelta(days=1), "fr")


def _explained(lang: str, **features: int) -> str:
    values: dict[str, Any] = {**FULL, "exposure_bp": 10400, **features}
    assessment = assess_features(OrderFeatures(order_id="SO-9", **values), as_of=AS_OF)
    return assessment.explain(lang)


def test_the_chinese_explanation_has_no_english_words() -> None:
    text = _explained("zh")
    assert _english_words(text, "ordercore-default-1") == []


def test_the_chinese_explanation_names_supervision_roles_and_actions_in_chinese() -> None:
    lines = _explained("zh").splitlines()
    assert lines[-2] == "监督：加强，订单组长，24 小时内处理"
    assert lines[-1] == "措施：要求预付款或定金、报信用主管审批、放行前催收逾期应收款"


def test_the_english_explanation_keeps_the_configured_codes() -> None:
    lines = _explained("en").splitlines()
    assert lines[-2:] == [
        "supervision: heightened, order_desk_lead within 24 h",
        "actions: request_prepayment, credit_controller_approval, collect_overdue",
    ]


def test_a_hard_stop_shows_its_value_as_a_percentage_like_the_factor() -> None:
    text = _explained("en", exposure_bp=16810)
    assert "16810" not in text
    assert (
        "  ! Exposure after this order is 150 % of the credit limit or more: "
        "168.10 % (threshold 150.00 %)"
    ) in text.splitlines()


def test_a_hard_stop_in_chinese_shows_the_same_percentage() -> None:
    text = _explained("zh", exposure_bp=16810)
    assert (
        "  ! 下单后信用敞口达信用额度的150%及以上：168.10 %（阈值 150.00 %）" in text.splitlines()
    )


def test_a_blocked_customer_s_stop_shows_no_flag_value() -> None:
    text = _explained("zh", blocked=1)
    assert "  ! 客户已被冻结，不得接单" in text.splitlines()


def test_missing_data_is_named_by_the_factor_s_chinese_label() -> None:
    values: dict[str, Any] = {k: v for k, v in FULL.items() if k != "first_order"}
    assessment = assess_features(OrderFeatures(order_id="SO-9", **values), as_of=AS_OF)
    missing = [line for line in assessment.explain("zh").splitlines() if line.startswith("  缺失")]
    assert missing == ["  缺失数据：信用敞口、首次下单"]


def test_an_explanation_in_another_language_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported language"):
        _explained("fr")
