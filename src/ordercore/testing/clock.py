"""A clock that stands still until told to move: the time source for deterministic tests.

Examples:
    >>> from datetime import UTC, datetime, timedelta
    >>> clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    >>> clock.advance(timedelta(hours=2))
    datetime.datetime(2026, 3, 2, 11, 0, tzinfo=datetime.timezone.utc)
    >>> clock.now()
    datetime.datetime(2026, 3, 2, 11, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

__all__ = ["FrozenClock"]


class FrozenClock:
    """Satisfies `ordercore.ports.Clock`; returns the same instant until advanced or set."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError(f"FrozenClock needs a timezone-aware start, got {start!r}")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The frozen instant."""
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` (never backwards) and return the new instant."""
        if delta < timedelta(0):
            raise ValueError(f"a clock does not run backwards; got {delta}")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> datetime:
        """Jump to `moment`, which may not be earlier than now."""
        if moment.tzinfo is None:
            raise ValueError(f"FrozenClock needs timezone-aware times, got {moment!r}")
        with self._lock:
            if moment < self._now:
                raise ValueError(
                    f"{moment} is before the clock's {self._now}; clocks do not run backwards"
                )
            self._now = moment
            return self._now
