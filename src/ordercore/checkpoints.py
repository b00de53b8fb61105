"""Checkpoints: supervision steps recorded on an order (a second approval, a packing inspection).

A checkpoint is what a supervisor did and found, recorded in the trail with
`RecordCheckpoint` (event `CheckpointRecorded`). The order keeps every one it was given, in
order; a later record of the same checkpoint supersedes the earlier one. Which checkpoints an
order needs, and before which step, is the host's supervision plan (see
`ordercore.risk.supervision`), which reads them through `Order.checkpoint`.

Examples:
    >>> from datetime import datetime, timezone
    >>> done = Checkpoint(checkpoint="second_approval", passed=True,
    ...     at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc), by="user:li.wei")
    >>> done.passed, done.by
    (True, 'user:li.wei')
"""

from __future__ import annotations

from ordercore._base import Entity, Id, ShortText, Text, Timestamp

__all__ = ["Checkpoint"]


class Checkpoint(Entity):
    """One supervision checkpoint as recorded.

    Attributes:
        checkpoint: Its name in the host's plan (``"second_approval"``).
        passed: What the check found (`False`: it was done and failed).
        at: When it was recorded.
        by: Who recorded it (the actor, ``"user:li.wei"``).
        reason: The note recorded with it.
    """

    checkpoint: Id
    passed: bool
    at: Timestamp
    by: ShortText
    reason: Text = ""
