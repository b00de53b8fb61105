"""The after-sales case machines: one small class-level `transitions.Machine` per case kind.

| kind | steps |
|---|---|
| return (RMA) | requested → approved / declined; approved → received (with condition); received → refunded or replaced |
| exchange | requested → approved / declined; approved → received; received → replaced |
| repair / warranty | requested → approved / declined; approved → received; received → repaired |
| complaint | received → investigated (root cause) → resolved; received → declined |

Ledger effects (applied by the lifecycle): opening a return or exchange records
`return_requested`; a decline gives it back; receiving records `returned`; a refund lowers
`invoiced` (and `paid` down to it); a replacement records `exchanged`; a repair records
`repaired`.

Examples:
    >>> from ordercore.aftersales import CaseAction, CaseKind, CaseStatus
    >>> CaseMachines.next_status(CaseKind.RETURN, CaseStatus.APPROVED, CaseAction.RECEIVE)
    <CaseStatus.RECEIVED: 'received'>
    >>> CaseMachines.actions(CaseKind.COMPLAINT, CaseStatus.RECEIVED)
    ('investigate', 'decline')
"""

from __future__ import annotations

from types import MappingProxyType
from typing import ClassVar, Final

from transitions import Machine

from ordercore.aftersales import CaseAction as A
from ordercore.aftersales import CaseKind as K
from ordercore.aftersales import CaseStatus as St

__all__ = ["CASE_TRANSITIONS", "INITIAL_CASE_STATUS", "CaseMachines"]

_REQUEST = [
    [A.APPROVE, St.REQUESTED, St.APPROVED],
    [A.DECLINE, St.REQUESTED, St.DECLINED],
    [A.RECEIVE, St.APPROVED, St.RECEIVED],
]

CASE_TRANSITIONS: Final = MappingProxyType(
    {
        K.RETURN: (
            *_REQUEST,
            [A.REFUND, St.RECEIVED, St.REFUNDED],
            [A.REPLACE, St.RECEIVED, St.REPLACED],
        ),
        K.EXCHANGE: (*_REQUEST, [A.REPLACE, St.RECEIVED, St.REPLACED]),
        K.REPAIR: (*_REQUEST, [A.REPAIR, St.RECEIVED, St.REPAIRED]),
        K.COMPLAINT: (
            [A.INVESTIGATE, St.RECEIVED, St.INVESTIGATED],
            [A.DECLINE, St.RECEIVED, St.DECLINED],
            [A.RESOLVE, St.INVESTIGATED, St.RESOLVED],
        ),
    }
)
"""Per case kind: ``[action, source status, destination status]`` rows."""

INITIAL_CASE_STATUS: Final = MappingProxyType(
    {
        K.RETURN: St.REQUESTED,
        K.EXCHANGE: St.REQUESTED,
        K.REPAIR: St.REQUESTED,
        K.COMPLAINT: St.RECEIVED,
    }
)
"""The status a new case starts in, by kind."""


def _machine(kind: K) -> Machine:
    rows = CASE_TRANSITIONS[kind]
    states = sorted({str(r[1]) for r in rows} | {str(r[2]) for r in rows})
    return Machine(
        model=None,
        states=states,
        transitions=[[str(a), str(s), str(d)] for a, s, d in rows],
        initial=str(INITIAL_CASE_STATUS[kind]),
        auto_transitions=False,
    )


def _table(machine: Machine) -> dict[St, dict[A, St]]:
    table: dict[St, dict[A, St]] = {}
    for trigger, event in machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                table.setdefault(St(source), {})[A(trigger)] = St(str(transition.dest))
    return table


class CaseMachines:
    """The class-level case machines and their lookup tables (one machine per kind)."""

    machines: ClassVar[dict[K, Machine]] = {kind: _machine(kind) for kind in K}
    """The `transitions.Machine` of each case kind (``model=None``)."""

    tables: ClassVar[dict[K, dict[St, dict[A, St]]]] = {
        kind: _table(machine) for kind, machine in machines.items()
    }
    """Kind -> status -> action -> next status, read from the machines."""

    @classmethod
    def next_status(cls, kind: K, status: St, action: A) -> St | None:
        """The status `action` leads to, or `None` if the case machine does not allow it."""
        return cls.tables[kind].get(status, {}).get(action)

    @classmethod
    def actions(cls, kind: K, status: St) -> tuple[str, ...]:
        """The actions allowed on a case of this kind in this status."""
        return tuple(str(a) for a in cls.tables[kind].get(status, {}))
