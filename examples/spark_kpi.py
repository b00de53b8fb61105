"""The monthly KPI report on Spark: the same call as on pandas, computed by the cluster.

Run it locally (``python examples/spark_kpi.py``) or submit it to a cluster unchanged except
for the master::

    spark-submit --master yarn --deploy-mode client examples/spark_kpi.py 200000

Only the small report (one row per month) comes back to the driver. On a real cluster you
would read the orders with ``spark.read.parquet(...)`` instead of generating them.
"""

from __future__ import annotations

import os
import sys
import warnings

from pyspark.sql import SparkSession

from ordercore.kpi import generate, monthly_report

# pyspark 4.3 warns once that it does not fully support pandas 3; this script hands Spark
# Arrow tables, not pandas frames
warnings.filterwarnings(
    "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
)


def main(n_orders: int) -> None:
    """Generate `n_orders` orders, move them to Spark and print the monthly report."""
    builder = SparkSession.builder.appName("ordercore-monthly-kpis")
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        # run with plain python: a local session; under spark-submit its --master wins
        builder = builder.master("local[2]")
    spark = (
        builder.config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    try:
        data = generate(n_orders, seed=7, months=3, with_lines=False, backend="polars")
        orders, surveys, errors = (
            spark.createDataFrame(frame.to_arrow())
            for frame in (data.orders, data.surveys, data.errors)
        )
        report = monthly_report(
            orders, surveys=surveys, errors=errors, as_of=data.as_of, tz="Asia/Shanghai"
        )
        print(
            f"{type(report.frame).__name__} with columns {', '.join(report.frame.columns[:6])}, …"
        )
        print(report.to_markdown())
    finally:
        spark.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000)
