"""Lateness attribution: which stage, and which hold reason, consumed each late order's delay.

An order's **lead time** is its reference date (``promised_at``, else ``requested_at``) minus
``received_at``. A [`LatenessPolicy`][ordercore.kpi.attribution.LatenessPolicy] splits it into
per-stage **budgets** (shares of the lead time by default; fixed hours where you say so). The
trail splits the order's actual time from receipt into the same stages, each ending at an event:

| stage | ends at |
|---|---|
| review | the first ``order_approved`` |
| allocation | the last ``quantity_allocated`` |
| procurement | the last ``material_procured`` |
| production | the last ``production_planned`` or ``quantity_produced`` |
| packing | the last ``quantity_packed`` |
| dispatch | the last ``quantity_shipped`` or ``shipment_dispatched`` |
| transit | ``delivered_at`` (the order complete) |

A stage never ends before the one before it (a stage without its event takes no time), nor
after the order's end. Time on hold is taken out of the stage it fell in and becomes a part
of its own per hold reason (``hold_credit``, ...; a ``customer_request`` hold is
``customer_wait``, the customer-caused waiting), with no budget: overlapping holds count
once, for the hold placed first. Each part is actual minus budget, so that

    sum of parts = (end − received) − (reference − received) = end − reference = lateness

exactly: every part is a whole number of microseconds (``micros`` in `LatenessAttribution.parts`),
and the budgets of the shared stages are rounded down except the last, which takes the rest.
Hours are micros / 3.6e9.

An order still **open** at `as_of` is projected: the stage it is in and the ones after it
take at least their budget, so its projected lateness is ``as_of`` plus the budget left
minus the reference (parts of those stages are their overrun, never negative). It is
``overdue`` when the reference has passed, ``at_risk`` when not yet but the projection
misses it. A complete order delivered after its reference is ``late``.

Examples:
    >>> import pandas as pd
    >>> from datetime import datetime, timezone
    >>> t = lambda d, h=0: datetime(2026, 3, d, h, tzinfo=timezone.utc)
    >>> orders = pd.DataFrame({"order_id": ["a"], "customer_id": "C", "channel": "web",
    ...     "received_at": [t(1)], "promised_at": [t(11)], "delivered_at": [t(12)]})
    >>> events = pd.DataFrame({"order_id": "a",
    ...     "event_type": ["order_approved", "quantity_shipped"], "at": [t(3), t(8)],
    ...     "hold_id": None, "hold_reason": None})
    >>> policy = LatenessPolicy(shares={"review": 1, "dispatch": 6, "transit": 3})
    >>> result = lateness_attribution(orders, events, as_of=t(20), policy=policy)
    >>> row = result.rows()[0]
    >>> row["state"], row["lateness_h"], row["cause"]
    ('late', 24.0, 'review')
    >>> row["review"], row["dispatch"], row["transit"]
    (24.0, -24.0, 24.0)
"""

from __future__ import annotations

import functools
import math
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs
import narwhals.stable.v2 as nw

from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.holds import HoldReason
from ordercore.kpi import _backend, _common, _extra
from ordercore.kpi.speed import _completed

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping, Sequence

__all__ = [
    "HOLD_PARTS",
    "STAGES",
    "STAGE_ENDS",
    "LatenessAttribution",
    "LatenessPolicy",
    "lateness_attribution",
    "lateness_by",
    "promise_at_risk",
]

STAGES: Final = (
    "review",
    "allocation",
    "procurement",
    "production",
    "packing",
    "dispatch",
    "transit",
)
"""The stages of an order's way from receipt to delivery, in order."""

STAGE_ENDS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "review": ("order_approved",),
        "allocation": ("quantity_allocated",),
        "procurement": ("material_procured",),
        "production": ("production_planned", "quantity_produced"),
        "packing": ("quantity_packed",),
        "dispatch": ("quantity_shipped", "shipment_dispatched"),
        "transit": ("quantity_delivered", "shipment_delivered"),
    }
)
"""The event types that end each stage (review: the first; the others: the last)."""

HOLD_PARTS: Final[Mapping[str, str]] = MappingProxyType(
    {
        reason.value: "customer_wait" if reason is HoldReason.CUSTOMER_REQUEST else f"hold_{reason}"
        for reason in HoldReason
    }
)
"""The part each hold reason's time goes to."""

PARTS: Final = (*STAGES, *HOLD_PARTS.values())
"""Every part of a lateness, in order: the stages, then the holds."""

_US_PER_HOUR: Final = 3.6e9
_DEFAULT_SHARES: Final = MappingProxyType(
    {
        "review": 0.10,
        "allocation": 0.15,
        "procurement": 0.10,
        "production": 0.20,
        "packing": 0.10,
        "dispatch": 0.05,
        "transit": 0.30,
    }
)


def _shares(value: Mapping[str, float] | None) -> Mapping[str, float] | None:
    return None if value is None else MappingProxyType(dict(value))


def _hours(value: Mapping[str, float] | None) -> Mapping[str, float]:
    return MappingProxyType(dict(value or {}))


