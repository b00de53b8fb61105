"""Soundness checks of a lifecycle spec: canonical or extended by a host.

A sound spec has one initial state that is known; every state reachable from it; no
transition out of a final state but a reopening (`table.REOPENINGS`); no trap (every non-final state can reach a final one); and
every host sub-state mapped onto a canonical, non-final status.

Examples:
    >>> check_soundness()
    ()
    >>> assert_sound()
"""

from __future__ import annotations

from ordercore.errors import UnsoundMachine
from ordercore.lifecycle.machine import CANONICAL, LifecycleSpec
from ordercore.lifecycle.table import REOPENINGS
from ordercore.status import OrderStatus

__all__ = ["assert_sound", "check_soundness"]


def _edges(spec: LifecycleSpec) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {state: set() for state in spec.states}
    for state, row in spec.table.items():
        edges.setdefault(state, set()).update(dest for dest in row.values() if dest is not None)
    return edges


def _reach(edges: dict[str, set[str]], start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for dest in edges.get(stack.pop(), ()):
            if dest not in seen:
                seen.add(dest)
                stack.append(dest)
    return seen


def check_soundness(spec: LifecycleSpec = CANONICAL) -> tuple[str, ...]:
    """Return every soundness problem of the spec (empty when sound)."""
    problems: list[str] = []
    states = set(spec.states)
    edges = _edges(spec)
    if spec.initial not in states:
        problems.append(f"initial state {spec.initial!r} is not a state")
        return tuple(problems)
    problems.extend(
        f"transition {state} -> {dest} leads to an unknown state"
        for state, dests in edges.items()
        for dest in sorted(dests - states)
    )
    reachable = _reach(edges, spec.initial)
    problems.extend(f"state {s} is unreachable" for s in spec.states if s not in reachable)
    for final in sorted(spec.finals):
        if final not in states:
            problems.append(f"final state {final} is not a state")
        else:
            exits = {
                dest
                for trigger, dest in spec.table.get(final, {}).items()
                if dest is not None and (final, trigger) not in REOPENINGS
            }
            if exits:
                problems.append(f"final state {final} has exits to {sorted(exits)}")
    problems.extend(
        f"state {s} is a trap: no final state can be reached from it"
        for s in spec.states
        if s not in spec.finals and not (_reach(edges, s) & spec.finals)
    )
    canonical = {s.value for s in OrderStatus}
    for sub, parent in spec.sub_states.items():
        if sub in canonical:
            problems.append(f"sub-state {sub} reuses a canonical status name")
        if parent.value in spec.finals:
            problems.append(f"sub-state {sub} refines final status {parent.value}")
    return tuple(problems)


def assert_sound(spec: LifecycleSpec = CANONICAL) -> None:
    """Raise `UnsoundMachine` listing every problem, if there are any."""
    problems = check_soundness(spec)
    if problems:
        raise UnsoundMachine(problems)
