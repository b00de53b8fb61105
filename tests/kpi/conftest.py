"""Backends for the KPI tests: the one local PySpark session, and frames built per backend.

Hand-computed cases are written once as pandas frames and run on every backend through the
`constructor` fixture (as narwhals parametrises its tests by constructor): pandas, polars
eager, polars lazy and DuckDB. Spark runs only in the tests marked ``spark``.

Starting a JVM costs 6-12 s, so there is one Spark session for the whole run, created only when
a test asks for it: `local[2]`, no UI, two shuffle partitions, UTC session time zone (ordercore
does not depend on it; a test changes it on purpose), a small driver.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import duckdb
import narwhals.stable.v2 as nw
import polars as pl
import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

    from _fingerprints import Fingerprints

Constructor = Callable[["pd.DataFrame"], Any]
"""Builds the same frame in one backend from a pandas frame."""

BACKENDS = ("pandas", "polars[eager]", "polars[lazy]", "duckdb")


@pytest.fixture(params=BACKENDS)
def constructor(request: pytest.FixtureRequest) -> Iterator[Constructor]:
    """Turn a pandas frame into the same frame in one of the backends."""
    name = request.param
    connection = duckdb.connect()

    def build(frame: pd.DataFrame) -> Any:
        if name == "pandas":
            return frame
        eager = pl.from_pandas(frame)
        if name == "polars[eager]":
            return eager
        if name == "polars[lazy]":
            return eager.lazy()
        return connection.from_arrow(eager.to_arrow())

    yield build
    connection.close()


def _rows(native: Any) -> list[dict[str, Any]]:
    frame = nw.from_native(native)
    eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
    return [
        {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        for row in eager.rows(named=True)
    ]


@pytest.fixture
def as_rows() -> Callable[[Any], list[dict[str, Any]]]:
    """Any result frame as a list of dicts, NaN read as None (to compare across backends)."""
    return _rows


@pytest.fixture
def fingerprints(monkeypatch: pytest.MonkeyPatch) -> Fingerprints:
    """Collisions of the order-id fingerprints on demand (see `Fingerprints`)."""
    from _fingerprints import Fingerprints  # noqa: PLC0415 - the KPI tests' own helper

    return Fingerprints(monkeypatch)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark", reason="the spark extra is not installed")
    from pyspark.sql import SparkSession  # noqa: PLC0415 - only when a Spark test runs

    session = (
        SparkSession.builder.master("local[2]")
        .appName("ordercore-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