@attrs.frozen
class LatenessPolicy:
    """Per-stage budgets: shares of each order's lead time, or fixed hours.

    Attributes:
        shares: Stage -> weight; the lead time left after the fixed stages is split among
            these stages in proportion (weights need not sum to 1). A stage in neither
            mapping has no budget. By default review 0.10, allocation 0.15, procurement
            0.10, production 0.20, packing 0.10, dispatch 0.05, transit 0.30, less the
            stages given fixed `hours`.
        hours: Stage -> a fixed budget in hours, taken first, in stage order, never more
            than the lead time left.
        reference: The promise column of the orders frame.
        fallback: The column read where the reference is null (None: no fallback).
        version: A label for reports.

    Raises:
        ConfigurationError: An unknown stage, a negative or non-finite weight or budget, a
            stage in both mappings, or no stage with a share (the lead time must be spent
            somewhere, so that the parts sum to the lateness).

    Examples:
        >>> policy = LatenessPolicy(hours={"review": 4})
        >>> policy.hours["review"], "review" in policy.shares
        (4, False)
        >>> LatenessPolicy(shares={"painting": 1})
        Traceback (most recent call last):
        ...
        ordercore.errors.ConfigurationError: lateness_policy: unknown stage 'painting'; stages: review, allocation, procurement, production, packing, dispatch, transit
    """

    shares: Mapping[str, float] = attrs.field(default=None, converter=_shares)
    hours: Mapping[str, float] = attrs.field(factory=dict, converter=_hours)
    reference: str = "promised_at"
    fallback: str | None = "requested_at"
    version: str = "1"

    def __attrs_post_init__(self) -> None:
        if getattr(self, "shares") is None:  # noqa: B009 - typed as set, filled in here
            shares = {k: v for k, v in _DEFAULT_SHARES.items() if k not in self.hours}
            object.__setattr__(self, "shares", MappingProxyType(shares))
        for kind, mapping in (("share", self.shares), ("budget", self.hours)):
            for stage, value in mapping.items():
                if stage not in STAGES:
                    raise ConfigurationError(
                        f"unknown stage {stage!r}; stages: {', '.join(STAGES)}",
                        component="lateness_policy",
                    )
                bad = isinstance(value, bool) or not isinstance(value, (int, float))
                if bad or not math.isfinite(value) or value < 0:
                    raise ConfigurationError(
                        f"{kind} of {stage!r} must be a finite number >= 0, got {value!r}",
                        component="lateness_policy",
                    )
        both = sorted(set(self.shares) & set(self.hours))
        if both:
            raise ConfigurationError(
                f"stages {', '.join(both)} have both a share and fixed hours",
                component="lateness_policy",
            )
        if not any(self.shares.values()):
            raise ConfigurationError(
                "at least one stage needs a positive share of the lead time",
                component="lateness_policy",
            )
        if self.reference == self.fallback:
            raise ConfigurationError(
                "reference and fallback are the same column", component="lateness_policy"
            )


def _budgets(policy: LatenessPolicy) -> dict[str, nw.Expr]:
    """Each stage's budget in whole microseconds of the lead time ``_p``; they sum to ``_p``."""
    out: dict[str, nw.Expr] = {}
    left = nw.col("_p")
    for stage in STAGES:
        if stage in policy.hours:
            budget = nw.min_horizontal(nw.lit(float(policy.hours[stage]) * _US_PER_HOUR), left)
            out[stage] = nw.max_horizontal(budget.round(0), nw.lit(0.0))
            left = left - out[stage]
    shared = [s for s in STAGES if policy.shares.get(s, 0) > 0]
    total = float(sum(policy.shares[s] for s in shared))
    given = nw.lit(0.0)
    for stage in shared[:-1]:
        out[stage] = (left * (float(policy.shares[stage]) / total)).floor()
        given = given + out[stage]
    out[shared[-1]] = left - given
    return {s: out.get(s, nw.lit(0.0)) for s in STAGES}


@attrs.frozen
class LatenessAttribution:
    """The parts of each late, overdue or at-risk order's lateness.

    Attributes:
        orders: One row per order (caller's library): ``order_id``, ``month`` (of the
            reference date, in `tz`), ``channel``, ``owner_id``, ``customer_id``, ``state``
            (``late``, ``overdue``, ``at_risk``), ``lateness_h``, ``cause`` (the part with the
            largest share of the lateness), ``cause_h``, then one column per part in hours
            (`PARTS`); in no particular order (`rows` sorts by order id).
        parts: One row per order and part (caller's library): ``order_id``, ``month``,
            ``channel``, ``owner_id``, ``customer_id``, ``state``, ``part``, ``stage``
            (the stage, ``hold`` or ``customer``), ``hold_reason``, ``budget_h``,
            ``actual_h``, ``hours`` (actual minus budget) and ``micros`` (the same, exact);
            in no particular order (sort it if you need one: at scale, sorting costs more
            than the attribution). Built on first use (a property).
        counts: Orders by outcome: ``late``, ``overdue``, ``at_risk``, ``on_time`` (complete
            by the reference or open and on track), ``open_on_track``.
        exclusions: Orders left out by reason (``cancelled``, ``no_reference``,
            ``promise_before_receipt`` and the frame's own: ``missing_received_at``, ...).
        policy: The policy used.
        as_of: The moment of the analysis.
        late: The late orders with every column the parts are read from (narwhals).
        like: The frame whose library the results are in.
    """

    orders: Any
    counts: Mapping[str, int]
    exclusions: Mapping[str, int]
    policy: LatenessPolicy
    as_of: dt.datetime
    late: nw.LazyFrame[Any] = attrs.field(repr=False, eq=False)
    like: object = attrs.field(repr=False, eq=False)

    @functools.cached_property
    def parts(self) -> Any:
        """The long frame (see the attributes), built on first use and kept."""
        return _parts(self.late, self.like)

    def rows(self) -> list[dict[str, Any]]:
        """`orders` as a list of dicts (sorted by order id)."""
        frame = nw.from_native(self.orders)
        eager = frame.collect() if isinstance(frame, nw.LazyFrame) else frame
        return list(eager.sort("order_id").rows(named=True))


