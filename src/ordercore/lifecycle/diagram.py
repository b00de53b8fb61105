"""The Mermaid state diagram, generated from the same `transitions` definition `apply` uses.

Only status-changing transitions are drawn (internal ones, such as ledger movements, appear in
the state/command table); derived triggers carry their condition in brackets.

Examples:
    >>> print(mermaid().splitlines()[2])  # io-ok: doctest output
        draft --> submitted: submit
"""

from __future__ import annotations

from ordercore.lifecycle.machine import CANONICAL, LifecycleSpec

__all__ = ["command_table", "mermaid"]


def mermaid(spec: LifecycleSpec = CANONICAL) -> str:
    """Render the spec's state diagram as Mermaid `stateDiagram-v2` text (deterministic)."""
    lines = ["stateDiagram-v2", f"    [*] --> {spec.initial}"]
    for state in spec.states:
        edges: dict[str, list[str]] = {}
        for trigger, dest in spec.table.get(state, {}).items():
            if dest is None:
                continue
            condition = spec.conditions.get((state, trigger), ())
            text = f"{trigger} [{', '.join(condition)}]" if condition else trigger
            edges.setdefault(dest, []).append(text)
        lines.extend(
            f"    {state} --> {dest}: {', '.join(labels)}" for dest, labels in edges.items()
        )
    for state, parent in spec.sub_states.items():
        lines.append(f"    note right of {state}: within {parent.value}")
    lines.extend(f"    {state} --> [*]" for state in spec.states if state in spec.finals)
    return "\n".join(lines) + "\n"


def command_table(spec: LifecycleSpec = CANONICAL) -> dict[str, tuple[str, ...]]:
    """State -> the caller commands allowed there (what the docs' table shows)."""
    return {state: spec.commands(state) for state in spec.states}
