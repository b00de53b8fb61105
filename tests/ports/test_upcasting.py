"""Event schema versions: stored events of this release stay readable, older shapes upcast."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import insert, select

from _sqlalchemy_support import empty_postgres, fresh_sqlite
from ordercore.errors import ConfigurationError, CorruptRecord
from ordercore.events import Actor, OrderSubmitted, event_types
from ordercore.lifecycle import Submit, apply, create
from ordercore.testing.factories import make_order
from ordercore.upcasting import DEFAULT_SCHEMAS, EventSchemas, collector_paused
from ordercore_sqlalchemy import SQLAlchemyOrderRepository, sqlite_engine
from ordercore_sqlalchemy.schema import EVENTS

pytest_plugins = ["_sqlalchemy_fixtures"]

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Engine

FIXTURE = Path(__file__).with_name("fixtures") / "stored_events_v1.json"
STORED: list[dict[str, Any]] = json.loads(FIXTURE.read_text(encoding="utf-8"))["events"]


def _rename(old: str, new: str) -> Any:
    def upcast(body: dict[str, Any]) -> dict[str, Any]:
        shaped = dict(body)
        shaped[new] = shaped.pop(old, "")
        return shaped

    return upcast


def _as_stored(value: Any, stored: Any) -> Any:
    """`value` cut down to the keys `stored` has, at every depth."""
    if isinstance(value, dict) and isinstance(stored, dict):
        return {key: _as_stored(value.get(key), stored[key]) for key in stored}
    if isinstance(value, list) and isinstance(stored, list) and len(value) == len(stored):
        return [_as_stored(v, s) for v, s in zip(value, stored, strict=True)]
    return value


def _old_submitted(**extra: Any) -> dict[str, Any]:
    """An order_submitted as a hypothetical version 1 stored it: the reason under 'why'."""
    return {
        "type": "order_submitted",
        "event_id": "E-1",
        "order_id": "SO-1",
        "order_version": 1,
        "at": "2026-03-02T01:30:00Z",
        "actor": {"kind": "user", "id": "ana"},
        "why": "customer called",
        **extra,
    }


# -- the fixture of this release ------------------------------------------------------------


@pytest.mark.parametrize(
    "stored", STORED, ids=[f"{n}-{s['body']['type']}" for n, s in enumerate(STORED)]
)
def test_an_event_stored_by_this_release_reads_back_unchanged(stored: dict[str, Any]) -> None:
    event = DEFAULT_SCHEMAS.read(json.dumps(stored["body"]), stored["schema_version"])
    assert event.type == stored["body"]["type"]
    again = json.loads(event.model_dump_json())
    # Fields added since (with defaults) may appear; every stored one must read back as it was.
    assert _as_stored(again, stored["body"]) == stored["body"], "a stored field reads differently"


def test_the_fixture_covers_most_event_types() -> None:
    covered = {stored["body"]["type"] for stored in STORED}
    assert covered <= set(event_types())
    assert len(covered) >= 40


# -- the registry -----------------------------------------------------------------------------


def test_every_type_is_at_version_one_in_this_release() -> None:
    assert {DEFAULT_SCHEMAS.version_of(kind) for kind in event_types()} == {1}


def test_upcasters_run_in_order_from_the_stored_version() -> None:
    schemas = DEFAULT_SCHEMAS.with_upcaster(
        "order_submitted", 1, _rename("why", "note")
    ).with_upcaster("order_submitted", 2, _rename("note", "reason"))
    assert schemas.version_of("order_submitted") == 3
    from_one = schemas.read(json.dumps(_old_submitted()), 1)
    version_two = {key: value for key, value in _old_submitted().items() if key != "why"}
    from_two = schemas.read(json.dumps({**version_two, "note": "x"}), 2)
    assert isinstance(from_one, OrderSubmitted)
    assert from_one.reason == "customer called"
    assert from_two.reason == "x"


def test_the_registry_is_a_value() -> None:
    changed = DEFAULT_SCHEMAS.with_upcaster("order_submitted", 1, _rename("why", "reason"))
    assert DEFAULT_SCHEMAS.version_of("order_submitted") == 1
    assert changed.version_of("order_submitted") == 2
    assert "order_submitted=v2" in repr(changed)


@pytest.mark.parametrize(
    ("event_type", "from_version", "upcaster", "message"),
    [
        ("no_such_event", 1, dict, "no event type"),
        ("order_submitted", 2, dict, "must start from version 1"),
        ("order_submitted", 0, dict, "must start from version 1"),
        ("order_submitted", 1, "rename", "not callable"),
    ],
)
def test_a_bad_upcaster_registration_is_refused(
    event_type: str, from_version: int, upcaster: Any, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        DEFAULT_SCHEMAS.with_upcaster(event_type, from_version, upcaster)


@pytest.mark.parametrize(
    ("body", "version", "message"),
    [
        (json.dumps(_old_submitted()), 3, "schema version 3; this release reads versions 1 to 2"),
        (json.dumps(_old_submitted()), 0, "schema version 0"),
        (json.dumps({**_old_submitted(), "type": "gone"}), 1, "unknown event type 'gone'"),
        ("{not json", 1, "not valid JSON"),
        ("[1, 2]", 1, "not an object"),
        (json.dumps({**_old_submitted(), "order_version": -1}), 1, "order_version"),
    ],
)
def test_a_body_that_cannot_be_read_raises_corrupt_record(
    body: str, version: int, message: str
) -> None:
    schemas = DEFAULT_SCHEMAS.with_upcaster("order_submitted", 1, _rename("why", "reason"))
    with pytest.raises(CorruptRecord, match=message):
        schemas.read(body, version)


def test_an_upcaster_that_returns_something_else_raises_corrupt_record() -> None:
    schemas = DEFAULT_SCHEMAS.with_upcaster("order_submitted", 1, lambda _: None)  # type: ignore[arg-type, return-value]
    with pytest.raises(CorruptRecord, match="must return the object of the next version"):
        schemas.read(json.dumps(_old_submitted()), 1)


def test_a_corrupt_row_in_a_batch_is_named() -> None:
    good = STORED[0]["body"]
    rows = [(json.dumps(good), 1), (json.dumps({**good, "event_id": "E-bad", "at": 5}), 1)]
    with pytest.raises(CorruptRecord, match="stored event 'E-bad'"):
        DEFAULT_SCHEMAS.read_many(rows)


def test_reading_a_batch_pauses_the_collector_and_restores_it_on_error_too() -> None:
    good = STORED[0]["body"]
    seen: list[bool] = []

    def spy(body: dict[str, Any]) -> dict[str, Any]:
        seen.append(gc.isenabled())
        body = dict(body)
        body["reason"] = body.pop("why")
        return body

    schemas = DEFAULT_SCHEMAS.with_upcaster("order_submitted", 1, spy)
    rows = [(json.dumps(_old_submitted()), 1)]
    assert len(schemas.read_many(rows)) == 1
    assert seen == [False]
    assert gc.isenabled()
    bad = [(json.dumps(good), 1), (json.dumps({**good, "event_id": "E-bad", "at": 5}), 1)]
    with pytest.raises(CorruptRecord):
        DEFAULT_SCHEMAS.read_many(bad)
    assert gc.isenabled()
    gc.disable()  # a host that runs without the collector keeps it off
    try:
        DEFAULT_SCHEMAS.read_many([(json.dumps(good), 1)])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_pause_inside_a_pause_leaves_the_collector_to_the_outer_one() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_restores_the_collector_when_its_block_raises() -> None:
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_the_default_schemas_are_an_event_schemas() -> None:
    assert isinstance(DEFAULT_SCHEMAS, EventSchemas)


# -- the adapter stores the version and upcasts on read ----------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path
) -> Iterator[Engine]:
    if request.param == "sqlite":
        made = sqlite_engine(fresh_sqlite(sqlite_template, tmp_path))
        yield made
        made.dispose()
        return
    shared: Engine = request.getfixturevalue("postgres_engine")
    empty_postgres(shared)
    yield shared


def test_the_adapter_stores_each_events_schema_version_and_upcasts_old_rows(
    engine: Engine,
) -> None:
    schemas = DEFAULT_SCHEMAS.with_upcaster("order_submitted", 1, _rename("why", "reason"))
    repo = SQLAlchemyOrderRepository(engine, schemas=schemas)
    clerk = Actor.user("ana")
    order, created = create(make_order("SO-1"), at=make_order().received_at, actor=clerk)
    repo.add(order, created)
    submitted, events = apply(order, Submit(), at=order.received_at, actor=clerk)
    repo.save(submitted, expected_version=0, events=events)
    with engine.begin() as connection:
        versions = connection.execute(
            select(EVENTS.c.event_type, EVENTS.c.schema_version).order_by(EVENTS.c.position)
        ).all()
        connection.execute(  # a row as the older release stored it
            insert(EVENTS),
            {
                "event_id": "E-old",
                "order_id": "SO-OLD",
                "order_version": 1,
                "seq": 0,
                "event_type": "order_submitted",
                "schema_version": 1,
                "at": order.received_at,
                "body": json.dumps(_old_submitted(event_id="E-old", order_id="SO-OLD")),
            },
        )
    assert [tuple(row) for row in versions] == [("order_created", 1), ("order_submitted", 2)]
    assert repo.events("SO-1") == [*created, *events]
    (old,) = repo.events("SO-OLD")
    assert old.reason == "customer called"
    assert [entry.event.event_id for entry in repo.events_since(0, 10)][-1] == "E-old"
