from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from _lifecycle_support import AT, CLERK, Trail, Verdict
from ordercore import ConfigurationError, GuardRejected, OrderStatus, UnsoundMachine
from ordercore.aftersales import CaseAction, CaseKind, CaseStatus, ReturnCondition, RootCause
from ordercore.events import ActorKind, event_types
from ordercore.holds import HoldAction, HoldReason
from ordercore.labels import label
from ordercore.lifecycle import Approve, CommandName, HostTrigger, apply, replay
from ordercore.lifecycle.diagram import mermaid
from ordercore.lifecycle.extend import extend
from ordercore.lifecycle.machine import CANONICAL, OrderMachine
from ordercore.lifecycle.soundness import assert_sound, check_soundness

if TYPE_CHECKING:
    from enum import StrEnum

DOC = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"
LIFECYCLE_ENUMS: list[type[StrEnum]] = [
    CommandName,
    HoldReason,
    HoldAction,
    CaseKind,
    CaseStatus,
    CaseAction,
    ReturnCondition,
    RootCause,
    ActorKind,
]


def test_the_docs_diagram_matches_the_generated_one() -> None:
    fenced = re.search(r"```mermaid\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert fenced is not None
    assert fenced.group(1) == mermaid()


def test_the_canonical_machine_is_sound() -> None:
    assert check_soundness() == ()


def test_the_machine_is_one_class_level_machine_without_a_model() -> None:
    assert CANONICAL.machine is OrderMachine.machine
    assert OrderMachine.machine.models == []


def test_every_status_is_a_state_of_the_machine() -> None:
    assert set(CANONICAL.states) == {s.value for s in OrderStatus}


@pytest.mark.parametrize("enum", LIFECYCLE_ENUMS, ids=lambda e: e.__name__)
def test_every_lifecycle_enum_value_has_english_and_chinese_labels(enum: type[StrEnum]) -> None:
    for member in enum:
        assert label(member)
        assert label(member, "zh")


def test_every_event_type_is_a_past_tense_class_name() -> None:
    # regular past tenses, and the one irregular verb the trail uses
    names = [cls.__name__ for cls in event_types().values()]
    assert [n for n in names if not re.search(r"(ed|Split)$", n)] == []


def _acme() -> object:
    return extend(
        sub_states={"credit_check": OrderStatus.UNDER_REVIEW},
        triggers=[("begin_credit_check", "under_review", "credit_check")],
        name="acme",
    )


def test_an_extended_spec_moves_between_sub_states() -> None:
    spec = extend(
        sub_states={"credit_check": OrderStatus.UNDER_REVIEW},
        triggers=[("begin_credit_check", "under_review", "credit_check")],
    )
    trail = Trail().to_review()
    order, events = apply(
        trail.order, HostTrigger(trigger="begin_credit_check"), at=AT, actor=CLERK, spec=spec
    )
    assert (order.status, order.sub_status) == (OrderStatus.UNDER_REVIEW, "credit_check")
    approved, more = apply(
        order, Approve(verdict=Verdict("SO-1", order.version)), at=AT, actor=CLERK, spec=spec
    )
    assert (approved.status, approved.sub_status) == (OrderStatus.APPROVED, None)
    assert replay([*trail.events, *events, *more]) == approved


def test_an_extended_spec_runs_host_guards() -> None:
    def four_eyes(_order: object, _command: object, _context: object) -> str | None:
        return "a second approver is needed"

    spec = extend(guards={"approve": [four_eyes]})
    trail = Trail().to_review()
    with pytest.raises(GuardRejected, match="four_eyes refused"):
        apply(
            trail.order,
            Approve(verdict=Verdict("SO-1", trail.order.version)),
            at=AT,
            actor=CLERK,
            spec=spec,
        )


def test_an_unreachable_sub_state_is_unsound() -> None:
    with pytest.raises(UnsoundMachine, match="legal_check is unreachable"):
        extend(sub_states={"legal_check": OrderStatus.UNDER_REVIEW})


def test_a_host_trigger_may_not_cross_canonical_statuses() -> None:
    with pytest.raises(ConfigurationError, match="within one canonical status"):
        extend(triggers=[("skip", "draft", "approved")])


def test_the_extended_spec_is_checked_by_the_same_soundness_check() -> None:
    assert_sound(_acme())  # type: ignore[arg-type]


def test_reopening_is_the_only_exit_a_final_status_may_have() -> None:
    from types import SimpleNamespace  # noqa: PLC0415

    from ordercore.lifecycle.machine import CANONICAL  # noqa: PLC0415

    assert CANONICAL.table["closed"]["reopen"] == "fulfilled"
    table = {state: dict(row) for state, row in CANONICAL.table.items()}
    table["closed"]["resurrect"] = "approved"
    table["cancelled"]["reopen"] = "approved"  # a reopening only where the table marks one
    spec = SimpleNamespace(
        states=CANONICAL.states,
        table=table,
        initial=CANONICAL.initial,
        finals=CANONICAL.finals,
        sub_states=CANONICAL.sub_states,
    )
    problems = check_soundness(spec)  # type: ignore[arg-type]
    assert "final state closed has exits to ['approved']" in problems
    assert "final state cancelled has exits to ['approved']" in problems


def _states_table() -> str:
    """The docs' states-and-commands table, from the canonical table and the labels."""
    rows = ["| status | en | zh | commands allowed (en / zh) |", "|---|---|---|---|"]
    for status in OrderStatus:
        commands = ", ".join(
            f"`{name}` ({label(CommandName(name), 'en')} / {label(CommandName(name), 'zh')})"
            for name in CANONICAL.commands(status.value)
        )
        rows.append(
            f"| `{status.value}` | {label(status, 'en')} | {label(status, 'zh')} | {commands} |"
        )
    return "\n".join(rows) + "\n"


def test_the_docs_states_table_is_the_one_the_lifecycle_table_gives() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("| status | en | zh |")
    end = text.index("\n\n", start) + 1
    assert text[start:end] == _states_table()


def test_derived_transitions_are_tried_only_after_the_commands_the_table_names() -> None:
    after_allocate = [t for t, _, _ in CANONICAL.derived_after("approved", "allocate")]
    after_amend = [t for t, _, _ in CANONICAL.derived_after("approved", "amend")]
    assert after_allocate == ["start_fulfilment"]
    assert after_amend == ["send_back_to_review", "start_fulfilment"]
    assert [t for t, _, _ in CANONICAL.derived("approved")] == after_amend
    # a state or command the spec does not know falls back to every derived transition
    assert CANONICAL.derived_after("approved", "no_such_command") == CANONICAL.derived("approved")
