"""Green packaging (policy 10.1): packaging materials, the packages of a shipment, and a packing check.

A [`PackagingMaterial`][ordercore.packaging.PackagingMaterial] says whether a material is
recyclable or reusable; a [`ShipmentPacking`][ordercore.packaging.ShipmentPacking] lists the
packages one shipment went out in. [`check_packing`][ordercore.packaging.check_packing]
compares a packing with the order's [`PackagingRequirements`][ordercore.orders.PackagingRequirements]
(weight per package, pallets, labels) and, on request, with a green-only rule, and returns the
problems as issues in English and Chinese. The share of green packages is a KPI:
[`green_packaging_share`][ordercore.kpi.packaging.green_packaging_share].

Examples:
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> from ordercore.orders import PackagingRequirements
    >>> materials = {"CARTON": PackagingMaterial(material_id="CARTON", name="Carton",
    ...                                           recyclable=True)}
    >>> packing = ShipmentPacking(shipment_id="SH-1", order_id="SO-1",
    ...     packed_at=datetime(2026, 3, 2, tzinfo=UTC),
    ...     packages=[Package(package_id="P1", material_id="CARTON", weight_kg=Decimal(30))])
    >>> needs = PackagingRequirements(max_package_weight_kg=Decimal(25), labels=("FRAGILE",))
    >>> [issue.code for issue in check_packing(packing, needs, materials)]
    ['packing.overweight', 'packing.label_missing']
    >>> check_packing(packing, needs, materials)[0].message_zh
    '包裹 P1 重 30 kg，超过客户要求的 25 kg'
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import attrs
from pydantic import Field, model_validator

from ordercore._base import EXACT, Entity, Id, ShortText, Timestamp, decimal_field
from ordercore.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ordercore.orders import PackagingRequirements

__all__ = [
    "Package",
    "PackagingMaterial",
    "PackingIssue",
    "ShipmentPacking",
    "check_packing",
]

_Weight = Annotated[Decimal, decimal_field(gt=0, le=100000, decimal_places=3), EXACT]


class PackagingMaterial(Entity):
    """A packaging material and whether it is green.

    Attributes:
        material_id: Its id.
        name: What it is (``"Corrugated carton"``).
        recyclable: Whether it is recycled after use.
        reusable: Whether it comes back and is used again (returnable crates, pallets).
    """

    material_id: Id
    name: ShortText
    recyclable: bool = False
    reusable: bool = False

    @property
    def green(self) -> bool:
        """Recyclable or reusable."""
        return self.recyclable or self.reusable


class Package(Entity):
    """One package of a shipment.

    Attributes:
        package_id: Its id within the shipment.
        material_id: What it is packed in.
        weight_kg: Its gross weight in kilograms.
        palletised: Whether it went on a pallet.
        labels: The labels on it (``"FRAGILE"``, ``"THIS SIDE UP"``).
    """

    package_id: Id
    material_id: Id
    weight_kg: _Weight
    palletised: bool = False
    labels: tuple[ShortText, ...] = Field(default=(), strict=False, max_length=50)


class ShipmentPacking(Entity):
    """The packages one shipment of an order went out in.

    Attributes:
        shipment_id: The shipment.
        order_id: The order.
        packed_at: When it was packed.
        packages: Its packages, at least one, each id once.
    """

    shipment_id: Id
    order_id: Id
    packed_at: Timestamp
    packages: tuple[Package, ...] = Field(strict=False, min_length=1, max_length=10000)

    @model_validator(mode="after")
    def _distinct_packages(self) -> ShipmentPacking:
        repeated = sorted(
            k for k, n in Counter(p.package_id for p in self.packages).items() if n > 1
        )
        if repeated:
            raise ValueError(f"package ids repeated: {', '.join(repeated)}")
        return self

    @property
    def package_count(self) -> int:
        """How many packages the shipment has."""
        return len(self.packages)


@attrs.frozen
class PackingIssue:
    """One way a packing misses the customer's requirements.

    Attributes:
        code: ``packing.overweight``, ``packing.not_palletised``, ``packing.label_missing``
            or ``packing.not_green``.
        package_id: The package.
        message_en: The problem in English.
        message_zh: The problem in Chinese.
    """

    code: str
    package_id: str
    message_en: str
    message_zh: str


def check_packing(
    packing: ShipmentPacking,
    requirements: PackagingRequirements | None,
    materials: Mapping[str, PackagingMaterial],
    *,
    green_only: bool = False,
) -> list[PackingIssue]:
    """The packages that miss the order's packaging requirements, package by package.

    Args:
        packing: The shipment's packages.
        requirements: The order's packaging requirements (`None`: none stated).
        materials: The packaging materials by id.
        green_only: Whether every package must be recyclable or reusable.

    Returns:
        The issues, in package order; empty when the packing meets every requirement.

    Raises:
        ConfigurationError: If a package's material is not in `materials`.
    """
    issues: list[PackingIssue] = []
    for package in packing.packages:
        material = materials.get(package.material_id)
        if material is None:
            raise ConfigurationError(
                f"package {package.package_id} of shipment {packing.shipment_id} is packed in "
                f"{package.material_id!r}, which is not in the materials ({len(materials)} known)",
                component="check_packing",
            )
        issues.extend(_package_issues(package, material, requirements, green_only=green_only))
    return issues


def _package_issues(
    package: Package,
    material: PackagingMaterial,
    requirements: PackagingRequirements | None,
    *,
    green_only: bool,
) -> list[PackingIssue]:
    found = []
    name = package.package_id
    if requirements is not None:
        limit = requirements.max_package_weight_kg
        if limit is not None and package.weight_kg > limit:
            found.append(
                PackingIssue(
                    "packing.overweight",
                    name,
                    f"package {name} weighs {package.weight_kg} kg, more than the {limit} kg "
                    "the customer allows",
                    f"包裹 {name} 重 {package.weight_kg} kg，超过客户要求的 {limit} kg",
                )
            )
        if requirements.palletised and not package.palletised:
            found.append(
                PackingIssue(
                    "packing.not_palletised",
                    name,
                    f"package {name} is not palletised; the customer asks for pallets",
                    f"包裹 {name} 未打托盘；客户要求托盘包装",
                )
            )
        missing = [label for label in requirements.labels if label not in package.labels]
        if missing:
            listed = ", ".join(missing)
            found.append(
                PackingIssue(
                    "packing.label_missing",
                    name,
                    f"package {name} lacks the label(s) {listed}",
                    f"包裹 {name} 缺少标签 {listed}",
                )
            )
    if green_only and not material.green:
        found.append(
            PackingIssue(
                "packing.not_green",
                name,
                f"package {name} is packed in {material.name}, neither recyclable nor reusable",
                f"包裹 {name} 使用的 {material.name} 既不可回收也不可重复使用",
            )
        )
    return found
