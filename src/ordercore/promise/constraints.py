"""What a date waited for: the constraints the engine names, in English and Chinese.

Every line the engine plans or promises carries its binding constraint (the one that set its
date) and everything it waited for, as [`Constraint`][ordercore.promise.constraints.Constraint]
values. `explain` turns one into a sentence from the wing's own label catalog, in the manner
of [`ordercore.labels`][ordercore.labels]: one table keyed by the constraint kind, an English
and a Chinese (zh-CN) template each.

Examples:
    >>> from datetime import date
    >>> wait = Constraint(ConstraintKind.CAPACITY, day=date(2026, 3, 4), resource="PRESS")
    >>> wait.explain()
    'capacity of resource PRESS is booked until 2026-03-04'
    >>> wait.explain("zh")
    '资源 PRESS 的产能已排满至 2026-03-04'
    >>> Constraint(ConstraintKind.STOCK, sku="GEAR", location="WH1").explain("zh")
    '仓位 WH1 的 GEAR 库存在计划期内不足'
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

import attrs

from ordercore.errors import InvalidArgument

if TYPE_CHECKING:
    from datetime import date

    from ordercore.labels import Language

__all__ = ["CONSTRAINT_LABELS", "Constraint", "ConstraintKind"]


class ConstraintKind(StrEnum):
    """The kinds of constraint a promised date can wait for."""

    NONE = "none"
    """Nothing: available on the planning day."""
    STOCK = "stock"
    """Stock of the SKU at the location (on hand, then incoming receipts)."""
    CAPACITY = "capacity"
    """Capacity of a resource, booked up to a day."""
    MATERIAL = "material"
    """Stock of a component at the location, waited for until it arrives."""
    SUPPLIER_LEAD_TIME = "supplier_lead_time"
    """The supplier's lead time of a bought item or component."""
    PRODUCTION_LEAD_TIME = "production_lead_time"
    """The production lead time of the item (after production, before availability)."""


# (kind, met): English and Chinese templates. "met" is a constraint that set a date; the
# other is one that cannot be met within the horizon (`Constraint.day` is None).
_TEMPLATES: Final[dict[tuple[str, bool], tuple[str, str]]] = {
    ("none", True): ("available on {day}", "{day} 即可供货"),
    ("none", False): ("nothing to plan", "无需计划"),
    ("stock", True): (
        "stock of {sku} at {location} is available from {day}{receipts}",
        "仓位 {location} 的 {sku} 库存自 {day} 起可用{receipts_zh}",
    ),
    ("stock", False): (
        "stock of {sku} at {location} is short within the horizon",
        "仓位 {location} 的 {sku} 库存在计划期内不足",
    ),
    ("capacity", True): (
        "capacity of resource {resource} is booked until {day}",
        "资源 {resource} 的产能已排满至 {day}",
    ),
    ("capacity", False): (
        "capacity of resource {resource} is booked through the horizon",
        "资源 {resource} 的产能在计划期内已排满",
    ),
    ("material", True): (
        "component {sku} at {location} is available from {day}{receipts}",
        "仓位 {location} 的物料 {sku} 自 {day} 起可用{receipts_zh}",
    ),
    ("material", False): (
        "component {sku} at {location} is short and cannot be bought in time",
        "仓位 {location} 的物料 {sku} 不足且无法及时采购",
    ),
    ("supplier_lead_time", True): (
        "supplier lead time of {sku} ({days} business day(s)) ends on {day}",
        "{sku} 的供应商采购周期（{days} 个工作日）至 {day} 结束",
    ),
    ("supplier_lead_time", False): (
        "supplier lead time of {sku} ({days} business day(s)) ends beyond the horizon",
        "{sku} 的供应商采购周期（{days} 个工作日）超出计划期",
    ),
    ("production_lead_time", True): (
        "production lead time of {sku} ({days} business day(s)) ends on {day}",
        "{sku} 的生产周期（{days} 个工作日）至 {day} 结束",
    ),
    ("production_lead_time", False): (
        "production lead time of {sku} ({days} business day(s)) ends beyond the horizon",
        "{sku} 的生产周期（{days} 个工作日）超出计划期",
    ),
}

CONSTRAINT_LABELS: Final = MappingProxyType(
    {
        ConstraintKind.NONE: ("Nothing binding", "无约束"),
        ConstraintKind.STOCK: ("Stock", "库存"),
        ConstraintKind.CAPACITY: ("Capacity", "产能"),
        ConstraintKind.MATERIAL: ("Material", "物料"),
        ConstraintKind.SUPPLIER_LEAD_TIME: ("Supplier lead time", "供应商采购周期"),
        ConstraintKind.PRODUCTION_LEAD_TIME: ("Production lead time", "生产周期"),
    }
)
"""The short English and Chinese name of each constraint kind (a column header, a chart
legend), read-only."""


@attrs.frozen
class Constraint:
    """A constraint a date waited for, or one that cannot be met within the horizon.

    Attributes:
        kind: What kind of constraint.
        day: The day it is met (stock arrives, capacity frees up, the lead time ends);
            `None` when it is not met within the horizon.
        sku: The SKU (the item for stock and lead times, the component for material).
        location: The location of the stock or material.
        resource: The resource, for capacity.
        days: The lead time in business days, for lead times.
        receipts: The receipts arriving on `day` that the stock or material waited for.
    """

    kind: ConstraintKind
    day: date | None = None
    sku: str | None = None
    location: str | None = None
    resource: str | None = None
    days: int | None = None
    receipts: tuple[str, ...] = ()

    @property
    def met(self) -> bool:
        """Whether the constraint is met within the horizon (it has a day)."""
        return self.day is not None

    def label(self, lang: Language | str = "en") -> str:
        """The short name of the kind (``"Capacity"``, ``"产能"``)."""
        return CONSTRAINT_LABELS[self.kind][_index(lang)]

    def explain(self, lang: Language | str = "en") -> str:
        """One sentence saying what the constraint is and when it is met.

        Args:
            lang: ``"en"`` or ``"zh"``.

        Raises:
            InvalidArgument: If `lang` is neither ``"en"`` nor ``"zh"``.
        """
        index = _index(lang)
        template = _TEMPLATES[self.kind.value, self.met][index]
        receipts = ", ".join(self.receipts)
        return template.format(
            day=self.day,
            sku=self.sku,
            location=self.location,
            resource=self.resource,
            days=self.days,
            receipts=f" (receipt {receipts})" if receipts else "",
            receipts_zh=f"（到货单 {receipts}）" if receipts else "",
        )


def _index(lang: str) -> int:
    if lang == "en":
        return 0
    if lang == "zh":
        return 1
    raise InvalidArgument("explain", "lang", f"must be 'en' or 'zh', not {lang!r}")
