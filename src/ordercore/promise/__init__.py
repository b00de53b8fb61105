"""Capacity-aware promise dates and allocation: snapshots in, plans and commands out.

The wing is pure: the host assembles a [`PromiseSnapshot`][ordercore.promise.snapshot.PromiseSnapshot]
(stock, receipts, capacity, items, open orders), asks for an allocation plan or a promise
answer, and applies the lifecycle commands the plan proposes itself. See the guide
(``docs/promise.md``) for worked examples.
"""

from __future__ import annotations

from ordercore.promise.allocate import AllocationPlan, allocate, promise
from ordercore.promise.constraints import Constraint, ConstraintKind
from ordercore.promise.contingency import (
    AffectedOrder,
    ContingencyPlan,
    LineChange,
    ReceiptCancelled,
    ReceiptDelayed,
    ResourceDown,
    SupplyEvent,
    apply_event,
    respond,
)
from ordercore.promise.errors import SnapshotError, UnknownReference
from ordercore.promise.plans import (
    Availability,
    CapacityUse,
    LinePlan,
    OrderPlan,
    PlannedCommand,
    PromiseAnswer,
)
from ordercore.promise.policy import DEFAULT_POLICY, PriorityKey, PriorityPolicy, RankFactor
from ordercore.promise.snapshot import (
    CapacityOverride,
    Component,
    Item,
    OnHand,
    OpenLine,
    OpenOrder,
    PromiseSnapshot,
    Receipt,
    Resource,
    SourcingMode,
)

__all__ = [
    "DEFAULT_POLICY",
    "AffectedOrder",
    "AllocationPlan",
    "Availability",
    "CapacityOverride",
    "CapacityUse",
    "Component",
    "Constraint",
    "ConstraintKind",
    "ContingencyPlan",
    "Item",
    "LineChange",
    "LinePlan",
    "OnHand",
    "OpenLine",
    "OpenOrder",
    "OrderPlan",
    "PlannedCommand",
    "PriorityKey",
    "PriorityPolicy",
    "PromiseAnswer",
    "PromiseSnapshot",
    "RankFactor",
    "Receipt",
    "ReceiptCancelled",
    "ReceiptDelayed",
    "Resource",
    "ResourceDown",
    "SnapshotError",
    "SourcingMode",
    "SupplyEvent",
    "UnknownReference",
    "allocate",
    "apply_event",
    "promise",
    "respond",
]
