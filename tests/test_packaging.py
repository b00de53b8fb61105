"""Green packaging: materials, packages per shipment, the packing check and the KPI."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.kpi.packaging import green_packaging_share
from ordercore.kpi.result import KpiStatus
from ordercore.orders import PackagingRequirements
from ordercore.packaging import Package, PackagingMaterial, ShipmentPacking, check_packing

MATERIALS = {
    "CARTON": PackagingMaterial(material_id="CARTON", name="Carton", recyclable=True),
    "CRATE": PackagingMaterial(material_id="CRATE", name="Returnable crate", reusable=True),
    "FOAM": PackagingMaterial(material_id="FOAM", name="Foam"),
}


def _packing(*packages: Package, shipment: str = "SH-1", month: int = 3) -> ShipmentPacking:
    return ShipmentPacking(
        shipment_id=shipment,
        order_id="SO-1",
        packed_at=datetime(2026, month, 31 if month == 3 else 1, 20, tzinfo=UTC),
        packages=packages,
    )


def _package(package_id: str, material: str, kg: int = 5, **fields: object) -> Package:
    return Package.model_validate(
        {"package_id": package_id, "material_id": material, "weight_kg": Decimal(kg), **fields}
    )


def test_a_packing_that_meets_every_requirement_has_no_issue() -> None:
    needs = PackagingRequirements(
        max_package_weight_kg=Decimal(10), palletised=True, labels=("FRAGILE",)
    )
    packed = _packing(_package("1", "CARTON", palletised=True, labels=("FRAGILE", "UP")))
    assert check_packing(packed, needs, MATERIALS) == []


def test_each_missed_requirement_is_an_issue_of_its_package() -> None:
    needs = PackagingRequirements(max_package_weight_kg=Decimal(10), palletised=True)
    packed = _packing(_package("1", "CARTON", 12), _package("2", "FOAM", palletised=True))
    issues = check_packing(packed, needs, MATERIALS, green_only=True)
    assert [(i.code, i.package_id) for i in issues] == [
        ("packing.overweight", "1"),
        ("packing.not_palletised", "1"),
        ("packing.not_green", "2"),
    ]
    assert issues[1].message_en == "package 1 is not palletised; the customer asks for pallets"
    assert issues[2].message_zh == "包裹 2 使用的 Foam 既不可回收也不可重复使用"


def test_without_requirements_only_the_green_rule_applies() -> None:
    packed = _packing(_package("1", "FOAM", 900))
    assert check_packing(packed, None, MATERIALS) == []
    assert [i.code for i in check_packing(packed, None, MATERIALS, green_only=True)] == [
        "packing.not_green"
    ]


def test_an_unknown_material_is_refused_with_its_package() -> None:
    with pytest.raises(ConfigurationError, match="package 1 of shipment SH-1 is packed in 'WOOD'"):
        check_packing(_packing(_package("1", "WOOD")), None, MATERIALS)


def test_a_shipment_needs_packages_each_id_once() -> None:
    with pytest.raises(ValidationError, match="package ids repeated: 1"):
        _packing(_package("1", "CARTON"), _package("1", "FOAM"))
    with pytest.raises(ValidationError, match="at least 1 item"):
        _packing()


def test_a_package_weight_must_be_positive_and_exact() -> None:
    with pytest.raises(ValidationError, match="greater than 0"):
        _package("1", "CARTON", 0)
    with pytest.raises(ValidationError, match="not float"):
        Package.model_validate({"package_id": "1", "material_id": "CARTON", "weight_kg": 1.5})


def test_the_green_share_counts_recyclable_and_reusable_packages() -> None:
    packings = [
        _packing(_package("1", "CARTON", 6), _package("2", "CRATE", 2), _package("3", "FOAM", 2))
    ]
    result = green_packaging_share(packings, MATERIALS, min_sample=1)
    assert (result.numerator, result.denominator) == (2, 3)
    assert result.details["recyclable"] == 1
    assert result.details["reusable"] == 1
    assert result.details["green_weight_share"] == 0.8
    assert result.status is KpiStatus.OK


def test_the_month_is_read_in_the_time_zone_given() -> None:
    late_march = _packing(_package("1", "FOAM"))  # 31 March 20:00 UTC is 1 April in Shanghai
    in_utc = green_packaging_share([late_march], MATERIALS, period="2026-03", min_sample=1)
    in_shanghai = green_packaging_share(
        [late_march], MATERIALS, period="2026-03", tz="Asia/Shanghai", min_sample=1
    )
    assert in_utc.denominator == 1
    assert in_shanghai.denominator == 0
    assert in_shanghai.exclusions["other_period"] == 1


def test_nothing_to_count_is_no_data_not_zero() -> None:
    result = green_packaging_share([], MATERIALS)
    assert result.value is None
    assert result.status is KpiStatus.NO_DATA


def test_few_packages_are_an_insufficient_sample() -> None:
    result = green_packaging_share([_packing(_package("1", "CARTON"))], MATERIALS)
    assert result.status is KpiStatus.INSUFFICIENT_SAMPLE


def test_packings_after_as_of_are_left_out() -> None:
    packed = _packing(_package("1", "CARTON"))
    result = green_packaging_share(
        [packed], MATERIALS, as_of=datetime(2026, 3, 1, tzinfo=UTC), min_sample=1
    )
    assert (result.denominator, result.exclusions["after_as_of"]) == (0, 1)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"period": "2026-13"}, InvalidArgument, "period must be 'YYYY-MM', not '2026-13'"),
        ({"as_of": datetime(2026, 3, 1)}, InvalidArgument, "as_of is naive"),  # noqa: DTZ001
        ({"tz": "Mars/Olympus"}, ConfigurationError, "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_bad_arguments_are_refused(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        green_packaging_share([], MATERIALS, **arguments)  # type: ignore[arg-type]


def test_something_else_than_packings_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="must hold ShipmentPacking values, not str"):
        green_packaging_share(["SH-1"], MATERIALS)  # type: ignore[list-item]


def test_a_package_in_an_unknown_material_is_refused_by_the_kpi() -> None:
    with pytest.raises(ConfigurationError, match="packed in 'WOOD'"):
        green_packaging_share([_packing(_package("1", "WOOD"))], MATERIALS)
