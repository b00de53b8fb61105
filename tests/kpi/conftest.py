"""The one local PySpark session of the test run, and frames moved onto it.

Starting a JVM costs 6-12 s, so there is one session for the whole run, created only when a
test asks for it: `local[2]`, no UI, two shuffle partitions, UTC session time zone (ordercore
does not depend on it; a test changes it on purpose), a small driver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator


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
