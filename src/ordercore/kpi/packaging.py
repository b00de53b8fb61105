"""The green-packaging share (policy 10.1): packages recyclable or reusable / all packages.

Counted over [`ShipmentPacking`][ordercore.packaging.ShipmentPacking] records, by package:
a package is green when its material is recyclable or reusable. With `period` (``"2026-03"``)
only shipments packed in that month (in `tz`) count; with `as_of`, none packed after it.
`details` gives the recyclable and reusable counts and the green share by weight. Nothing to
count: ``no_data``, never 0.

Examples:
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from ordercore.packaging import Package, PackagingMaterial, ShipmentPacking
    >>> materials = {
    ...     "CARTON": PackagingMaterial(material_id="CARTON", name="Carton", recyclable=True),
    ...     "FOAM": PackagingMaterial(material_id="FOAM", name="Foam"),
    ... }
    >>> packing = ShipmentPacking(shipment_id="SH-1", order_id="SO-1",
    ...     packed_at=datetime(2026, 3, 2, tzinfo=UTC),
    ...     packages=[Package(package_id="1", material_id="CARTON", weight_kg=Decimal(3)),
    ...               Package(package_id="2", material_id="FOAM", weight_kg=Decimal(1))])
    >>> result = green_packaging_share([packing], materials, period="2026-03", min_sample=1)
    >>> result.value, result.numerator, result.denominator, result.details["green_weight_share"]
    (0.5, 1, 2, 0.75)

`packages_frame` turns the same records into the canonical ``packages`` frame, which
`monthly_report(..., packages=...)` reads for its ``green_packaging_rate`` column:

    >>> packages_frame([packing], materials)[["package_id", "green"]].to_dict("records")
    [{'package_id': '1', 'green': True}, {'package_id': '2', 'green': False}]
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.kpi.result import MIN_SAMPLE, KpiResult, proportion
from ordercore.packaging import ShipmentPacking

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping

    from ordercore.packaging import PackagingMaterial

__all__ = ["green_packaging_share", "packages_frame"]

_PERIOD: Final = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_NAME: Final = "green_packaging_share"


def _checked(period: str | None, tz: str, as_of: dt.datetime | None) -> ZoneInfo:
    if period is not None and not (isinstance(period, str) and _PERIOD.fullmatch(period)):
        raise InvalidArgument(_NAME, "period", f"must be 'YYYY-MM', not {period!r}")
    if as_of is not None and as_of.tzinfo is None:
        raise InvalidArgument(_NAME, "as_of", "is naive; give an aware datetime")
    try:
        return ZoneInfo(tz)
    except (ValueError, KeyError) as error:
        raise ConfigurationError(f"unknown time zone {tz!r}", component=_NAME) from error


def green_packaging_share(
    packings: Iterable[ShipmentPacking],
    materials: Mapping[str, PackagingMaterial],
    *,
    period: str | None = None,
    tz: str = "UTC",
    as_of: dt.datetime | None = None,
    min_sample: int = MIN_SAMPLE,
) -> KpiResult:
    """Green packages / packages, over a month (or all packings when `period` is None).

    Args:
        packings: The shipments' packings.
        materials: The packaging materials by id.
        period: A month, ``"YYYY-MM"``, in `tz`.
        tz: The IANA time zone that buckets `packed_at` into months.
        as_of: Leave out packings packed after it.
        min_sample: Below this many packages the status is ``insufficient_sample``.

    Raises:
        InvalidArgument: If `period` is not a month, `as_of` is naive, or a packing is not a
            `ShipmentPacking`.
        ConfigurationError: If `tz` is unknown or a package's material is not in `materials`.
    """
    zone = _checked(period, tz, as_of)
    counted = green = recyclable = reusable = 0
    weight = green_weight = Decimal(0)
    excluded = {"other_period": 0, "after_as_of": 0}
    for packing in packings:
        if not isinstance(packing, ShipmentPacking):
            raise InvalidArgument(
                "green_packaging_share",
                "packings",
                f"must hold ShipmentPacking values, not {type(packing).__name__}",
            )
        if as_of is not None and packing.packed_at > as_of:
            excluded["after_as_of"] += packing.package_count
            continue
        if period is not None and packing.packed_at.astimezone(zone).strftime("%Y-%m") != period:
            excluded["other_period"] += packing.package_count
            continue
        for package in packing.packages:
            material = materials.get(package.material_id)
            if material is None:
                raise ConfigurationError(
                    f"package {package.package_id} of shipment {packing.shipment_id} is packed "
                    f"in {package.material_id!r}, which is not in the materials",
                    component="green_packaging_share",
                )
            counted += 1
            weight += package.weight_kg
            recyclable += material.recyclable
            reusable += material.reusable
            if material.green:
                green += 1
                green_weight += package.weight_kg
    details = {
        "recyclable": recyclable,
        "reusable": reusable,
        "green_weight_share": float(green_weight / weight) if weight else None,
    }
    return proportion(
        "green_packaging_share",
        green,
        counted,
        min_sample=min_sample,
        exclusions=excluded,
        period=period,
        details=details,
    )


def packages_frame(
    packings: Iterable[ShipmentPacking], materials: Mapping[str, PackagingMaterial]
) -> Any:
    """The canonical ``packages`` frame (pandas): one row per package of each packing.

    ``green`` is whether the package's material is recyclable or reusable, as
    `green_packaging_share` counts it.

    Raises:
        InvalidArgument: If a packing is not a `ShipmentPacking`.
        ConfigurationError: If a package's material is not in `materials`.
    """
    import pandas as pd  # noqa: PLC0415 - the frames are optional for the records' users

    rows = []
    for packing in packings:
        if not isinstance(packing, ShipmentPacking):
            raise InvalidArgument(
                "packages_frame",
                "packings",
                f"must hold ShipmentPacking values, not {type(packing).__name__}",
            )
        for package in packing.packages:
            material = materials.get(package.material_id)
            if material is None:
                raise ConfigurationError(
                    f"package {package.package_id} of shipment {packing.shipment_id} is packed "
                    f"in {package.material_id!r}, which is not in the materials",
                    component="packages_frame",
                )
            rows.append(
                (
                    packing.order_id,
                    packing.shipment_id,
                    package.package_id,
                    packing.packed_at,
                    material.green,
                    package.material_id,
                    float(package.weight_kg),
                )
            )
    columns = [
        "order_id",
        "shipment_id",
        "package_id",
        "packed_at",
        "green",
        "material_id",
        "weight_kg",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for name in ("order_id", "shipment_id", "package_id", "material_id"):
        frame[name] = frame[name].astype("str")
    frame["packed_at"] = pd.to_datetime(frame["packed_at"], utc=True).dt.as_unit("us")
    frame["green"] = frame["green"].astype("bool")
    frame["weight_kg"] = frame["weight_kg"].astype("float64")
    return frame
