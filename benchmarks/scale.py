"""Scale: the monthly report on pandas, polars, DuckDB and PySpark local[2], 1 to 5 million orders.

The same generated orders (with their surveys and errors) go to every backend; each run is
``monthly_report(...).rows()``, so lazy backends compute and hand back the small report. Input
conversion (pandas from polars, DuckDB from Arrow, Spark ``createDataFrame`` + ``cache``) is not
timed. Printed per size: each backend's median and its ratio to pandas; then each backend's
growth from the smallest size (linear scaling reads as time ratio ≈ size ratio).

Sizes: ``ORDERCORE_BENCH_SCALE_SIZES`` (default ``1000000,2000000,5000000``); Spark runs the
sizes up to ``ORDERCORE_BENCH_SPARK_MAX`` (default 5,000,000) with ``ORDERCORE_BENCH_SPARK_MEMORY``
driver memory (default ``6g``). No bar: on two cores the point is that Spark runs, agrees and
scales linearly.
"""

from __future__ import annotations

import gc
import math
import os
import warnings
from typing import Any

import duckdb

from benchmarks._harness import Report, median_time
from ordercore.kpi import generate, monthly_report

SIZES = [
    int(s)
    for s in os.environ.get("ORDERCORE_BENCH_SCALE_SIZES", "1000000,2000000,5000000").split(",")
]
SPARK_MAX = int(os.environ.get("ORDERCORE_BENCH_SPARK_MAX", "5000000"))
SPARK_MEMORY = os.environ.get("ORDERCORE_BENCH_SPARK_MEMORY", "6g")
TZ = "Asia/Shanghai"
BACKENDS = ("pandas", "polars", "duckdb", "pyspark")


def _spark_session() -> Any:
    from pyspark.sql import SparkSession  # noqa: PLC0415 - optional extra

    session = (
        SparkSession.builder.master("local[2]")
        .appName("ordercore-bench-scale")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", SPARK_MEMORY)
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _frames(n: int, spark: Any) -> dict[str, dict[str, Any]]:
    data = generate(n, seed=42, with_lines=False, backend="polars")
    names = ("orders", "surveys", "errors")
    polars_frames = {k: data.frames[k] for k in names}
    connection = duckdb.connect()
    out: dict[str, dict[str, Any]] = {
        "pandas": {k: f.to_pandas() for k, f in polars_frames.items()},
        "polars": polars_frames,
        "duckdb": {k: connection.from_arrow(f.to_arrow()) for k, f in polars_frames.items()},
    }
    if spark is not None and n <= SPARK_MAX:
        # createDataFrame cuts Arrow input into 10,000-row partitions; a cluster reading
        # Parquet would see a few large splits, so give Spark one partition per core, as a
        # file read on two cores would (the exact percentile merges one map per partition)
        cached = {
            k: spark.createDataFrame(f.to_arrow()).repartition(2).cache()
            for k, f in polars_frames.items()
        }
        for frame in cached.values():
            frame.count()  # materialise the cache: the input transfer is not what is measured
        out["pyspark"] = cached
    return out


def _report(frames: dict[str, Any], as_of: Any) -> list[dict[str, Any]]:
    return monthly_report(
        frames["orders"], surveys=frames["surveys"], errors=frames["errors"], as_of=as_of, tz=TZ
    ).rows()


def _check(name: str, mine: list[dict[str, Any]], ref: list[dict[str, Any]]) -> None:
    for a, b in zip(ref, mine, strict=True):
        for key in ("orders", "counted", "otif", "perfect", "csat_top2"):
            if a[key] != b[key]:
                raise RuntimeError(f"{name} disagrees with pandas on {key}: {a} vs {b}")
        p90 = (a["cycle_p90_h"], b["cycle_p90_h"])
        if p90[0] is not None and not math.isclose(*p90, rel_tol=1e-12):
            raise RuntimeError(f"{name} disagrees with pandas on cycle_p90_h")


def main() -> None:
    """Measure and print."""
    # pyspark 4.3 warns once that it does not fully support pandas 3; only Arrow is used here
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    report = Report("scale")
    try:
        spark = _spark_session()
    except Exception as error:  # noqa: BLE001 - no Java or no pyspark: report and go on
        print(f"scale: PySpark unavailable ({error!r}); skipping it")
        spark = None
    as_of = generate(10, seed=42).as_of
    measured: dict[str, dict[int, str]] = {b: {} for b in BACKENDS}
    for n in SIZES:
        frames = _frames(n, spark)
        reference = _report(frames["pandas"], as_of)
        for backend, native in frames.items():
            _check(backend, _report(native, as_of), reference)  # also warms up
            label = f"{backend} {n:,} orders"
            repeat = 1 if backend == "pyspark" and n > 1_000_000 else 3
            report.add(label, median_time(lambda native=native: _report(native, as_of), repeat))
            measured[backend][n] = label
        for backend in frames:
            if backend != "pandas":
                report.ratio(
                    f"{backend} / pandas at {n:,}",
                    measured[backend][n],
                    measured["pandas"][n],
                )
        for frame in frames.get("pyspark", {}).values():
            frame.unpersist()
        del frames
        gc.collect()
    for backend, labels in measured.items():
        sizes = sorted(labels)
        for n in sizes[1:]:
            report.ratio(
                f"{backend} growth {sizes[0]:,} -> {n:,} (size x{n / sizes[0]:g})",
                labels[n],
                labels[sizes[0]],
            )
    if spark is not None:
        spark.stop()
