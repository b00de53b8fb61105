"""The monthly report's green-packaging share (policy 10.1), on every backend."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from _kpi_support import AS_OF, at, orders
from ordercore.errors import FrameSchemaError
from ordercore.kpi import monthly_report
from ordercore.kpi.packaging import green_packaging_share, packages_frame
from ordercore.packaging import Package, PackagingMaterial, ShipmentPacking

if TYPE_CHECKING:
    from conftest import Constructor

MATERIALS = {
    "CARTON": PackagingMaterial(material_id="CARTON", name="Carton", recyclable=True),
    "CRATE": PackagingMaterial(material_id="CRATE", name="Crate", reusable=True),
    "FOAM": PackagingMaterial(material_id="FOAM", name="Foam"),
}


def _packing(
    order: str, shipment: str, day: int, *materials: str, month: int = 3
) -> ShipmentPacking:
    return ShipmentPacking(
        shipment_id=shipment,
        order_id=order,
        packed_at=at(day, month=month),
        packages=[
            Package(package_id=str(n), material_id=m, weight_kg=Decimal(2))
            for n, m in enumerate(materials, 1)
        ],
    )


# March: SO-0 (web) 2 green of 3, SO-1 (phone) 0 of 1; February: SO-0 1 of 1; and one
# packing after as_of (day 25), not known yet. By hand: March 2/4 = 0.5, web 2/3, phone 0/1.
PACKINGS = [
    _packing("SO-0", "SH-1", 3, "CARTON", "CRATE", "FOAM"),
    _packing("SO-1", "SH-2", 4, "FOAM"),
    _packing("SO-0", "SH-0", 20, "CARTON", month=2),
    _packing("SO-1", "SH-3", 25, "CARTON", "CARTON"),
]
ORDERS = orders({"channel": "web"}, {"channel": "phone"})


def _rows(report: object) -> dict[tuple[str, ...], dict[str, object]]:
    return {
        tuple(str(row[k]) for k in ("period", *report.by)): row  # type: ignore[attr-defined]
        for row in report.rows()  # type: ignore[attr-defined]
    }


def test_the_share_by_month_matches_the_hand_count(constructor: Constructor) -> None:
    packages = constructor(packages_frame(PACKINGS, MATERIALS))
    report = monthly_report(constructor(ORDERS), as_of=AS_OF, packages=packages, min_sample=1)
    rows = _rows(report)
    assert (rows[("2026-03",)]["packages"], rows[("2026-03",)]["packages_green"]) == (4, 2)
    assert rows[("2026-03",)]["green_packaging_rate"] == pytest.approx(0.5)
    assert rows[("2026-02",)]["green_packaging_rate"] == pytest.approx(1.0)
    # the same as the KPI over the records
    kpi = green_packaging_share(PACKINGS, MATERIALS, period="2026-03", as_of=AS_OF, min_sample=1)
    assert kpi.value == rows[("2026-03",)]["green_packaging_rate"]


def test_grouping_columns_come_from_the_orders_frame(constructor: Constructor) -> None:
    packages = constructor(packages_frame(PACKINGS, MATERIALS))
    report = monthly_report(
        constructor(ORDERS), as_of=AS_OF, packages=packages, by=["channel"], min_sample=1
    )
    rows = _rows(report)
    assert rows[("2026-03", "web")]["green_packaging_rate"] == pytest.approx(2 / 3)
    assert rows[("2026-03", "phone")]["green_packaging_rate"] == pytest.approx(0.0)


def test_without_packages_the_report_has_no_packaging_columns() -> None:
    row = monthly_report(ORDERS, as_of=AS_OF, min_sample=1).rows()[0]
    assert "green_packaging_rate" not in row
    assert "packages" not in row


def test_a_packages_frame_without_green_is_refused() -> None:
    packages = packages_frame(PACKINGS, MATERIALS).drop(columns="green")
    with pytest.raises(FrameSchemaError, match="green"):
        monthly_report(ORDERS, as_of=AS_OF, packages=packages)


def test_a_repeated_package_is_refused() -> None:
    frame = packages_frame(PACKINGS, MATERIALS)
    doubled = pd.concat([frame, frame.iloc[:1]])
    with pytest.raises(FrameSchemaError, match="package_id"):
        monthly_report(ORDERS, as_of=AS_OF, packages=doubled)
