"""The SQLite example adapter passes the contract suite on a real file, and fails safely."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ordercore import CorruptRecord
from ordercore.testing.contracts import OrderRepositoryContract
from ordercore.testing.factories import make_order

if TYPE_CHECKING:
    from types import ModuleType

    from ordercore.ports import OrderRepository

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sqlite_repository.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sqlite_repository_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


example = _load()


class TestSQLiteOrderRepository(OrderRepositoryContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path: Path) -> None:
        self.folder = tmp_path

    def make_repository(self) -> OrderRepository:
        repo: OrderRepository = example.SQLiteOrderRepository(self.folder / "orders.sqlite3")
        return repo


def _corrupt(path: Path, sql: str, *params: Any) -> None:
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(sql, params)
    connection.close()


def test_a_row_with_bad_json_raises_corrupt_record_naming_the_order(tmp_path: Path) -> None:
    path = tmp_path / "orders.sqlite3"
    repo = example.SQLiteOrderRepository(path)
    repo.add(make_order("SO-1"))
    _corrupt(path, "UPDATE orders SET body = ? WHERE order_id = ?", '{"order_id": "SO-1",', "SO-1")
    with pytest.raises(CorruptRecord, match="stored order 'SO-1' cannot be read"):
        repo.get("SO-1")


def test_a_row_whose_body_names_another_order_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "orders.sqlite3"
    repo = example.SQLiteOrderRepository(path)
    repo.add(make_order("SO-1"))
    repo.add(make_order("SO-2"))
    _corrupt(
        path,
        "UPDATE orders SET body = (SELECT body FROM orders WHERE order_id = 'SO-2') "
        "WHERE order_id = 'SO-1'",
    )
    with pytest.raises(CorruptRecord, match="body says 'SO-2'"):
        repo.get("SO-1")


def test_a_corrupt_event_raises_corrupt_record_naming_the_event(tmp_path: Path) -> None:
    from ordercore.events import Actor  # noqa: PLC0415
    from ordercore.lifecycle import create  # noqa: PLC0415

    path = tmp_path / "orders.sqlite3"
    repo = example.SQLiteOrderRepository(path)
    order, events = create(make_order("SO-1"), at=make_order().received_at, actor=Actor.user("u"))
    repo.add(order, events)
    _corrupt(path, "UPDATE events SET body = 'not json'")
    with pytest.raises(CorruptRecord, match=f"stored event '{events[0].event_id}'"):
        repo.events("SO-1")


def test_a_failed_write_leaves_no_partial_rows(tmp_path: Path) -> None:
    from ordercore.events import Actor  # noqa: PLC0415
    from ordercore.lifecycle import create  # noqa: PLC0415

    path = tmp_path / "orders.sqlite3"
    repo = example.SQLiteOrderRepository(path)
    first, events = create(make_order("SO-1"), at=make_order().received_at, actor=Actor.user("u"))
    repo.add(first, events)
    second = make_order("SO-2")
    # The same event ids again: the order row is inserted first, then the event insert fails.
    clash = [e.model_copy(update={"order_id": "SO-2"}) for e in events]
    with pytest.raises(ValueError, match="already stored"):
        repo.add(second, clash)
    assert "SO-2" not in repo
    assert len(repo) == 1


def test_the_example_script_runs_its_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ORDERCORE_OUTPUT", str(tmp_path))
    example.main()
    out = capsys.readouterr().out
    assert "stale write refused" in out
    assert "read back equal: True" in out
