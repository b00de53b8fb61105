"""A lifecycle policy's repr shows only what differs from the defaults."""

from __future__ import annotations

import pydoc
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from ordercore.lifecycle import LifecyclePolicy, apply

if TYPE_CHECKING:
    from ordercore.lifecycle.authority import AuthorityRequest


def _desk_only(_: AuthorityRequest) -> str | None:
    return "only the order desk"


def test_the_default_policy_shows_no_fields() -> None:
    assert repr(LifecyclePolicy()) == "LifecyclePolicy()"


def test_help_on_apply_shows_the_short_default_policy() -> None:
    text = pydoc.plain(pydoc.render_doc(apply))
    assert "policy: 'LifecyclePolicy' = LifecyclePolicy()," in text


def test_a_changed_expiry_is_the_only_field_shown() -> None:
    policy = LifecyclePolicy(review_expiry=timedelta(days=7))
    assert repr(policy) == "LifecyclePolicy(review_expiry=datetime.timedelta(days=7))"


def test_a_changed_tolerance_shows_its_decimal() -> None:
    policy = LifecyclePolicy(amount_increase_tolerance=Decimal("0.05"))
    assert repr(policy) == "LifecyclePolicy(amount_increase_tolerance=Decimal('0.05'))"


def test_an_authority_function_shows_by_name_not_address() -> None:
    assert repr(LifecyclePolicy(authority=_desk_only)) == "LifecyclePolicy(authority=_desk_only)"


def test_changed_re_review_fields_are_shown() -> None:
    policy = LifecyclePolicy(re_review_fields=frozenset({"contact"}))
    assert repr(policy) == "LifecyclePolicy(re_review_fields=frozenset({'contact'}))"