def _check_policy_columns(orders: object, policy: LatenessPolicy) -> list[str]:
    schema = _backend.lazy(orders).collect_schema()
    wanted = [policy.reference, *([policy.fallback] if policy.fallback else [])]
    present = [c for c in wanted if c in schema]
    if not present:
        from ordercore.errors import FrameProblem, FrameSchemaError  # noqa: PLC0415

        raise FrameSchemaError(
            "orders",
            [
                FrameProblem(
                    f"missing column {policy.reference!r} (the reference date"
                    + (f"; or its fallback {policy.fallback!r})" if policy.fallback else ")"),
                    column=policy.reference,
                    problem="missing column",
                )
            ],
        )
    return present


def _order_frame(
    orders: object, policy: LatenessPolicy, *, as_of: dt.datetime, tz: str
) -> tuple[nw.LazyFrame[Any], list[str]]:
    """Every order with its exclusion columns (``_kept``: not excluded) and its moments."""
    stamps_ = _check_policy_columns(orders, policy)
    lf = _common.load(
        orders,
        "orders",
        tz=tz,
        needed=["delivered_at"],
        local=stamps_,
        stamps=["received_at", "delivered_at", "cancelled_at", *stamps_],
        as_of=as_of,
        kpi="lateness_attribution",
        micros=True,
    )
    # (the moments in epoch microseconds, as the parts are: `now` too)
    now = float(_common.micros_of(as_of))
    ref = nw.coalesce(*[nw.col(c) for c in stamps_]) if len(stamps_) > 1 else nw.col(stamps_[0])
    month = nw.coalesce(*[nw.col(c + _backend.MONTH_SUFFIX) for c in stamps_])
    cancelled = (
        (~nw.col("cancelled_at").is_null() & (nw.col("cancelled_at") <= now))
        if _common.has(lf, "cancelled_at")
        else nw.lit(value=False)
    )
    done = _completed(lf, now)
    lf = lf.with_columns(_ref=ref, _refm=month, _done=done)
    lf = _common.exclusive(
        lf,
        [
            ("cancelled", cancelled),
            ("no_reference", nw.col("_ref").is_null()),
            ("promise_before_receipt", nw.col("_ref") < nw.col("received_at")),
        ],
        ok="_kept",
        within="_ok",
    )
    names = _common.reasons(lf)
    owner = nw.col("owner_id") if _common.has(lf, "owner_id") else nw.lit(None, nw.String)
    end = nw.when(nw.col("_done")).then(nw.col("delivered_at"))
    out = lf.with_columns(
        owner.alias("owner_id"),
        _refm=nw.col("_refm").cast(nw.Int64),
        _m0=nw.col("received_at"),
        _ref_us=nw.col("_ref"),
        _end=end.otherwise(nw.lit(now)),
    )
    return out, names


