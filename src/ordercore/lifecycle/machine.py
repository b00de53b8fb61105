"""The class-level `transitions.Machine`, built from the lifecycle table, and its lookup tables.

[`OrderMachine.machine`][ordercore.lifecycle.machine.OrderMachine] is the single class-level
`transitions.Machine` (``model=None``, ``auto_transitions=False``): no order ever gets a
machine of its own. Its transitions are the rows of `ordercore.lifecycle.table.TABLE`, and
their conditions are the rows' guard callables. A
[`LifecycleSpec`][ordercore.lifecycle.machine.LifecycleSpec] reads a machine once into
plain dictionaries (state -> command -> destination, and (state, command) -> guards) that
`apply` uses on the hot path, that `diagram` renders and that `soundness` checks: the guards
shown are the guards that run. A transition whose destination is `None` is internal: the
command is allowed in the state and leaves the status as it is.

The derived triggers (`send_back_to_review`, `start_fulfilment`, `complete_fulfilment`) are
never sent by callers: the lifecycle fires them itself, after every command, while their
guards pass.

Examples:
    >>> CANONICAL.destination("under_review", "approve")
    'approved'
    >>> CANONICAL.allows("fulfilled", "ship")
    False
    >>> [guard.__name__ for guard in CANONICAL.guards_for("under_review", "approve")]
    ['review_passed', 'not_held']
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, ClassVar, Final, cast

from transitions import Machine

from ordercore.lifecycle.table import DERIVED, FINAL_STATUSES, ROWS, TABLE
from ordercore.status import OrderStatus as S

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ordercore.lifecycle.guards import Guard

__all__ = ["CANONICAL", "LifecycleSpec", "OrderMachine"]

_FINAL_NAMES: Final = frozenset(status.value for status in FINAL_STATUSES)


def _transitions() -> list[dict[str, object]]:
    return [
        {
            "trigger": row.command,
            "source": [s.value for s in row.sources],
            "dest": None if row.dest is None else row.dest.value,
            "conditions": list(row.guards),
        }
        for row in TABLE
    ]


class OrderMachine:
    """Holds the one class-level `transitions.Machine` that defines the canonical lifecycle."""

    machine: ClassVar[Machine] = Machine(
        model=None,
        states=[s.value for s in S],
        transitions=_transitions(),
        initial=S.DRAFT.value,
        auto_transitions=False,
    )
    """The machine: states are `OrderStatus` values, triggers are `CommandName` values, and
    each transition's conditions are its guards."""


class LifecycleSpec:
    """A lifecycle definition read into lookup tables: canonical, or extended by a host.

    Args:
        machine: The `transitions.Machine` (with ``model=None``) holding the definition;
            its transitions' conditions are guard callables.
        sub_states: Host sub-state name -> the canonical status it refines.
        finals: The final states.
        name: Shown in diagrams and error messages.

    Attributes:
        table: State -> command -> destination (`None` for an internal transition).
        guards: (state, command) -> the guards that run on that transition, in order.
        steps: (state, caller command) -> (destination, guards); derived triggers are not
            in it, since callers cannot send them.
    """

    def __init__(
        self,
        machine: Machine,
        *,
        sub_states: Mapping[str, S] | None = None,
        finals: frozenset[str] = _FINAL_NAMES,
        name: str = "canonical",
    ) -> None:
        self.machine = machine
        self.name = name
        self.sub_states: Mapping[str, S] = MappingProxyType(dict(sub_states or {}))
        self.finals = finals
        self.states: tuple[str, ...] = tuple(machine.states)
        self.initial: str = str(machine.initial)
        table: dict[str, dict[str, str | None]] = {state: {} for state in self.states}
        guards: dict[tuple[str, str], tuple[Guard, ...]] = {}
        for trigger, event in machine.events.items():
            for source, transitions in event.transitions.items():
                for transition in transitions:
                    table.setdefault(source, {})[trigger] = transition.dest
                    # The table (or a host's extend) puts Guard callables here.
                    found = [cast("Guard", c.func) for c in transition.conditions]
                    guards[source, trigger] = tuple(found)
        self.table: Mapping[str, Mapping[str, str | None]] = MappingProxyType(
            {state: MappingProxyType(row) for state, row in table.items()}
        )
        self.guards: Mapping[tuple[str, str], tuple[Guard, ...]] = MappingProxyType(guards)
        # (state, caller command) -> (destination, guards): `apply`'s one lookup per command.
        self.steps: Mapping[tuple[str, str], tuple[str | None, tuple[Guard, ...]]] = (
            MappingProxyType(
                {
                    (state, trigger): (dest, guards[state, trigger])
                    for state, commands in table.items()
                    for trigger, dest in commands.items()
                    if trigger not in DERIVED
                }
            )
        )
        self._allowed: dict[str, tuple[str, ...]] = {
            state: tuple(t for t in commands if t not in DERIVED)
            for state, commands in table.items()
        }
        self._derived: dict[str, tuple[tuple[str, str, tuple[Guard, ...]], ...]] = {
            state: tuple(
                (t, str(dest), guards[state, t])
                for t, dest in commands.items()
                if t in DERIVED and dest is not None
            )
            for state, commands in table.items()
        }
        # (state, caller command) -> the derived transitions tried after it: those the
        # table's `fired_by` leaves out for this command are never tried.
        self._derived_after: dict[tuple[str, str], tuple[tuple[str, str, tuple[Guard, ...]], ...]]
        self._derived_after = {
            (state, command): tuple(
                candidate
                for candidate in candidates
                if not ROWS[candidate[0]].fired_by or command in ROWS[candidate[0]].fired_by
            )
            for state, candidates in self._derived.items()
            for command in {c for row in table.values() for c in row if c not in DERIVED}
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

    def guards_for(self, state: str, command: str) -> tuple[Guard, ...]:
        """The guards that run when `command` is applied in `state` (empty if none)."""
        return self.guards.get((state, command), ())

    def derived(self, state: str) -> tuple[tuple[str, str, tuple[Guard, ...]], ...]:
        """The derived transitions out of `state`: (trigger, destination, guards), in order."""
        return self._derived.get(state, ())

    def derived_after(
        self, state: str, command: str
    ) -> tuple[tuple[str, str, tuple[Guard, ...]], ...]:
        """As `derived`, less the transitions the table does not fire after `command`."""
        found = self._derived_after.get((state, command))
        return self.derived(state) if found is None else found

    def commands(self, state: str) -> tuple[str, ...]:
        """The caller commands the table allows in `state`, in definition order."""
        return self._allowed.get(state, ())


CANONICAL: Final = LifecycleSpec(OrderMachine.machine)
"""The canonical lifecycle, read from `OrderMachine.machine`."""
