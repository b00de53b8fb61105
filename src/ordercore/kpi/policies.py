"""Policies: how OTIF is judged, and the calendar that counts business days.

An [`OtifPolicy`][ordercore.kpi.policies.OtifPolicy] makes every choice explicit: the
reference date (requested or promised), early and late tolerance in calendar or business
days, whether dates or exact instants are compared, the grain (order, line, unit, value), the
in-full tolerance, the treatment of cancellations and, at order grain, whether each line is
judged against its own promised date. Named presets echo in every result.

Examples:
    >>> OtifPolicy.preset("walmart_like").late_days
    1
    >>> OtifPolicy(reference="promised", late_days=-1)
    Traceback (most recent call last):
    ...
    ordercore.errors.ConfigurationError: OtifPolicy: late_days must be >= 0, got -1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol

import attrs
import numpy as np

from ordercore.errors import ConfigurationError

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["PRESETS", "CalendarLike", "OtifPolicy", "business_day_ordinals"]

Grain = Literal["order", "line", "unit", "value"]
Reference = Literal["promised", "requested"]


class CalendarLike(Protocol):
    """What ordercore.kpi needs of a business calendar (`ordercore.context.BusinessCalendar` fits).

    Attributes:
        weekend_days: Weekday numbers that are not worked (0 = Monday).
        holidays: Dates not worked.
        working_days: Weekend dates that are worked (adjusted working weekends).
    """

    @property
    def weekend_days(self) -> frozenset[int]:
        """Weekday numbers that are not worked (0 = Monday)."""
        ...

    @property
    def holidays(self) -> frozenset[dt.date]:
        """Dates not worked."""
        ...

    @property
    def working_days(self) -> frozenset[dt.date]:
        """Weekend dates that are worked anyway."""
        ...


def business_day_ordinals(
    calendar: CalendarLike, first: int, last: int
) -> tuple[list[int], list[int]]:
    """Number every day from `first` to `last` (days since 1970-01-01) by business days before it.

    ``ordinal[d]`` is the number of business days in ``[first, d)``, so the business days in
    ``(a, b]`` are ``ordinal[b + 1] − ordinal[a + 1]``. Vectorised with numpy's busday functions,
    corrected for working weekends.

    Examples:
        >>> class Cal:
        ...     weekend_days = frozenset({5, 6}); holidays = frozenset(); working_days = frozenset()
        >>> days, ordinal = business_day_ordinals(Cal(), 0, 7)  # 1970-01-01 was a Thursday
        >>> ordinal
        [0, 1, 2, 2, 2, 3, 4, 5]
    """
    weekmask = [0 if d in calendar.weekend_days else 1 for d in range(7)]
    holidays = np.array(sorted(calendar.holidays), dtype="datetime64[D]")
    days = np.arange(first, last + 1, dtype="int64")
    dates = days.astype("datetime64[D]")
    if weekmask == [0] * 7:
        raise ConfigurationError(
            "a calendar needs at least one working weekday", component="calendar"
        )
    counts = np.busday_count(dates[0], dates, weekmask=weekmask, holidays=holidays)
    extra = np.array(
        sorted(d for d in calendar.working_days if d not in calendar.holidays),
        dtype="datetime64[D]",
    )
    if extra.size:
        counts = counts + np.searchsorted(extra, dates, side="left")
    return days.tolist(), counts.astype("int64").tolist()


@attrs.frozen(kw_only=True)
class OtifPolicy:
    """How on time and in full are judged.

    Attributes:
        reference: Judge against the ``promised`` (commit) or the ``requested`` date.
        early_days: Days before the reference still on time; `None` means early is always fine.
        late_days: Days after the reference still on time (0: by the reference day, inclusive).
        compare: ``date`` compares local dates in the report's time zone; ``instant`` compares
            timestamps (tolerances then in whole days of 24 hours).
        business_days: Count tolerance in business days of the calendar passed to the KPI.
        grain: ``order``, ``line``, ``unit`` (quantity-weighted) or ``value`` (value-weighted).
        in_full_tolerance: Fraction short of the owed quantity still counted in full.
        over_delivery_ok: Whether delivering more than owed still counts in full.
        customer_cancel_after_commit: ``exclude`` such orders or count them as ``fail``.
        every_line: Order grain only: judge each order from its lines (the lines frame, passed
            to the KPI as ``lines=``), each line against its own reference date and last
            delivery; the order is on time when every line it still owes is, and in full
            when every such line is (lines fully cancelled by the customer are left out).
        name: The preset name, echoed in results.
    """

    reference: Reference = "promised"
    early_days: int | None = None
    late_days: int = 0
    compare: Literal["date", "instant"] = "date"
    business_days: bool = False
    grain: Grain = "order"
    in_full_tolerance: float = 0.0
    over_delivery_ok: bool = True
    customer_cancel_after_commit: Literal["exclude", "fail"] = "exclude"
    every_line: bool = False
    name: str = "custom"

    def __attrs_post_init__(self) -> None:
        problems = []
        if self.late_days < 0:
            problems.append(f"late_days must be >= 0, got {self.late_days}")
        if self.early_days is not None and self.early_days < 0:
            problems.append(f"early_days must be >= 0 or None, got {self.early_days}")
        if not 0 <= self.in_full_tolerance < 1:
            problems.append(f"in_full_tolerance must be in [0, 1), got {self.in_full_tolerance}")
        if self.business_days and self.compare != "date":
            problems.append("business_days needs compare='date'")
        if self.every_line and self.grain != "order":
            problems.append(
                f"every_line judges orders from their lines: needs grain='order', got {self.grain!r}"
            )
        if problems:
            raise ConfigurationError("; ".join(problems), component="OtifPolicy")

    @classmethod
    def preset(cls, name: str) -> OtifPolicy:
        """Return a named preset (see `PRESETS`).

        Raises:
            ConfigurationError: Naming the known presets.
        """
        try:
            return PRESETS[name]
        except KeyError:
            raise ConfigurationError(
                f"no OTIF preset {name!r}; known: {', '.join(PRESETS)}", component="OtifPolicy"
            ) from None

    @property
    def reference_column(self) -> str:
        """The column judged against: ``promised_at`` or ``requested_at``."""
        return "promised_at" if self.reference == "promised" else "requested_at"

    def evolve(self, **changes: object) -> OtifPolicy:
        """A copy with some fields changed (named ``custom`` unless a name is given)."""
        changes.setdefault("name", "custom")
        return attrs.evolve(self, **changes)  # type: ignore[arg-type]


PRESETS: dict[str, OtifPolicy] = {
    "scor_commit": OtifPolicy(name="scor_commit"),
    "walmart_like": OtifPolicy(
        reference="requested",
        early_days=1,
        late_days=1,
        grain="order",
        in_full_tolerance=0.05,
        name="walmart_like",
    ),
    "strict_request": OtifPolicy(
        reference="requested", early_days=0, over_delivery_ok=False, name="strict_request"
    ),
    "line_commit": OtifPolicy(grain="line", name="line_commit"),
    "unit_commit": OtifPolicy(grain="unit", name="unit_commit"),
    "every_line_commit": OtifPolicy(every_line=True, name="every_line_commit"),
}
"""Named policies. ``scor_commit``: promised date, on or before the local day, order grain,
exact in full (SCOR RL.2.1/RL.2.2). ``walmart_like``: requested date ±1 day, 95 % in full.
``strict_request``: exactly the requested day, no over-delivery. ``line_commit`` and
``unit_commit``: ``scor_commit`` at line and unit grain. ``every_line_commit``: ``scor_commit`` at
order grain with every line judged against its own promised date (needs ``lines=``)."""