def _event_marks(
    events: object,
    *,
    as_of: dt.datetime,
    tz: str,
    fingerprint: bool,
    among: nw.LazyFrame[Any],
    materialize: bool,
) -> tuple[nw.LazyFrame[Any], nw.LazyFrame[Any]]:
    """Per order (by ``_k``): where the stages end; per hold (``_k``, ``hold_id``): its span.

    Only the events of the orders in `among` (a frame of their ``_k``) are read; with
    `materialize`, they are computed once for both results.
    """
    _extra.require(events, "events", {"hold_id": "string", "hold_reason": "string"})
    read_columns = ["order_id", "event_type", "at", "hold_id", "hold_reason"]
    # transit ends at the order's delivered_at: the delivery events are not read
    ends = [t for stage in STAGES[:-1] for t in STAGE_ENDS[stage]]
    holding_types = ["hold_placed", "hold_released"]
    read = [*ends, *holding_types]
    kind = nw.col("event_type")
    holding = kind.is_in(holding_types)

    def theirs(lf: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        return _extra.keyed_among(lf, among, fingerprint=fingerprint)

    # every event read is checked; those of the orders in `among` are prepared
    lf, narrowed = _extra.checked_events(
        events,
        read_columns,
        read,
        {"hold_reason": [r.value for r in HoldReason]},
        codes_where=holding,
        tz=tz,
        as_of=as_of,
        kpi="lateness_attribution",
        materialize=materialize,
        rows=theirs,
        duplicates="exclude",
        micros=True,
    )
    # only the events that end a stage or place or release a hold are read, and only those
    # of the orders in `among`
    read_here = nw.col("_ok") if narrowed else nw.col("_ok") & kind.is_in(read)
    lf = lf.filter(read_here).select(
        "_k",
        *(["_k2"] if fingerprint else []),
        "event_type",
        "hold_id",
        "hold_reason",
        _at=nw.col("at"),  # in epoch microseconds
    )
    if materialize:  # read twice: by the marks and by the holds
        lf = _extra.collect(lf)
    at = nw.col("_at")
    # marks as columns first, then plain aggregations (what every backend groups alike)
    marks = {
        f"_e{i}": nw.when(kind.is_in(list(STAGE_ENDS[stage]))).then(at)
        for i, stage in enumerate(STAGES[:-1], start=1)
    }
    # how many holds the order placed (events, at least the holds): only those orders join
    # the holds' times, and only those with more than one can have holds that overlap
    placed = nw.when((kind == "hold_placed") & ~nw.col("hold_id").is_null()).then(nw.lit(1))
    per_order = (
        lf.select("_k", *(["_k2"] if fingerprint else []), **marks, _held=placed)
        .group_by("_k")
        .agg(
            nw.col("_e1").min(),
            *[nw.col(f"_e{i}").max() for i in range(2, len(STAGES))],
            nw.col("_held").sum(),
            *_extra.key_checks(fingerprint=fingerprint),
        )
    )
    holds = (
        lf.filter(holding & ~nw.col("hold_id").is_null())
        .with_columns(
            _hp=nw.when(kind == "hold_placed").then(at),
            _hr=nw.when(kind == "hold_released").then(at),
        )
        .group_by("_k", "hold_id")
        .agg(nw.col("_hp").min(), nw.col("_hr").min(), nw.col("hold_reason").max().alias("_reason"))
        .filter(~nw.col("_hp").is_null())
    )
    return per_order, holds


def _milestones(lf: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """``_m1`` ... ``_mK``: where each stage ends (``_m0`` is receipt, ``_mK`` the end)."""
    k = len(STAGES)
    ends = [f"_e{i}" for i in range(1, k)]
    # the last stage with its end event (0: none); an open order has not finished transit,
    # whatever part of it was delivered
    reached_by_event = [
        nw.when(~nw.col(e).is_null()).then(nw.lit(i)) for i, e in enumerate(ends, start=1)
    ]
    # polars evaluates a horizontal function inside a branch of ``when`` several times
    # slower than on its own: each is computed in a column first, and the branches pick
    # columns
    lf = lf.with_columns(_lastev=nw.max_horizontal(*reached_by_event).fill_null(0))
    lf = lf.with_columns(
        _last=nw.when(nw.col("_done")).then(nw.lit(k)).otherwise(nw.col("_lastev"))
    )
    # each stage ends at the latest of receipt and the end events up to it, never after the
    # order's end; a stage from which no end event is known (nor from any after it) ends at
    # the end. In closed form: no chain of steps, each reading the one before.
    start = nw.col("_m0")
    since = [start]
    reached: dict[str, nw.Expr] = {}
    for i in range(1, k + 1):
        event = nw.col(ends[i - 1]) if i < k else nw.col("_end")
        since.append(nw.coalesce(event, start))
        reached[f"_r{i}"] = nw.min_horizontal(nw.max_horizontal(*since), nw.col("_end"))
    milestones: dict[str, nw.Expr] = {}
    for i in range(1, k + 1):
        later = nw.col("_last") >= i  # some stage from i on has its end event
        milestones[f"_m{i}"] = nw.when(later).then(nw.col(f"_r{i}")).otherwise(nw.col("_end"))
        # an open order's current stage (the first from which no end event is known) and
        # every stage after it
        milestones[f"_cur{i}"] = ~nw.col("_done") & ~later
    return lf.with_columns(**reached).with_columns(**milestones).drop("_lastev", *reached)


def _hold_overlaps(holds: nw.LazyFrame[Any], staged: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Per order: hold time within each stage (``_h1`` ...) and per part (``hold_credit`` ...).

    `staged` has one row per order that placed a hold, with its milestones (``_m0`` ...
    ``_mK`` of `_milestones`), end, and the count of its hold placements (``_held``): each
    hold is cut to the stages it fell in.
    """
    k = len(STAGES)
    milestones = [f"_m{i}" for i in range(k + 1)]
    spans = holds.join(staged.select("_k", *milestones, "_end", "_held"), on="_k", how="inner")
    h = spans.with_columns(
        _hp=nw.max_horizontal(nw.col("_hp"), nw.col("_m0")),
        _hr=nw.min_horizontal(nw.coalesce(nw.col("_hr"), nw.col("_end")), nw.col("_end")),
    )
    # overlapping holds count once: each starts where the holds placed before it reach (an
    # order that placed one hold has none before it: only the others are paired)
    several = h.filter(nw.col("_held") > 1)
    before = several.select("_k", _bid=nw.col("hold_id"), _bp=nw.col("_hp"), _br=nw.col("_hr"))
    reach = (
        several.select("_k", "hold_id", "_hp")
        .join(before, on="_k", how="inner")
        .filter(
            (nw.col("_bp") < nw.col("_hp"))
            | ((nw.col("_bp") == nw.col("_hp")) & (nw.col("_bid") < nw.col("hold_id")))
        )
        .group_by("_k", "hold_id")
        .agg(nw.col("_br").max().alias("_reach"))
    )
    h = h.join(reach, on=["_k", "hold_id"], how="left").with_columns(
        _hs=nw.max_horizontal(nw.col("_hp"), nw.coalesce(nw.col("_reach"), nw.col("_hp")))
    )
    overlap = {
        f"_h{i}": nw.max_horizontal(
            nw.min_horizontal(nw.col("_hr"), nw.col(f"_m{i}"))
            - nw.max_horizontal(nw.col("_hs"), nw.col(f"_m{i - 1}")),
            nw.lit(0.0),
        )
        for i in range(1, k + 1)
    }
    h = h.with_columns(**overlap).with_columns(
        _ht=nw.sum_horizontal(*[nw.col(f"_h{i}") for i in range(1, k + 1)])
    )
    reason = nw.col("_reason")
    h = h.with_columns(
        **{
            part: nw.when(reason == code).then(nw.col("_ht")).otherwise(nw.lit(0.0))
            for code, part in HOLD_PARTS.items()
        }
    )
    return h.group_by("_k").agg(
        *[nw.col(f"_h{i}").sum() for i in range(1, k + 1)],
        *[nw.col(part).sum() for part in HOLD_PARTS.values()],
    )


def _with_holds(base: nw.LazyFrame[Any], holds: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """`base` with the hold times of `_hold_overlaps` (0 for an order without holds).

    Only the orders that placed a hold (``_held``) join their holds, which are cut by the
    orders' milestones; the others get zeros: a join of every order costs more than
    splitting them.
    """
    k = len(STAGES)
    hold_columns = [*(f"_h{i}" for i in range(1, k + 1)), *HOLD_PARTS.values()]
    held = nw.col("_held").fill_null(0) >= 1
    unheld = base.filter(~held).with_columns(
        *[nw.lit(0.0, nw.Float64).alias(c) for c in hold_columns]
    )
    staged = base.filter(held)
    with_holds = staged.join(_hold_overlaps(holds, staged), on="_k", how="left").with_columns(
        *[nw.col(c).cast(nw.Float64).fill_null(0.0) for c in hold_columns]
    )
    return nw.concat([unheld, with_holds.select(unheld.collect_schema().names())])


def _parts(late: nw.LazyFrame[Any], like: object) -> Any:
    """The long frame of the parts (see `LatenessAttribution.parts`) from the late orders."""
    part_names = list(PARTS)
    # the long frame from one reading of the late orders: one unpivot of the parts, the
    # budget and actual of each read from its stage's columns
    k = len(STAGES)
    late = late.with_columns(_mlabel=_common.month_label("_refm"))
    index = ["order_id", "channel", "owner_id", "customer_id", "_mlabel", "_state"]
    carried = [*(f"_b{i}" for i in range(1, k + 1)), *(f"_a{i}" for i in range(1, k + 1))]
    hold_names = list(HOLD_PARTS.values())
    long = late.select(
        *index,
        *carried,
        *[nw.col(h).alias(f"_y{h}") for h in hold_names],
        **{s: nw.col(f"_x{s}") for s in STAGES},
        **{h: nw.col(h) for h in hold_names},
    ).pipe(
        _extra.unpivot, part_names, [*index, *carried, *(f"_y{h}" for h in hold_names)], "micros"
    )
    budget: nw.Expr = nw.lit(0.0)
    actual: nw.Expr = nw.col("micros")
    for i, name in enumerate(STAGES, start=1):
        budget = nw.when(nw.col("part") == name).then(nw.col(f"_b{i}")).otherwise(budget)
        actual = nw.when(nw.col("part") == name).then(nw.col(f"_a{i}")).otherwise(actual)
    part = nw.col("part")
    stage_of = nw.when(part == "customer_wait").then(nw.lit("customer"))
    reason_of = nw.when(part == "customer_wait").then(nw.lit(HoldReason.CUSTOMER_REQUEST.value))
    for code, name in HOLD_PARTS.items():
        if name != "customer_wait":
            stage_of = stage_of.when(part == name).then(nw.lit("hold"))
            reason_of = reason_of.when(part == name).then(nw.lit(code))
    parts_frame = long.select(
        "order_id",
        "channel",
        "owner_id",
        "customer_id",
        month=nw.col("_mlabel"),
        state=nw.col("_state"),
        part=part,
        stage=stage_of.otherwise(part),
        hold_reason=reason_of.otherwise(nw.lit(None, nw.String)),
        budget_h=budget / _US_PER_HOUR,
        actual_h=actual / _US_PER_HOUR,
        hours=nw.col("micros") / _US_PER_HOUR,
        micros=nw.col("micros"),
    )
    return _backend.to_caller(parts_frame, like)


def lateness_attribution(
    orders: object,
    events: object,
    *,
    as_of: dt.datetime,
    policy: LatenessPolicy | None = None,
    tz: str = "UTC",
    at_risk: bool = True,
) -> LatenessAttribution:
    """Split each late order's delay against its promise into stages and hold reasons.

    Args:
        orders: The orders frame (``received_at``, the policy's reference or fallback,
            ``delivered_at``; ``owner_id``, ``cancelled_at`` and the quantities when there).
        events: The events frame with the ``hold_id`` and ``hold_reason`` columns
            ([`trail_frame`][ordercore.kpi.trail.trail_frame] gives them); events after
            `as_of` are not seen; a repeated event changes nothing (only first and last
            moments are read).
        as_of: The moment of the analysis: open orders are projected from it.
        policy: The stage budgets (`LatenessPolicy()` by default).
        tz: The zone of the months.
        at_risk: Whether open orders not yet past their reference but projected to miss it
            are included.

    Returns:
        A `LatenessAttribution`.

    Raises:
        FrameSchemaError: A missing or mistyped column (``hold_id``, ``hold_reason``, the
            reference), a hold reason that is not a `HoldReason`, or the frames' own problems.
        InvalidArgument: `policy` is not a `LatenessPolicy`.
    """
    _backend.require_frames("lateness_attribution", orders=orders, events=events)
    policy = LatenessPolicy() if policy is None else policy
    if not isinstance(policy, LatenessPolicy):
        raise InvalidArgument(
            "lateness_attribution", "policy", f"must be a LatenessPolicy, got {policy!r}"
        )
    return _extra.fingerprinted_or_by_id(
        lambda fingerprint: _attribute(
            orders, events, policy, as_of=as_of, tz=tz, at_risk=at_risk, fingerprint=fingerprint
        ),
        "lateness_attribution",
        orders,
        events,
    )


def _outcomes(base: nw.LazyFrame[Any], now_us: int, *, settled: int) -> dict[str, int]:
    """The orders by outcome (`LatenessAttribution.counts`): `base`'s, and `settled` on time."""
    done, late, due = nw.col("_done"), nw.col("_late"), nw.col("_ref_us")
    counted = _extra.rows(
        base.select(
            _backend.count(base, done & (late > 0)).alias("late"),
            _backend.count(base, ~done & (due < now_us)).alias("overdue"),
            _backend.count(base, ~done & (due >= now_us) & (late > 0)).alias("at_risk"),
            _backend.count(base, late <= 0).alias("on_time"),
            _backend.count(base, ~done & (due >= now_us) & (late <= 0)).alias("open_on_track"),
        )
    )[0]
    out = {name: int(value or 0) for name, value in counted.items()}
    out["on_time"] += settled
    return out


def _to_read(
    orders_frame: nw.LazyFrame[Any], names: Sequence[str], *, eager: bool, fingerprint: bool
) -> tuple[nw.LazyFrame[Any], int, dict[str, float]]:
    """The orders whose events are read (keyed), the count on time, the exclusions' sums.

    The count is of the complete orders on time; the sums are of the exclusion columns
    `names`.

    A complete order's lateness is its end minus its reference, whatever its events say:
    only the late ones and the open ones (whose projection reads the stage they are in)
    need their events. The complete orders on time are counted and read no further (with
    the exclusions, from the orders prepared once where they are computed).
    """
    read = nw.col("_kept") & (~nw.col("_done") | (nw.col("_end") > nw.col("_ref_us")))
    settled = nw.col("_kept") & ~read
    kept = ["order_id", "channel", "customer_id", "owner_id", "_done", "_refm", "_m0"]
    orders_frame = orders_frame.select(
        *kept, "_ref_us", "_end", *names, _read=read, _settled=settled
    )
    if eager or fingerprint:  # prepared once for the sums and the pick
        orders_frame = _extra.collect(orders_frame)
    totals = _common.sums(orders_frame, [*names, "_settled"])
    on_time = int(totals.pop("_settled"))
    picked = orders_frame.filter(nw.col("_read")).select(*kept, "_ref_us", "_end")
    picked = _extra.keyed(picked, fingerprint=fingerprint)
    if eager or fingerprint:  # read by the events' pick and the marks
        picked = _extra.collect(picked)
    return picked, on_time, totals


def _attribute(
    orders: object,
    events: object,
    policy: LatenessPolicy,
    *,
    as_of: dt.datetime,
    tz: str,
    at_risk: bool,
    fingerprint: bool,
) -> LatenessAttribution | None:
    """`lateness_attribution`, grouping events by `fingerprint` or by id (None: collided)."""
    native: Any = orders
    eager = isinstance(nw.from_native(native), nw.DataFrame)
    orders_frame, names = _order_frame(orders, policy, as_of=as_of, tz=tz)
    orders_frame, settled, totals = _to_read(
        orders_frame, names, eager=eager, fingerprint=fingerprint
    )
    marks, holds = _event_marks(
        events,
        as_of=as_of,
        tz=tz,
        fingerprint=fingerprint,
        among=orders_frame.select("_k"),
        materialize=eager or fingerprint,
    )
    k = len(STAGES)
    # the numbers per order, without the text columns (joins carry every column they keep):
    # those join back on the late orders
    dims = ["order_id", "channel", "owner_id", "customer_id"]
    keys = ["_k", *(["_k2"] if fingerprint else [])]
    marked = orders_frame.select(*keys, "_done", "_m0", "_ref_us", "_end", *dims, "_refm").join(
        marks, on="_k", how="left"
    )
    if eager or fingerprint:  # the holds read the marks too: grouped once, and checked
        marked = _extra.collect(marked)
        if _extra.collided(marked, fingerprint=fingerprint):
            return None
    base = _milestones(marked.with_columns(_p=nw.col("_ref_us") - nw.col("_m0"))).select(
        "_k",
        *dims,
        "_refm",
        "_done",
        "_ref_us",
        "_end",
        "_p",
        "_held",
        *[f"_m{i}" for i in range(k + 1)],
        *[f"_cur{i}" for i in range(1, k + 1)],
    )
    base = _with_holds(base, holds)
    budgets = _budgets(policy)
    base = base.with_columns(
        **{f"_b{i}": budgets[s] for i, s in enumerate(STAGES, start=1)},
        **{
            f"_a{i}": nw.col(f"_m{i}") - nw.col(f"_m{i - 1}") - nw.col(f"_h{i}")
            for i in range(1, k + 1)
        },
    )
    # the current stage of an open order and those after it (``_cur``) take at least their
    # budget: one under its budget takes the budget, and what it has not used is left
    # (the overrun in a column of its own first, read by both)
    base = base.with_columns(
        **{f"_o{i}": nw.col(f"_a{i}") - nw.col(f"_b{i}") for i in range(1, k + 1)}
    )
    parts: dict[str, nw.Expr] = {}
    left: dict[str, nw.Expr] = {}
    for i, stage in enumerate(STAGES, start=1):
        over = nw.col(f"_o{i}")
        under = nw.col(f"_cur{i}") & (over < 0)
        parts[f"_x{stage}"] = nw.when(under).then(nw.lit(0.0)).otherwise(over)
        left[f"_l{i}"] = nw.when(under).then(-over).otherwise(nw.lit(0.0))
    base = base.with_columns(**parts, **left).with_columns(
        _left=nw.sum_horizontal(*[nw.col(c) for c in left])
    )
    # lateness from the dates alone (and the budget left): the parts must sum to it
    finish = (
        nw.when(nw.col("_done")).then(nw.col("_end")).otherwise(nw.col("_end") + nw.col("_left"))
    )
    base = base.with_columns(_late=finish - nw.col("_ref_us"))
    now_us = _common.micros_of(as_of)
    # what the outputs read: the counts, and the parts of the late orders
    base = base.select(
        "_k",
        *dims,
        "_refm",
        "_done",
        "_late",
        "_ref_us",
        *(f"_{c}{i}" for c in "ba" for i in range(1, k + 1)),
        *(f"_x{s}" for s in STAGES),
        *HOLD_PARTS.values(),
    )
    if eager:  # eager input: the orders computed once for every output
        base = _extra.collect(base)
    part_cols = [f"_x{s}" for s in STAGES] + list(HOLD_PARTS.values())
    part_names = list(PARTS)
    counted = _outcomes(base, now_us, settled=settled)
    keep = (nw.col("_late") > 0) & (
        nw.col("_done") | (nw.col("_ref_us") < now_us) | nw.lit(value=at_risk)
    )
    state = (
        nw.when(nw.col("_done"))
        .then(nw.lit("late"))
        .when(nw.col("_ref_us") < now_us)
        .then(nw.lit("overdue"))
        .otherwise(nw.lit("at_risk"))
    )
    # not computed apart: `base` is (eager input), and the parts, built on first use, filter
    # it again
    late = base.filter(keep).with_columns(_state=state)
    # the cause: the part with the most of the lateness (the first in `PARTS` order on a tie)
    # (in a column of its own first: see `_milestones`)
    late_with = late.with_columns(_big=nw.max_horizontal(*[nw.col(c) for c in part_cols]))
    biggest = nw.col("_big")
    cause = nw.when(nw.col(part_cols[0]) == biggest).then(nw.lit(part_names[0]))
    for column, name in zip(part_cols[1:], part_names[1:], strict=True):
        cause = cause.when(nw.col(column) == biggest).then(nw.lit(name))
    # (computed orders: their months' labels looked up)
    months = _common.month_range(base, "_refm") if eager else None
    wide = late_with.select(
        *dims,
        month=_common.month_label("_refm", months),
        state=nw.col("_state"),
        lateness_h=nw.col("_late") / _US_PER_HOUR,
        lateness_us=nw.col("_late"),
        cause=cause,
        cause_h=biggest / _US_PER_HOUR,
        **{name: nw.col(c) / _US_PER_HOUR for c, name in zip(part_cols, part_names, strict=True)},
    )
    wide = wide.select(
        "order_id",
        "month",
        *dims[1:],
        *[c for c in wide.collect_schema().names() if c not in (*dims, "month")],
    )
    return LatenessAttribution(
        orders=_backend.to_caller(_extra.collect(wide) if eager else wide, orders),
        late=late,
        like=orders,
        counts=MappingProxyType(counted),
        exclusions=MappingProxyType(_common.exclusions(totals, names)),
        policy=policy,
        as_of=as_of,
    )


_DIMENSIONS: Final = (
    "month",
    "channel",
    "owner_id",
    "customer_id",
    "stage",
    "part",
    "hold_reason",
    "state",
)


def lateness_by(
    attribution: LatenessAttribution, by: Sequence[str] = ("part",), *, month: str | None = None
) -> Any:
    """Sum the parts of the lateness by some dimensions: where the delay went.

    Args:
        attribution: A `lateness_attribution` result.
        by: Any of ``month``, ``channel``, ``owner_id``, ``customer_id``, ``stage``,
            ``part``, ``hold_reason``, ``state``.
        month: Only the orders due in this month (``"2026-07"``).

    Returns:
        One row per group (caller's library): the `by` columns, ``orders`` (late orders in
        the group), ``over_budget`` (parts over budget: by ``part``, the orders whose part
        overran), ``hours`` (sum of the parts: the lateness the group consumed; negative
        where it saved time), ``late_hours`` (only the parts over budget) and ``share``
        (``late_hours`` over all groups' ``late_hours``), sorted by ``late_hours``
        descending, then the `by` columns.

    Raises:
        InvalidArgument: An unknown dimension.
        ConfigurationError: A month that does not look like ``"2026-07"``.
    """
    if not isinstance(attribution, LatenessAttribution):
        raise InvalidArgument(
            "lateness_by", "attribution", f"must be a LatenessAttribution, got {attribution!r}"
        )
    unknown = [b for b in by if b not in _DIMENSIONS]
    if unknown or not by:
        raise InvalidArgument(
            "lateness_by", "by", f"must name some of {', '.join(_DIMENSIONS)}, got {list(by)!r}"
        )
    _common.period_month(month)
    lf = _backend.lazy(attribution.parts)
    if month is not None:
        lf = lf.filter(nw.col("month") == month)
    lf = lf.with_columns(
        _over=_backend.flag(nw.col("hours") > 0),
        _late=nw.when(nw.col("hours") > 0).then(nw.col("hours")).otherwise(nw.lit(0.0)),
    )
    keys = list(dict.fromkeys(by))
    # per order first, then per group: each order counts once in its group
    per_order = lf.group_by(*dict.fromkeys([*keys, "order_id"])).agg(
        nw.col("_over").sum(), nw.col("hours").sum(), nw.col("_late").sum()
    )
    grouped = per_order.group_by(*keys).agg(
        nw.len().alias("orders"),
        nw.col("_over").sum().alias("over_budget"),
        nw.col("hours").sum(),
        nw.col("_late").sum().alias("late_hours"),
    )
    total = _backend.rows(lf.select(nw.col("_late").sum()))[0]["_late"] or 0.0
    out = grouped.with_columns(
        share=nw.col("late_hours") / total if total else nw.lit(None, nw.Float64)
    ).sort(["late_hours", *keys], descending=[True, *[False] * len(keys)], nulls_last=True)
    return _backend.to_caller(out, attribution.parts)


def promise_at_risk(
    orders: object,
    events: object,
    *,
    as_of: dt.datetime,
    policy: LatenessPolicy | None = None,
    tz: str = "UTC",
    critical_hours: float = 24.0,
) -> Any:
    """Alerts for open orders that cannot meet their promise, before the date passes.

    An open order not yet past its reference date is at risk when the stage it is in and
    the stages after it, each given at least its budget, end after the reference (see
    `lateness_attribution`). The alerts have the columns of `ordercore.kpi.monitor.alerts`:
    ``order_id``, ``rule`` (``promise_at_risk``), ``age_hours`` (the projected lateness) and
    ``severity`` (``critical`` from `critical_hours`), plus ``cause``: the part that
    consumed most of the lead time.

    Raises:
        FrameSchemaError: As `lateness_attribution`.
    """
    result = lateness_attribution(orders, events, as_of=as_of, policy=policy, tz=tz)
    lf = _backend.lazy(result.orders).filter(nw.col("state") == "at_risk")
    out = lf.select(
        "order_id",
        rule=nw.lit("promise_at_risk"),
        age_hours=nw.col("lateness_h"),
        severity=nw.when(nw.col("lateness_h") >= critical_hours)
        .then(nw.lit("critical"))
        .otherwise(nw.lit("warning")),
        cause=nw.col("cause"),
    ).sort("order_id")
    return _backend.to_caller(out, result.orders)
