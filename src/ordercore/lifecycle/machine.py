"""The transition table, defined once with `transitions`, and the lookup tables built from it.

[`OrderMachine.machine`][ordercore.lifecycle.machine.OrderMachine] is the single class-level
`transitions.Machine` (``model=None``, ``auto_transitions=False``): no order ever gets a
machine of its own. A [`LifecycleSpec`][ordercore.lifecycle.machine.LifecycleSpec] reads it
once into plain dictionaries (state -> command -> destination) that `apply` uses on the hot
path, that `diagram` renders and that `soundness` checks. A transition whose destination is
`None` is internal: the command is allowed in the state and leaves the status as it is.

The derived triggers (`start_fulfilment`, `complete_fulfilment`, `send_back_to_review`) are
never sent by callers: the lifecycle fires them itself when the ledger or an amendment says so.

Examples:
    >>> CANONICAL.destination("under_review", "approve")
    'approved'
    >>> CANONICAL.allows("fulfilled", "ship")
    False
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar, Final

from transitions import Machine

from ordercore.lifecycle.commands import CommandName as C
from ordercore.status import OrderStatus as S

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ordercore.lifecycle.guards import Guard

__all__ = [
    "CANONICAL",
    "DERIVED_TRIGGERS",
    "FINAL_STATUSES",
    "TRANSITIONS",
    "LifecycleSpec",
    "OrderMachine",
]

FINAL_STATUSES: Final = frozenset({S.CLOSED, S.REJECTED, S.CANCELLED, S.EXPIRED})
"""The statuses an order never leaves (it can only be archived there)."""

DERIVED_TRIGGERS: Final = frozenset(
    {C.START_FULFILMENT, C.COMPLETE_FULFILMENT, C.SEND_BACK_TO_REVIEW}
)
"""Triggers the lifecycle fires itself; callers cannot send them."""

_FINAL_NAMES: Final = frozenset(status.value for status in FINAL_STATUSES)
_OPEN = [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.IN_FULFILMENT, S.FULFILLED]
_BEFORE_SHIPPING = [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.IN_FULFILMENT]
_UNREVIEWED = [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW]
_FULFILLING = [S.APPROVED, S.IN_FULFILMENT]
_FULFILMENT_MOVES = [
    C.ALLOCATE,
    C.PLAN_PRODUCTION,
    C.PROCURE,
    C.PRODUCE,
    C.PACK,
    C.SHIP,
    C.DELIVER,
    C.SHORT_CLOSE,
]


def _t(
    trigger: str, source: str | list[S], dest: str | None, condition: str | None = None
) -> dict[str, object]:
    spec: dict[str, object] = {
        "trigger": str(trigger),
        "source": [str(s) for s in source] if isinstance(source, list) else str(source),
        "dest": None if dest is None else str(dest),
    }
    if condition is not None:
        spec["conditions"] = [condition]
    return spec


TRANSITIONS: Final = (
    # 1 receipt and review
    _t(C.SUBMIT, S.DRAFT, S.SUBMITTED),
    _t(C.START_REVIEW, S.SUBMITTED, S.UNDER_REVIEW),
    _t(C.APPROVE, S.UNDER_REVIEW, S.APPROVED, "review_passed"),
    _t(C.REJECT, S.UNDER_REVIEW, S.REJECTED),
    _t(C.EXPIRE, _UNREVIEWED, S.EXPIRED, "past_review_expiry"),
    _t(C.CANCEL, _BEFORE_SHIPPING, S.CANCELLED, "nothing_shipped"),
    _t(C.AMEND, [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, *_FULFILLING], None),
    # 2-4 processing, tracking, delivery (ledger movements; the status follows the ledger)
    *(_t(move, _FULFILLING, None) for move in _FULFILMENT_MOVES),
    _t(C.INVOICE, [*_FULFILLING, S.FULFILLED], None),
    _t(C.RECORD_PAYMENT, [*_FULFILLING, S.FULFILLED], None),
    _t(C.START_FULFILMENT, S.APPROVED, S.IN_FULFILMENT, "fulfilment_started"),
    _t(C.COMPLETE_FULFILMENT, S.IN_FULFILMENT, S.FULFILLED, "all_delivered"),
    _t(C.SEND_BACK_TO_REVIEW, _FULFILLING, S.UNDER_REVIEW, "amendment_needs_review"),
    # holds and risk, in every open status
    _t(C.PLACE_HOLD, _OPEN, None),
    _t(C.RELEASE_HOLD, _OPEN, None),
    _t(C.RECORD_RISK_ASSESSMENT, _OPEN, None),
    # after-sales and 5 closing
    _t(C.OPEN_CASE, [S.IN_FULFILMENT, S.FULFILLED], None),
    _t(C.ADVANCE_CASE, [S.IN_FULFILMENT, S.FULFILLED], None),
    _t(C.RECORD_FEEDBACK, S.FULFILLED, None),
    _t(C.WAIVE_FEEDBACK, S.FULFILLED, None),
    _t(C.CLOSE, S.FULFILLED, S.CLOSED, "closing_gate"),
    _t(C.ARCHIVE, sorted(FINAL_STATUSES), None),
)
"""The canonical transition table, in the dictionary form `transitions.Machine` takes."""


class OrderMachine:
    """Holds the one class-level `transitions.Machine` that defines the canonical lifecycle."""

    machine: ClassVar[Machine] = Machine(
        model=None,
        states=[str(s) for s in S],
        transitions=list(TRANSITIONS),
        initial=str(S.DRAFT),
        auto_transitions=False,
    )
    """The machine: states are `OrderStatus` values, triggers are `CommandName` values."""


class LifecycleSpec:
    """A lifecycle definition read into lookup tables: canonical, or extended by a host.

    Args:
        machine: The `transitions.Machine` (with ``model=None``) holding the definition.
        sub_states: Host sub-state name -> the canonical status it refines.
        guards: Extra guards by command name, run after the canonical ones.
        finals: The final states.
        name: Shown in diagrams and error messages.

    Attributes:
        table: State -> command -> destination (`None` for an internal transition).
        conditions: (state, command) -> the condition names declared on the transition.
    """

    def __init__(
        self,
        machine: Machine,
        *,
        sub_states: Mapping[str, S] | None = None,
        guards: Mapping[str, tuple[Guard, ...]] | None = None,
        finals: frozenset[str] = _FINAL_NAMES,
        name: str = "canonical",
    ) -> None:
        self.machine = machine
        self.name = name
        self.sub_states: Mapping[str, S] = MappingProxyType(dict(sub_states or {}))
        self.guards: Mapping[str, tuple[Guard, ...]] = MappingProxyType(dict(guards or {}))
        self.finals = finals
        self.states: tuple[str, ...] = tuple(machine.states)
        self.initial: str = str(machine.initial)
        table: dict[str, dict[str, str | None]] = {state: {} for state in self.states}
        conditions: dict[tuple[str, str], tuple[str, ...]] = {}
        for trigger, event in machine.events.items():
            for source, transitions in event.transitions.items():
                for transition in transitions:
                    table.setdefault(source, {})[trigger] = transition.dest
                    conditions[source, trigger] = tuple(str(c.func) for c in transition.conditions)
        self.table: Mapping[str, Mapping[str, str | None]] = MappingProxyType(table)
        self.conditions: Mapping[tuple[str, str], tuple[str, ...]] = MappingProxyType(conditions)
        self._allowed: dict[str, tuple[str, ...]] = {
            state: tuple(t for t in commands if t not in DERIVED_TRIGGERS)
            for state, commands in table.items()
        }

    def canonical(self, state: str) -> S:
        """The canonical status a state (canonical or host sub-state) stands for."""
        sub = self.sub_states.get(state)
        return sub if sub is not None else S(state)

    def allows(self, state: str, command: str) -> bool:
        """Whether `command` is in the table for `state` (guards not considered)."""
        return command in self.table.get(state, {})

    def destination(self, state: str, command: str) -> str | None:
        """The state `command` leads to from `state` (`None`: stays).

        Raises:
            KeyError: If the table has no such transition.
        """
        return self.table[state][command]

    def commands(self, state: str) -> tuple[str, ...]:
        """The caller commands the table allows in `state`, in definition order."""
        return self._allowed.get(state, ())


CANONICAL: Final = LifecycleSpec(OrderMachine.machine)
"""The canonical lifecycle, read from `OrderMachine.machine`."""
