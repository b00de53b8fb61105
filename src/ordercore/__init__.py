"""ordercore: the domain core of customer order management.

Order entities with exact money and a per-line quantity ledger, a lifecycle state machine,
review rules, risk scoring and KPI calculators, with no I/O: time comes in as arguments and
persistence goes through repository protocols the host implements.

`import ordercore` is light: it does not import pandas or narwhals (only `ordercore.kpi`
and the batch parts of `ordercore.risk` do).
"""

from __future__ import annotations

from ordercore._base import MAX_AMOUNT, MAX_QUANTITY, Entity
from ordercore.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    CorruptRecord,
    CurrencyMismatch,
    FrameSchemaError,
    GuardRejected,
    InvalidArgument,
    InvalidCommand,
    InvalidTransition,
    LedgerViolation,
    OrderAlreadyExists,
    OrderCoreError,
    OrderNotFound,
    TrailError,
    UnknownCurrency,
    UnsoundMachine,
    UnsupportedBackend,
)
from ordercore.labels import label
from ordercore.ledger import Dimension, LedgerField, LineLedger
from ordercore.money import Money, RoundingPolicy
from ordercore.orders import (
    Address,
    Contact,
    CustomerRef,
    Order,
    OrderLine,
    PackagingRequirements,
    SalesOwner,
)
from ordercore.schema import json_schema
from ordercore.status import Channel, OrderStatus, Progress

__version__ = "0.1.0.dev0"

__all__ = [
    "MAX_AMOUNT",
    "MAX_QUANTITY",
    "Address",
    "Channel",
    "ConcurrencyConflict",
    "ConfigurationError",
    "Contact",
    "CorruptRecord",
    "CurrencyMismatch",
    "CustomerRef",
    "Dimension",
    "Entity",
    "FrameSchemaError",
    "GuardRejected",
    "InvalidArgument",
    "InvalidCommand",
    "InvalidTransition",
    "LedgerField",
    "LedgerViolation",
    "LineLedger",
    "Money",
    "Order",
    "OrderAlreadyExists",
    "OrderCoreError",
    "OrderLine",
    "OrderNotFound",
    "OrderStatus",
    "PackagingRequirements",
    "Progress",
    "RoundingPolicy",
    "SalesOwner",
    "TrailError",
    "UnknownCurrency",
    "UnsoundMachine",
    "UnsupportedBackend",
    "json_schema",
    "label",
]
