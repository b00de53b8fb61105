from __future__ import annotations

import pytest

from _validation_support import codes, good_order, make_context
from ordercore import Channel
from ordercore.validation.channel import confirmation_reference


@pytest.mark.parametrize("channel", [Channel.PHONE, Channel.FAX])
def test_a_manual_order_without_a_confirmation_fails(channel: Channel) -> None:
    issues = confirmation_reference()(good_order(channel=channel), make_context())
    assert [(i.code, i.path) for i in issues] == [
        ("channel.confirmation_missing", "confirmation_ref")
    ]


def test_a_fax_order_with_a_confirmation_passes() -> None:
    order = good_order(channel=Channel.FAX, confirmation_ref="CF-88")
    assert confirmation_reference()(order, make_context()) == []


def test_an_empty_confirmation_counts_as_missing() -> None:
    # Whitespace-only short texts are refused when the order is built (ShortText), so the
    # empty string is the one blank a confirmation reference can be.
    order = good_order(channel=Channel.PHONE, confirmation_ref="")
    assert codes(confirmation_reference()(order, make_context())) == [
        "channel.confirmation_missing"
    ]


@pytest.mark.parametrize("channel", [Channel.WEB, Channel.EDI, Channel.EMAIL, Channel.API])
def test_other_channels_need_no_confirmation_by_default(channel: Channel) -> None:
    assert confirmation_reference()(good_order(channel=channel), make_context()) == []


def test_the_checked_channels_can_be_chosen() -> None:
    rule = confirmation_reference(channels=[Channel.EMAIL])
    assert codes(rule(good_order(channel=Channel.EMAIL), make_context())) == [
        "channel.confirmation_missing"
    ]


def test_the_message_names_the_channel_in_both_languages() -> None:
    issue = confirmation_reference()(good_order(channel=Channel.FAX), make_context())[0]
    assert issue.message_en.startswith("a fax order")
    assert issue.message_zh.startswith("传真订单")


def test_an_unknown_channel_name_is_refused() -> None:
    with pytest.raises(ValueError, match="telex"):
        confirmation_reference(channels=["telex"])  # type: ignore[list-item]
