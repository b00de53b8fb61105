"""Event schema versions, and upcasters that read events stored by an older release.

Events are stored for years; their classes change. Every event type has a *schema version*
(1 until its shape first changes). A repository stores the version beside each event body
(`EventSchemas.version_of`) and reads rows back through `EventSchemas.read`, which passes
an older body through the chain of upcasters, version by version, before today's class
validates it. An upcaster is a plain function from the stored JSON object (a `dict`) of one
version to the object of the next; it never sees a class, so old shapes need no old code.

When a release changes an event's shape, it registers the upcaster from the old version:
`DEFAULT_SCHEMAS.with_upcaster("order_submitted", 1, rename_when_to_at)` makes version 2
current for that type, and rows stored at version 1 read back as version 2.
`tests/ports/fixtures/stored_events_v1.json` holds events as this release stores them; a
test reads it on every run, so a change that breaks reading them fails the suite.

Examples:
    >>> def why_to_reason(body):  # version 1 kept the reason under another name
    ...     body = dict(body)
    ...     body["reason"] = body.pop("why", "")
    ...     return body
    >>> schemas = DEFAULT_SCHEMAS.with_upcaster("order_submitted", 1, why_to_reason)
    >>> schemas.version_of("order_submitted"), schemas.version_of("order_approved")
    (2, 1)
    >>> stored = (
    ...     '{"type": "order_submitted", "event_id": "E-1", "order_id": "SO-1",'
    ...     ' "order_version": 1, "at": "2026-03-02T01:30:00Z",'
    ...     ' "actor": {"kind": "user", "id": "ana"}, "why": "customer called"}'
    ... )
    >>> schemas.read(stored, version=1).reason
    'customer called'
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import pydantic

from ordercore.errors import ConfigurationError, CorruptRecord
from ordercore.events import event_types, parse_event, parse_events

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from contextlib import AbstractContextManager
    from types import TracebackType

    from ordercore.events import OrderEvent

__all__ = ["DEFAULT_SCHEMAS", "EventSchemas", "Upcaster", "collector_paused"]

Upcaster: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]
"""An upcaster: the stored JSON object of one schema version in, that of the next out."""


class EventSchemas:
    """The current schema version of every event type, and the upcasters from older ones.

    A value: `with_upcaster` returns a new one. Every type is at version 1 unless upcasters
    were registered for it; the versions between 1 and the current one each have exactly one
    upcaster, so every stored version can be read.
    """

    __slots__ = ("_upcasters", "_versions")

    def __init__(self) -> None:
        self._versions: Mapping[str, int] = MappingProxyType({})
        self._upcasters: Mapping[tuple[str, int], Upcaster] = MappingProxyType({})

    def __repr__(self) -> str:
        changed = ", ".join(
            f"{kind}=v{version}" for kind, version in sorted(self._versions.items())
        )
        return f"EventSchemas({changed or 'every type at v1'})"

    def version_of(self, event_type: str) -> int:
        """The schema version that today's class of `event_type` reads and writes (1 by default).

        Examples:
            >>> DEFAULT_SCHEMAS.version_of("order_created")
            1
        """
        return self._versions.get(event_type, 1)

    def with_upcaster(
        self,
        event_type: str,
        from_version: int,
        upcaster: Upcaster,
    ) -> EventSchemas:
        """Return schemas in which stored `from_version` bodies of `event_type` are upcast.

        The upcaster turns version `from_version` into `from_version + 1`, which becomes the
        type's current version. Register them in order: 1, then 2, and so on.

        Raises:
            ConfigurationError: If the type is unknown, `from_version` is not the type's
                current version, or `upcaster` is not callable.

        Examples:
            >>> DEFAULT_SCHEMAS.with_upcaster("order_submitted", 2, dict)
            Traceback (most recent call last):
            ...
            ordercore.errors.ConfigurationError: EventSchemas: order_submitted is at version 1; the next upcaster must start from version 1, not 2
        """
        if event_type not in event_types():
            raise ConfigurationError(
                f"no event type {event_type!r}; known types are those of event_types()",
                component="EventSchemas",
            )
        current = self.version_of(event_type)
        if type(from_version) is not int or from_version != current:
            raise ConfigurationError(
                f"{event_type} is at version {current}; the next upcaster must start from "
                f"version {current}, not {from_version!r}",
                component="EventSchemas",
            )
        if not callable(upcaster):
            raise ConfigurationError(
                f"the upcaster of {event_type} v{from_version} is not callable: {upcaster!r}",
                component="EventSchemas",
            )
        new = EventSchemas()
        new._versions = MappingProxyType({**self._versions, event_type: current + 1})
        new._upcasters = MappingProxyType({**self._upcasters, (event_type, from_version): upcaster})
        return new

    def upcast(self, body: Mapping[str, Any], version: int) -> dict[str, Any]:
        """Turn a stored event object of schema `version` into today's shape.

        Raises:
            CorruptRecord: If the body has no known `type`, the version is below 1 or above
                the current one (written by a newer release), or an upcaster does not
                return an object of the same type.
        """
        key = str(body.get("event_id", "?"))
        event_type = body.get("type")
        if not isinstance(event_type, str) or event_type not in event_types():
            raise CorruptRecord("event", key, f"unknown event type {event_type!r}")
        current = self.version_of(event_type)
        if type(version) is not int or not 1 <= version <= current:
            raise CorruptRecord(
                "event",
                key,
                f"{event_type} stored at schema version {version!r}; this release reads "
                f"versions 1 to {current} (a newer release wrote it? upgrade ordercore)",
            )
        shaped = dict(body)
        for step in range(version, current):
            shaped = self._upcasters[event_type, step](shaped)
            if not isinstance(shaped, dict) or shaped.get("type") != event_type:
                raise CorruptRecord(
                    "event",
                    key,
                    f"the upcaster of {event_type} v{step} returned {type(shaped).__name__} "
                    f"{'with another type' if isinstance(shaped, dict) else ''}; it must "
                    "return the object of the next version",
                )
        return shaped

    def read(self, body: str | bytes, version: int) -> OrderEvent:
        """Read one stored event body (JSON) of schema `version` as today's class.

        Raises:
            CorruptRecord: If the body is not JSON, cannot be upcast, or does not validate;
                the message names the event id and the first problem.
        """
        if version == 1 and not self._versions:
            # This release changed no shape: every version-1 row is already today's shape.
            try:
                return parse_event(body)
            except pydantic.ValidationError as error:
                raise _corrupt(body, error) from error
        try:
            data = json.loads(body)
        except (ValueError, TypeError) as error:
            raise _corrupt(body, error) from error
        if not isinstance(data, dict):
            raise CorruptRecord("event", "?", f"the body is {type(data).__name__}, not an object")
        shaped = self.upcast(data, version)
        try:
            return parse_event(json.dumps(shaped))
        except pydantic.ValidationError as error:
            raise _corrupt(body, error) from error

    def read_many(self, rows: Iterable[tuple[str, int]]) -> list[OrderEvent]:
        """Read stored `(body, version)` rows, in order (one batch when none needs upcasting).

        The rows are read and the events built with the collector paused (`collector_paused`).

        Raises:
            CorruptRecord: For the first row that cannot be read, naming its event.
        """
        with collector_paused():
            rows = list(rows)
            if not self._versions and all(version == 1 for _, version in rows):
                try:
                    return parse_events("[" + ",".join(body for body, _ in rows) + "]")
                except pydantic.ValidationError:
                    pass  # read them one by one below, to name the row that is wrong
            return [self.read(body, version) for body, version in rows]


class _PausedCollector:
    """The context manager of `collector_paused`: a class, so that leaving allocates nothing."""

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # The last step: an allocation after the collector resumes (a generator-based
        # manager's StopIteration) would set off a pass over the batch just built.
        if self._was_enabled:
            gc.enable()


def collector_paused() -> AbstractContextManager[None]:
    """Pause Python's cyclic garbage collector while a batch of events is read and built.

    Every object a batch allocates is returned to the caller, so the generational passes the
    allocations set off find nothing to free and only walk the heap: about a quarter of the
    time of reading a page of events (measured with ``perf``). `EventSchemas.read_many`
    reads within it; a repository's feed wraps a whole page in it, from the driver's rows to
    the entries it returns, because the first allocation after the collector resumes sets
    off a pass over everything allocated during the pause that is still alive. A reader that
    drops each page before asking for the next frees it before any pass looks at it.

    The pause lasts one batch and the collector's state is restored afterwards, on error
    too; a collector the host turned off stays off, and pauses nest. Nothing is validated
    differently with or without it.

    Examples:
        >>> import gc
        >>> with collector_paused():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    return _PausedCollector()


def _corrupt(body: str | bytes, error: Exception) -> CorruptRecord:
    text = body.decode(errors="replace") if isinstance(body, bytes) else str(body)
    try:
        key = str(json.loads(text).get("event_id", "?"))
    except (ValueError, AttributeError):
        key = "?"
    if isinstance(error, pydantic.ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(the record)"
        detail = f"{where}: {first['msg']} ({error.error_count()} problem(s))"
    else:
        detail = f"not valid JSON: {error}"
    return CorruptRecord("event", key, detail)


DEFAULT_SCHEMAS: Final = EventSchemas()
"""This release's schemas: every event type at version 1, no upcasters."""
