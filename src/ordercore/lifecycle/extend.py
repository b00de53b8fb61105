"""Host extension: extra sub-states mapped onto canonical statuses, extra guards; no fork.

A host ERP that needs, say, a credit check and a legal check inside review declares them as
sub-states of `UNDER_REVIEW` and names the host triggers that move between them. The order's
`status` stays canonical (KPIs and reports keep working); `Order.sub_status` holds the
sub-state. A sub-state inherits every command of its canonical status, so `approve` still
works from it (add a guard to require a particular sub-state). The extended spec is built as a
new class-level `transitions.Machine` and checked for soundness before it is returned.

Examples:
    >>> from ordercore.status import OrderStatus
    >>> spec = extend(
    ...     sub_states={"credit_check": OrderStatus.UNDER_REVIEW},
    ...     triggers=[("begin_credit_check", "under_review", "credit_check"),
    ...               ("finish_credit_check", "credit_check", "under_review")],
    ...     name="acme",
    ... )
    >>> spec.canonical("credit_check"), spec.allows("credit_check", "approve")
    (<OrderStatus.UNDER_REVIEW: 'under_review'>, True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from pydantic import TypeAdapter, ValidationError
from transitions import Machine

from ordercore._base import Id
from ordercore.errors import ConfigurationError
from ordercore.lifecycle.machine import CANONICAL, LifecycleSpec
from ordercore.lifecycle.soundness import assert_sound
from ordercore.lifecycle.table import DERIVED
from ordercore.status import OrderStatus

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ordercore.lifecycle.guards import Guard

__all__ = ["extend"]


_NAME: Final = TypeAdapter(Id)


def _check_name(kind: str, value: object, component: str) -> None:
    # Sub-state and trigger names are written into orders and events: they must be ids.
    try:
        _NAME.validate_python(value, strict=True)
    except ValidationError:
        raise ConfigurationError(
            f"{kind} name {value!r} must be an id (1-64 characters, no control or "
            "invisible characters, no surrounding space)",
            component=component,
        ) from None


def extend(  # noqa: C901, PLR0912 - one linear validation of the host's declaration
    *,
    base: LifecycleSpec = CANONICAL,
    sub_states: Mapping[str, OrderStatus] | None = None,
    triggers: Iterable[tuple[str, str, str]] = (),
    guards: Mapping[str, Iterable[Guard]] | None = None,
    name: str = "extended",
) -> LifecycleSpec:
    """Build an extended lifecycle spec.

    Args:
        base: The spec to extend.
        sub_states: New sub-state name -> the canonical status it refines.
        triggers: Host triggers as ``(trigger, source, dest)``; source and dest must refine
            the same canonical status (a host trigger never changes the canonical status).
        guards: Extra guards by command name (canonical or host trigger), attached to
            every transition of that command and run after the canonical ones. Each is a
            `Guard`; the diagram shows them.
        name: A name for diagrams and messages.

    Returns:
        The new spec, already checked for soundness.

    Raises:
        ConfigurationError: For a trigger that clashes with a canonical command or crosses
            canonical statuses.
        UnsoundMachine: If the result is not sound (e.g. an unreachable sub-state).
    """
    subs = dict(sub_states or {})
    for sub, parent in subs.items():
        _check_name("sub-state", sub, name)
        if sub in base.table:
            raise ConfigurationError(f"sub-state {sub!r} exists already", component=name)
        if not isinstance(parent, OrderStatus):
            raise ConfigurationError(f"sub-state {sub!r} must map onto an OrderStatus")
    states = [*base.states, *subs]
    spec_subs = {**base.sub_states, **subs}

    def canonical(state: str) -> str:
        parent = spec_subs.get(state)
        return parent.value if parent is not None else state

    extra = {command: tuple(found) for command, found in (guards or {}).items()}
    for command, found in extra.items():
        for guard in found:
            if not callable(guard):
                raise ConfigurationError(
                    f"guard {guard!r} for {command!r} is not callable", component=name
                )

    def transition(
        trigger: str, source: str, dest: str | None, own: tuple[Guard, ...]
    ) -> dict[str, object]:
        conditions = [*own, *extra.get(trigger, ())]
        return {"trigger": trigger, "source": source, "dest": dest, "conditions": conditions}

    transitions: list[dict[str, object]] = []
    for state, row in base.table.items():
        for trigger, dest in row.items():
            transitions.append(transition(trigger, state, dest, base.guards_for(state, trigger)))
    for sub, parent in subs.items():
        for trigger, dest in base.table.get(parent.value, {}).items():
            own = base.guards_for(parent.value, trigger)
            transitions.append(transition(trigger, sub, dest, own))
    known = {t for row in base.table.values() for t in row} | set(DERIVED)
    for trigger, source, dest in triggers:
        _check_name("host trigger", trigger, name)
        if trigger in known:
            raise ConfigurationError(
                f"host trigger {trigger!r} clashes with a canonical command", component=name
            )
        if source not in states or dest not in states:
            raise ConfigurationError(f"host trigger {trigger!r} names an unknown state")
        if canonical(source) != canonical(dest):
            raise ConfigurationError(
                f"host trigger {trigger!r} moves {canonical(source)} to {canonical(dest)}; "
                "host triggers stay within one canonical status",
                component=name,
            )
        transitions.append(transition(trigger, source, dest, ()))
    unknown = sorted(set(extra) - known - {t for t, _, _ in triggers})
    if unknown:
        raise ConfigurationError(f"guards given for unknown commands {unknown}", component=name)
    machine = Machine(
        model=None,
        states=states,
        transitions=transitions,
        initial=base.initial,
        auto_transitions=False,
    )
    spec = LifecycleSpec(machine, sub_states=spec_subs, finals=base.finals, name=name)
    assert_sound(spec)
    return spec
