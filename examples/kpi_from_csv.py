"""From a CSV export to the monthly KPI report and a trend chart.

Writes a generated export with ERP-style column names to $ORDERCORE_OUTPUT (default
./output), reads it back with pandas, maps the columns, checks the frame, prints the monthly
report and saves a trend chart there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ordercore.kpi import check_frame, generate, map_columns, monthly_report

ERP_NAMES = {
    "order_id": "VBELN",
    "customer_id": "KUNNR",
    "channel": "AUART",
    "received_at": "ERDAT",
    "owner_id": "ERNAM",
    "approved_at": "FREIGABE",
    "promised_at": "EDATU",
    "delivered_at": "LFDAT_IST",
    "cancelled_at": "STORNO",
    "cancelled_by": "STORNO_DURCH",
    "qty_ordered": "KWMENG",
    "qty_cancelled": "KWMENG_STORNO",
    "qty_delivered": "LFIMG",
}
STAMPS = ["received_at", "approved_at", "promised_at", "delivered_at", "cancelled_at"]


def main() -> None:
    """Write, read back, check and report."""
    output = Path(os.environ.get("ORDERCORE_OUTPUT", "output"))
    output.mkdir(parents=True, exist_ok=True)
    data = generate(20_000, seed=7, months=4)
    export_path = output / "orders_export.csv"
    data.orders[list(ERP_NAMES)].rename(columns=ERP_NAMES).to_csv(export_path, index=False)
    print(f"wrote {export_path}")

    raw = pd.read_csv(export_path, dtype={"VBELN": "str", "KUNNR": "str", "ERNAM": "str"})
    orders = map_columns(raw, {erp: canonical for canonical, erp in ERP_NAMES.items()})
    for column in STAMPS:
        orders[column] = pd.to_datetime(orders[column], utc=True, format="ISO8601")
    check_frame(orders, "orders")
    print("orders frame passes the check")

    report = monthly_report(orders, as_of=data.as_of, tz="Asia/Shanghai")
    print(report.to_markdown())
    chart = output / "kpi_trend.png"
    report.plot(("on_time_rate", "otif_rate")).savefig(chart)
    print(f"saved {chart}")


if __name__ == "__main__":
    main()
