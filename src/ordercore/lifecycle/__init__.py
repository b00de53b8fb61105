"""The order lifecycle: commands in, `(new order, events)` out, on one explicit state machine.

See the Lifecycle page of the docs for the diagram, the state/command table, guards, holds,
amendments, after-sales cases, events and host extension.
"""

from __future__ import annotations

from ordercore.events import Party
from ordercore.holds import HoldAction, HoldReason
from ordercore.lifecycle.aftersales import CaseMachines
from ordercore.lifecycle.apply import DEFAULT_POLICY, allowed_commands, apply, create
from ordercore.lifecycle.commands import (
    AdvanceCase,
    Allocate,
    AmendOrder,
    Approve,
    Archive,
    Cancel,
    Close,
    Command,
    CommandName,
    Deliver,
    Expire,
    HostTrigger,
    Invoice,
    Movement,
    OpenCase,
    Pack,
    PlaceHold,
    PlanProduction,
    Procure,
    Produce,
    RecordFeedback,
    RecordPayment,
    RecordRiskAssessment,
    Reject,
    ReleaseAllocation,
    ReleaseHold,
    ReviewVerdict,
    Ship,
    ShortClose,
    StartReview,
    Submit,
    WaiveFeedback,
)
from ordercore.lifecycle.guards import Guard, GuardContext, LifecyclePolicy
from ordercore.lifecycle.machine import CANONICAL, LifecycleSpec, OrderMachine
from ordercore.lifecycle.replay import evolve, replay
from ordercore.lifecycle.table import TABLE, Transition

__all__ = [
    "CANONICAL",
    "DEFAULT_POLICY",
    "TABLE",
    "AdvanceCase",
    "Allocate",
    "AmendOrder",
    "Approve",
    "Archive",
    "Cancel",
    "CaseMachines",
    "Close",
    "Command",
    "CommandName",
    "Deliver",
    "Expire",
    "Guard",
    "GuardContext",
    "HoldAction",
    "HoldReason",
    "HostTrigger",
    "Invoice",
    "LifecyclePolicy",
    "LifecycleSpec",
    "Movement",
    "OpenCase",
    "OrderMachine",
    "Pack",
    "Party",
    "PlaceHold",
    "PlanProduction",
    "Procure",
    "Produce",
    "RecordFeedback",
    "RecordPayment",
    "RecordRiskAssessment",
    "Reject",
    "ReleaseAllocation",
    "ReleaseHold",
    "ReviewVerdict",
    "Ship",
    "ShortClose",
    "StartReview",
    "Submit",
    "Transition",
    "WaiveFeedback",
    "allowed_commands",
    "apply",
    "create",
    "evolve",
    "replay",
]
