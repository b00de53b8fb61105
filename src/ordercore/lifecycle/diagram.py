"""The Mermaid state diagram, generated from the same `transitions` definition `apply` uses.

Only status-changing transitions are drawn (internal ones, such as ledger movements, appear in
the state/command table). Each edge carries, in brackets, the guards that run on it, read from
the same machine `apply` reads them from: a host's extra guards appear too.

Examples:
    >>> print(mermaid().splitlines()[2])  # io-ok: doctest output
        draft --> submitted: submit
"""

from __future__ import annotations

from ordercore.lifecycle.guards import guard_names
from ordercore.lifecycle.machine import CANONICAL, LifecycleSpec

__all__ = ["mermaid"]


def mermaid(spec: LifecycleSpec = CANONICAL) -> str:
    """Render the spec's state diagram as Mermaid `stateDiagram-v2` text (deterministic)."""
    lines = ["stateDiagram-v2", f"    [*] --> {spec.initial}"]
    for state in spec.states:
        edges: dict[str, list[str]] = {}
        for trigger, dest in spec.table.get(state, {}).items():
            if dest is None:
                continue
            names = guard_names(spec.guards_for(state, trigger))
            text = f"{trigger} [{', '.join(names)}]" if names else trigger
            edges.setdefault(dest, []).append(text)
        lines.extend(
            f"    {state} --> {dest}: {', '.join(labels)}" for dest, labels in edges.items()
        )
    for state, parent in spec.sub_states.items():
        lines.append(f"    note right of {state}: within {parent.value}")
    lines.extend(f"    {state} --> [*]" for state in spec.states if state in spec.finals)
    return "\n".join(lines) + "\n"
