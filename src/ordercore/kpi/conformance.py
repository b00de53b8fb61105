"""Policy conformance: is the written policy carried out? Each checkable clause, on the trail.

Every check is named, bilingual and tied to its policy section; it passes or fails on each
order (a complaint: each case) it applies to, and does not apply to the others:

| check | applies to | passes when |
|---|---|---|
| ``confirmed_before_approval`` | approved orders of the confirmation channels (phone, fax) | a ``confirmation_ref`` was recorded no later than the first approval |
| ``reviewed_before_approval`` | approved orders | a review started no later than the first approval |
| ``risk_assessed_before_approval`` | approved orders | a risk assessment was recorded no later than the first approval |
| ``hold_release_authorised`` | orders with released holds | every release was by an authorised actor and gave a reason |
| ``complaint_investigated`` | complaints opened at least `complaint_days` before `as_of`, or with a root cause | the root cause was recorded within `complaint_days` |
| ``feedback_before_close`` | closed orders | feedback was recorded, or waived with a reason, no later than closing |
| ``archived_in_time`` | orders closed at least `archive_days` before `as_of`, or archived | archived within `archive_days` of closing |
| ``checkpoint:<name>`` | orders at the levels of a `CheckpointRule`, past its start event | the checkpoint was recorded as passed within its SLA |

Events after `as_of` have not happened. Months are those of the order's receipt (of a
complaint's opening), in `tz`. The events frame is a
[`trail_frame`][ordercore.kpi.trail.trail_frame] (or an export with the same columns).

Examples:
    >>> from ordercore.testing.book import synthetic_book
    >>> from ordercore.kpi.trail import trail_frame
    >>> book = synthetic_book(orders=80, seed=4, violations={"archived_in_time": 0.5})
    >>> frames = book.frames()
    >>> report = conformance(frames["orders"], trail_frame(book.events), cases=frames["cases"],
    ...                      as_of=book.as_of)
    >>> failing = set(report.failures("archived_in_time"))
    >>> failing == set(book.violations["archived_in_time"])
    True
"""

from __future__ import annotations

import functools
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs
import narwhals.stable.v2 as nw

from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.kpi import _backend, _common, _extra, _words
from ordercore.kpi.check import refuse, require_columns
from ordercore.status import Channel

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "CHECKS",
    "Check",
    "CheckpointRule",
    "ConformancePolicy",
    "ConformanceReport",
    "conformance",
]

_LEVELS: Final = ("low", "medium", "high", "critical")
_READ_TYPES: Final = frozenset(
    {
        "order_created",
        "header_amended",
        "review_started",
        "risk_assessed",
        "order_approved",
        "hold_released",
        "feedback_recorded",
        "feedback_waived",
        "order_closed",
        "order_archived",
        "checkpoint_recorded",
    }
)
"""The event types the built-in checks read (no shipment, delivery or billing movements);
a checkpoint rule adds the type its SLA runs from."""
_US_PER_HOUR: Final = 3.6e9
_US_PER_DAY: Final = 8.64e10


@attrs.frozen
class Check:
    """A checkable clause of the policy.

    Attributes:
        name: The check's code.
        section: The policy section, in English.
        section_zh: The same in Chinese.
        en: What it checks, in English.
        zh: The same in Chinese.
    """

    name: str
    section: str
    section_zh: str
    en: str
    zh: str

    def label(self, lang: str = "en") -> str:
        """Its description in `lang` (``en`` or ``zh``)."""
        return self.zh if _words.check_lang(lang, "Check.label") else self.en


CHECKS: Final[Mapping[str, Check]] = MappingProxyType(
    {
        c.name: c
        for c in (
            Check(
                "confirmed_before_approval",
                "1 receipt: order entry",
                "1 订单接收：订单录入",
                "phone and fax orders confirmed before approval",
                "电话、传真订单在审批前已确认",
            ),
            Check(
                "reviewed_before_approval",
                "1 receipt: order review",
                "1 订单接收：订单评审",
                "every order reviewed before approval",
                "每个订单在审批前已评审",
            ),
            Check(
                "risk_assessed_before_approval",
                "risk: risk assessment",
                "风险防范：风险评估",
                "every order risk-assessed before approval",
                "每个订单在审批前已进行风险评估",
            ),
            Check(
                "hold_release_authorised",
                "supervision: anomalies",
                "监督：异常处理",
                "holds released by an authorised person with a reason",
                "冻结由授权人员解除并说明原因",
            ),
            Check(
                "complaint_investigated",
                "4 delivery: after-sales",
                "4 订单交付：售后服务",
                "complaints investigated with a root cause in time",
                "投诉按时调查并记录根因",
            ),
            Check(
                "feedback_before_close",
                "5 closing: feedback collection",
                "5 订单闭环：反馈收集",
                "feedback collected or waived with a reason before closing",
                "关闭前已收集反馈或说明免收原因",
            ),
            Check(
                "archived_in_time",
                "5 closing: archiving",
                "5 订单闭环：归档",
                "closed orders archived in time",
                "已关闭订单按时归档",
            ),
        )
    }
)
"""The built-in checks by name (checkpoint checks come from the policy's rules)."""

_CHECKPOINT_CHECK: Final = Check(
    "checkpoint",
    "supervision: supervision by risk level",
    "监督：按风险等级监督",
    "supervision checkpoint {name} done within its SLA",
    "监督检查点 {name} 在时限内完成",
)


def _names(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


def _levels(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class CheckpointRule:
    """A supervision checkpoint an order must pass within an SLA, at some risk levels.

    Attributes:
        checkpoint: The checkpoint's id (as recorded by ``RecordCheckpoint``).
        levels: The risk levels it applies to (the order's latest recorded assessment).
        after: The event type from which the SLA runs (``order_approved``).
        sla_hours: Hours allowed.
        only: The orders it is judged on, when not all of them (a sampled checkpoint:
            `SupervisionPlan.conformance_rules` gives the sample); `None`: every order.

    Raises:
        ConfigurationError: An unknown level, no level, or an SLA that is not > 0.
    """

    checkpoint: str
    levels: tuple[str, ...] = attrs.field(converter=_levels)
    after: str = "order_approved"
    sla_hours: float = 24.0
    only: frozenset[str] | None = attrs.field(default=None, converter=_names)

    def __attrs_post_init__(self) -> None:
        unknown = [lv for lv in self.levels if lv not in _LEVELS]
        if unknown or not self.levels:
            raise ConfigurationError(
                f"levels must be some of {', '.join(_LEVELS)}, got {self.levels!r}",
                component="CheckpointRule",
            )
        if isinstance(self.sla_hours, bool) or not self.sla_hours > 0:
            raise ConfigurationError(
                f"sla_hours must be > 0, got {self.sla_hours!r}", component="CheckpointRule"
            )

    @property
    def check(self) -> str:
        """The name of its check."""
        return f"checkpoint:{self.checkpoint}"


def _rules(value: Iterable[CheckpointRule]) -> tuple[CheckpointRule, ...]:
    return tuple(value)


@attrs.frozen
class ConformancePolicy:
    """The limits the checks apply.

    Attributes:
        confirm_channels: The channels whose orders need a confirmation before approval.
        complaint_days: Days to record a complaint's root cause.
        archive_days: Days from closing to archiving.
        hold_releasers: The actor ids allowed to release holds; `None`: any person (an
            actor of kind ``user``), never the system or an integration.
        checkpoints: Supervision checkpoints to check (a `SupervisionPlan` gives them).

    Raises:
        ConfigurationError: An unknown channel, or a number of days that is not > 0.
    """

    confirm_channels: tuple[str, ...] = (Channel.PHONE.value, Channel.FAX.value)
    complaint_days: float = 7.0
    archive_days: float = 30.0
    hold_releasers: frozenset[str] | None = attrs.field(default=None, converter=_names)
    checkpoints: tuple[CheckpointRule, ...] = attrs.field(default=(), converter=_rules)

    def __attrs_post_init__(self) -> None:
        known = {c.value for c in Channel}
        unknown = [c for c in self.confirm_channels if c not in known]
        if unknown:
            raise ConfigurationError(
                f"unknown channel {', '.join(unknown)}", component="ConformancePolicy"
            )
        for name in ("complaint_days", "archive_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ConfigurationError(
                    f"{name} must be > 0, got {value!r}", component="ConformancePolicy"
                )
        names = [r.check for r in self.checkpoints]
        if len(set(names)) != len(names):
            raise ConfigurationError(
                "a checkpoint appears in two rules", component="ConformancePolicy"
            )

    def checks(self) -> dict[str, Check]:
        """Every check this policy runs, by name (the built-in ones, then the checkpoints)."""
        out = dict(CHECKS)
        for rule in self.checkpoints:
            c = _CHECKPOINT_CHECK
            out[rule.check] = Check(
                rule.check,
                c.section,
                c.section_zh,
                c.en.format(name=rule.checkpoint),
                c.zh.format(name=rule.checkpoint),
            )
        return out


_HEAD: Final = {
    "en": ("check", "policy section", "checked", "passed", "pass rate", "e.g. failing"),
    "zh": ("检查项", "制度条款", "检查数", "通过数", "通过率", "不合规示例"),
}


@attrs.frozen
class ConformanceReport:
    """Pass and fail of each check on each order, with pass rates and failing examples.

    Attributes:
        results: One row per check and order (case) it applies to, caller's library:
            ``check``, ``order_id``, ``case_id`` (complaints), ``month``, ``channel``,
            ``owner_id``, ``passed``; built on first use (a property).
        summary: One dict per check that ran, in `checks` order: ``check``, ``section``,
            ``checked``, ``passed``, ``failed``, ``rate`` (None when nothing was checked),
            ``examples`` (up to `examples` failing order ids, sorted).
        checks: The checks by name.
        policy: The policy used.
        as_of: The moment of the report.
        long: The results as a narwhals frame, not yet computed.
        like: The frame whose library the results are in.
    """

    summary: tuple[Mapping[str, Any], ...]
    checks: Mapping[str, Check]
    policy: ConformancePolicy
    as_of: dt.datetime
    long: nw.LazyFrame[Any] = attrs.field(repr=False, eq=False)
    like: object = attrs.field(repr=False, eq=False)

    @functools.cached_property
    def results(self) -> Any:
        """The results frame (see the attributes), built on first use and kept."""
        return _backend.to_caller(self.long, self.like)

    def failures(self, check: str) -> list[str]:
        """Every order id failing `check`, sorted (a complaint: its order)."""
        if check not in self.checks:
            raise InvalidArgument(
                "failures", "check", f"unknown {check!r}; checks: {', '.join(self.checks)}"
            )
        lf = _backend.lazy(self.results)
        found = lf.filter((nw.col("check") == check) & ~nw.col("passed")).select("order_id")
        return sorted({r["order_id"] for r in _backend.rows(found)})

    def rates(self, by: Sequence[str] = ("check", "month")) -> Any:
        """Pass rates by any of ``check``, ``month``, ``channel``, ``owner_id``.

        Returns:
            One row per group (caller's library): the `by` columns, ``checked``, ``passed``,
            ``rate``; sorted by the `by` columns.
        """
        allowed = ("check", "month", "channel", "owner_id")
        keys = list(dict.fromkeys(by))
        if not keys or any(k not in allowed for k in keys):
            raise InvalidArgument(
                "rates", "by", f"must name some of {', '.join(allowed)}, got {list(by)!r}"
            )
        lf = _backend.lazy(self.results).with_columns(_p=_backend.flag(nw.col("passed")))
        out = (
            lf.group_by(*keys)
            .agg(nw.len().alias("checked"), nw.col("_p").sum().alias("passed"))
            .with_columns(rate=nw.col("passed") / nw.col("checked"))
            .sort(keys, nulls_last=True)
        )
        return _backend.to_caller(out, self.results)

    def worst(self, n: int = 3) -> list[Mapping[str, Any]]:
        """The `n` checks with the lowest pass rate (most failures first on a tie)."""
        ran = [s for s in self.summary if s["checked"]]
        return sorted(ran, key=lambda s: (s["rate"], -s["failed"], s["check"]))[:n]

    def _cells(self, lang: str) -> tuple[tuple[str, ...], list[list[str]]]:
        zh = _words.check_lang(lang, "ConformanceReport")
        rows = []
        for s in self.summary:
            check = self.checks[s["check"]]
            rate = "–" if s["rate"] is None else f"{s['rate']:.1%}"
            rows.append(
                [
                    check.label(lang),
                    check.section_zh if zh else check.section,
                    str(s["checked"]),
                    str(s["passed"]),
                    rate,
                    ", ".join(s["examples"]),
                ]
            )
        return _HEAD["zh" if zh else "en"], rows

    def to_markdown(self, lang: str = "en") -> str:
        """The summary as a Markdown table, in English or Chinese."""
        head, rows = self._cells(lang)
        lines = ["| " + " | ".join(head) + " |", "|---|---|---:|---:|---:|---|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)

    def to_html(self, lang: str = "en") -> str:
        """The summary as an HTML table (every value escaped)."""
        from ordercore import _html  # noqa: PLC0415 - only notebooks and reports call this

        head, rows = self._cells(lang)
        caption = "制度执行检查" if lang != "en" else "Policy conformance"
        return _html.table(head, rows, caption, numeric=[False, False, True, True, True])

    def _repr_html_(self) -> str:
        return self.to_html()

    def plot(self, lang: str = "en") -> Any:
        """Horizontal bars of each check's pass rate (needs the ``plot`` extra)."""
        zh = _words.check_lang(lang, "ConformanceReport.plot")
        try:
            from matplotlib.ticker import PercentFormatter  # noqa: PLC0415 - optional extra

            from ordercore.kpi._figure import Chart  # noqa: PLC0415
            from ordercore.kpi._report_view import chinese_fonts  # noqa: PLC0415
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "plot() needs matplotlib: pip install 'ordercore-domain[plot]'"
            ) from error
        font: dict[str, Any] = {"fontfamily": [*chinese_fonts(), "sans-serif"]} if zh else {}
        ran = [s for s in self.summary if s["checked"]]
        figure = Chart(figsize=(8, 1 + 0.5 * max(len(ran), 1)), layout="constrained")
        axes = figure.subplots()
        ys = list(range(len(ran)))
        axes.barh(ys, [s["rate"] for s in ran], color="#55a868")
        axes.set_yticks(ys, [self.checks[s["check"]].label(lang) for s in ran], fontsize=8, **font)
        axes.invert_yaxis()
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(PercentFormatter(1.0))
        title = "制度执行检查：通过率" if zh else "Policy conformance: pass rate"
        axes.set_title(f"{title} ({self.as_of:%Y-%m-%d})", fontsize=10, **font)
        return figure


def _order_marks(
    events: object,
    policy: ConformancePolicy,
    *,
    as_of: dt.datetime,
    tz: str,
    fingerprint: bool,
    materialize: bool,
) -> Any:
    _extra.require(
        events,
        "events",
        {
            "confirmation_ref": "string",
            "hold_id": "string",
            "checkpoint": "string",
            "passed": "bool",
            "risk_level": "string",
        },
    )
    require_columns(events, "events", ["actor", "actor_kind", "reason"])
    # first moments and counts of bad releases, which a repeated event does not change
    read_columns = [
        "order_id",
        "event_type",
        "at",
        "actor",
        "actor_kind",
        "reason",
        "confirmation_ref",
        "hold_id",
        "checkpoint",
        "passed",
        "risk_level",
    ]
    read = {*_READ_TYPES, *(rule.after for rule in policy.checkpoints)}
    lf, narrowed = _extra.checked_events(
        events,
        read_columns,
        read,
        {"risk_level": list(_LEVELS)},
        tz=tz,
        as_of=as_of,
        kpi="conformance",
        materialize=materialize,
        micros=True,
    )
    # (``at`` in epoch microseconds: the marks compare with the limits exactly)
    kind, at = nw.col("event_type"), nw.col("at")
    lf = lf.filter(nw.col("_ok") if narrowed else nw.col("_ok") & kind.is_in(sorted(read)))
    # an entry or header amendment without a confirmation marks nothing: not grouped
    silent = {"order_created", "header_amended"} - {rule.after for rule in policy.checkpoints}
    lf = lf.filter(~(kind.is_in(sorted(silent)) & nw.col("confirmation_ref").is_null()))
    lf = _extra.keyed(lf, fingerprint=fingerprint)
    # a reason is read on releases and waivers only: the text of the other rows is not stripped
    said = nw.when(kind.is_in(["hold_released", "feedback_waived"])).then(nw.col("reason"))
    # (nulls elsewhere: the strings of the other rows are not touched)
    reason = (said.str.strip_chars() != "").fill_null(value=False)
    if policy.hold_releasers is None:
        authorised = nw.col("actor_kind") == "user"
    else:
        authorised = nw.col("actor").is_in(sorted(policy.hold_releasers))
    released = kind == "hold_released"
    marks = {
        "_appr": nw.when(kind == "order_approved").then(at),
        "_rev": nw.when(kind == "review_started").then(at),
        "_risk": nw.when(kind == "risk_assessed").then(at),
        "_conf": nw.when(~nw.col("confirmation_ref").is_null()).then(at),
        "_close": nw.when(kind == "order_closed").then(at),
        "_fb": nw.when((kind == "feedback_recorded") | ((kind == "feedback_waived") & reason)).then(
            at
        ),
        "_arch": nw.when(kind == "order_archived").then(at),
        # per release 0 (authorised, with a reason) or 1: the largest is 0 when all were
        "_badrel": nw.when(released).then(
            _backend.flag(~(authorised.fill_null(value=False) & reason))
        ),
    }
    firsts = ["_appr", "_rev", "_risk", "_conf", "_close", "_fb", "_arch"]
    for i, rule in enumerate(policy.checkpoints):
        marks[f"_from{i}"] = nw.when(kind == rule.after).then(at)
        done = (kind == "checkpoint_recorded") & (nw.col("checkpoint") == rule.checkpoint)
        marks[f"_done{i}"] = nw.when(done & nw.col("passed").fill_null(value=False)).then(at)
        firsts += [f"_from{i}", f"_done{i}"]
    lasts = []
    if policy.checkpoints:  # the level is the latest assessment's
        marks["_lvlat"] = nw.when(kind == "risk_assessed").then(at)
        lasts.append("_lvlat")
    keys = ["_k", *(["_k2"] if fingerprint else [])]
    per_order = (
        lf.select(*keys, **marks)
        .group_by("_k")
        .agg(
            *[nw.col(c).min() for c in firsts],
            *[nw.col(c).max() for c in lasts],
            nw.col("_badrel").max(),
            *_extra.key_checks(fingerprint=fingerprint),
        )
    )
    if policy.checkpoints:
        # the latest recorded assessment's level (the largest level on a tie of moments)
        latest = (
            lf.filter(kind == "risk_assessed")
            .select("_k", _lvlat=at, _level=nw.col("risk_level"))
            .join(per_order.select("_k", "_lvlat"), on=["_k", "_lvlat"], how="inner")
            .group_by("_k")
            .agg(nw.col("_level").max())
        )
        per_order = per_order.join(latest, on="_k", how="left")
    return per_order


def _order_checks(
    orders: object,
    events: object,
    policy: ConformancePolicy,
    *,
    as_of: dt.datetime,
    tz: str,
    fingerprint: bool,
    eager: bool,
) -> tuple[nw.LazyFrame[Any], list[str]] | None:
    """The orders with one verdict column per check (None: fingerprints collided)."""
    lf = _common.load(
        orders,
        "orders",
        tz=tz,
        stamps=["received_at"],
        local=["received_at"],
        as_of=as_of,
        kpi="conformance",
    )
    owner = nw.col("owner_id") if _common.has(lf, "owner_id") else nw.lit(None, nw.String)
    base = lf.filter(nw.col("_ok")).select(
        "order_id",
        "channel",
        owner.alias("owner_id"),
        _month=nw.col("received_at" + _backend.MONTH_SUFFIX).cast(nw.Int64),
    )
    marks = _order_marks(
        events,
        policy,
        as_of=as_of,
        tz=tz,
        fingerprint=fingerprint,
        materialize=eager or fingerprint,
    )
    base = _extra.keyed(base, fingerprint=fingerprint).join(marks, on="_k", how="left")
    if eager or fingerprint:  # computed once for every view, and checked
        base = _extra.collect(base)
        if _extra.collided(base, fingerprint=fingerprint):
            return None
    now_us = _common.micros_of(as_of)

    def verdict(applies: nw.Expr, passed: nw.Expr) -> nw.Expr:
        # 1 passed, 0 failed, null: the check does not apply
        return nw.when(applies.fill_null(value=False)).then(
            nw.when(passed.fill_null(value=False)).then(nw.lit(1.0)).otherwise(nw.lit(0.0))
        )

    approved = ~nw.col("_appr").is_null()
    closed = ~nw.col("_close").is_null()
    # the marks are in microseconds already
    archive_due = nw.col("_close") + round(policy.archive_days * _US_PER_DAY)
    checks = {
        "confirmed_before_approval": verdict(
            approved & nw.col("channel").is_in(list(policy.confirm_channels)),
            nw.col("_conf") <= nw.col("_appr"),
        ),
        "reviewed_before_approval": verdict(approved, nw.col("_rev") <= nw.col("_appr")),
        "risk_assessed_before_approval": verdict(approved, nw.col("_risk") <= nw.col("_appr")),
        "hold_release_authorised": verdict(~nw.col("_badrel").is_null(), nw.col("_badrel") == 0),
        "feedback_before_close": verdict(closed, nw.col("_fb") <= nw.col("_close")),
        "archived_in_time": verdict(
            closed & (~nw.col("_arch").is_null() | (archive_due <= now_us)),
            nw.col("_arch") <= archive_due,
        ),
    }
    for i, rule in enumerate(policy.checkpoints):
        start = nw.col(f"_from{i}")
        due = nw.col(f"_from{i}") + round(rule.sla_hours * _US_PER_HOUR)
        sample = (
            nw.lit(value=True) if rule.only is None else nw.col("order_id").is_in(sorted(rule.only))
        )
        applies = (
            sample
            & nw.col("_level").is_in(list(rule.levels))
            & ~start.is_null()
            & (~nw.col(f"_done{i}").is_null() | (due <= now_us))
        )
        checks[rule.check] = verdict(applies, nw.col(f"_done{i}") <= due)
    return base.with_columns(**checks), list(checks)


def _complaint_checks(
    cases: object, policy: ConformancePolicy, *, as_of: dt.datetime, tz: str
) -> nw.LazyFrame[Any]:
    # `_common.load` knows no arrival reason for cases: checked and prepared here
    require_columns(cases, "cases", ["root_cause_at"])
    refuse(cases, "cases")
    # (in epoch microseconds, as the trail's marks: limits compare exactly)
    now_us = _common.micros_of(as_of)
    lf = _backend.prepare(
        cases, ["opened_at", "root_cause_at"], tz, local=["opened_at"], micros=True
    )
    complaints = lf.filter(
        (nw.col("kind") == "complaint") & (nw.col("opened_at") <= now_us).fill_null(value=False)
    )
    due = nw.col("opened_at") + round(policy.complaint_days * _US_PER_DAY)
    found = ~nw.col("root_cause_at").is_null() & (nw.col("root_cause_at") <= now_us)
    owner = nw.col("owner_id") if _common.has(lf, "owner_id") else nw.lit(None, nw.String)
    channel = nw.col("channel") if _common.has(lf, "channel") else nw.lit(None, nw.String)
    return complaints.filter(found.fill_null(value=False) | (due <= now_us)).select(
        nw.lit("complaint_investigated").alias("check"),
        nw.col("order_id"),
        nw.col("case_id").cast(nw.String),
        _month=nw.col("opened_at" + _backend.MONTH_SUFFIX).cast(nw.Int64),
        channel=channel.cast(nw.String),
        owner_id=owner.cast(nw.String),
        passed=(found & (nw.col("root_cause_at") <= due)).fill_null(value=False),
    )


def _verdicts(
    orders: object,
    events: object,
    policy: ConformancePolicy,
    *,
    as_of: dt.datetime,
    tz: str,
    eager: bool,
) -> tuple[nw.LazyFrame[Any], list[str]]:
    """`_order_checks` by fingerprint where it can, by the ids where fingerprints collided."""
    return _extra.fingerprinted_or_by_id(
        lambda fingerprint: _order_checks(
            orders, events, policy, as_of=as_of, tz=tz, fingerprint=fingerprint, eager=eager
        ),
        "conformance",
        orders,
        events,
    )


def conformance(
    orders: object,
    events: object,
    *,
    as_of: dt.datetime,
    cases: object | None = None,
    policy: ConformancePolicy | None = None,
    tz: str = "UTC",
    examples: int = 3,
) -> ConformanceReport:
    """Run the policy's checks on the trail: which orders did what the policy says.

    Args:
        orders: The orders frame (``order_id``, ``channel``, ``received_at``; ``owner_id``
            when there).
        events: The trail frame (`trail_frame`): the events frame with
            ``confirmation_ref``, ``hold_id``, ``risk_level``, ``checkpoint``, ``passed``,
            and ``actor``, ``actor_kind``, ``reason``.
        as_of: The moment of the report.
        cases: The cases frame with ``root_cause_at`` (`cases_frame` given the events), for
            ``complaint_investigated``; without it that check does not run.
        policy: The limits (`ConformancePolicy()` by default).
        tz: The zone of the months.
        examples: How many failing order ids each check lists.

    Raises:
        FrameSchemaError: A missing or mistyped column, a risk level outside low, medium,
            high, critical, or the frames' own problems.
        InvalidArgument: `policy` is not a `ConformancePolicy`, or `examples` < 0.
    """
    _backend.require_frames(
        "conformance", optional=["cases"], orders=orders, events=events, cases=cases
    )
    policy = ConformancePolicy() if policy is None else policy
    if not isinstance(policy, ConformancePolicy):
        raise InvalidArgument(
            "conformance", "policy", f"must be a ConformancePolicy, got {policy!r}"
        )
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 0:
        raise InvalidArgument(
            "conformance", "examples", f"must be a whole number >= 0, got {examples!r}"
        )
    native: Any = orders
    eager = isinstance(nw.from_native(native), nw.DataFrame)
    wide, names = _verdicts(orders, events, policy, as_of=as_of, tz=tz, eager=eager)
    index = ["order_id", "channel", "owner_id", "_month"]
    wide = wide.select(*index, *names)
    if eager:
        wide = _extra.collect(wide)  # eager input: computed once for every view
    complaints = None if cases is None else _complaint_checks(cases, policy, as_of=as_of, tz=tz)
    # the summary from the wide frame (one row per order): count and sum each check's column
    row = _extra.rows(
        wide.select(
            *[nw.col(n).count().alias(f"_n{i}") for i, n in enumerate(names)],
            *[nw.col(n).sum().alias(f"_p{i}") for i, n in enumerate(names)],
        )
    )[0]
    counted = {n: (int(row[f"_n{i}"] or 0), int(row[f"_p{i}"] or 0)) for i, n in enumerate(names)}
    failing: dict[str, list[str]] = {}
    if examples and names:
        # every check's first failing ids in one query (each check's rows picked on their own)
        firsts = [
            wide.filter(nw.col(n) == 0.0)
            .select("order_id")
            .sort("order_id")
            .head(examples)
            .with_columns(_check=nw.lit(n))
            for n in names
        ]
        for r in _backend.rows(nw.concat(firsts, how="vertical")):
            failing.setdefault(r["_check"], []).append(r["order_id"])
        failing = {n: sorted(ids) for n, ids in failing.items()}
    ran = list(names)
    if complaints is not None:
        ran.insert(4, "complaint_investigated")
        flags = complaints.with_columns(_p=_backend.flag(nw.col("passed")))
        got = _backend.rows(flags.select(nw.len().alias("n"), nw.col("_p").sum().alias("p")))[0]
        counted["complaint_investigated"] = (int(got["n"] or 0), int(got["p"] or 0))
        if examples:
            found = (
                complaints.filter(~nw.col("passed"))
                .select("order_id")
                .unique()
                .sort("order_id")
                .head(examples)
            )
            failing["complaint_investigated"] = [r["order_id"] for r in _backend.rows(found)]
    long = (
        wide.pipe(_extra.unpivot, names, index, "_v", variable="check")
        .filter(~nw.col("_v").is_null())
        .select(
            "check",
            "order_id",
            nw.lit(None, nw.String).alias("case_id"),
            "_month",
            nw.col("channel").cast(nw.String),
            nw.col("owner_id").cast(nw.String),
            passed=nw.col("_v") == 1.0,
        )
    )
    merged = nw.concat([long, complaints], how="vertical") if complaints is not None else long
    # computed orders: their months' labels looked up (the cases' months are not bounded)
    months = _common.month_range(wide, "_month") if eager and complaints is None else None
    results = merged.with_columns(month=_common.month_label("_month", months)).select(
        "check", "order_id", "case_id", "month", "channel", "owner_id", "passed"
    )
    checks = policy.checks()
    summary = []
    for name in ran:
        checked, passed = counted.get(name, (0, 0))
        summary.append(
            MappingProxyType(
                {
                    "check": name,
                    "section": checks[name].section,
                    "checked": checked,
                    "passed": passed,
                    "failed": checked - passed,
                    "rate": passed / checked if checked else None,
                    "examples": tuple(failing.get(name, ())),
                }
            )
        )
    return ConformanceReport(
        summary=tuple(summary),
        checks=MappingProxyType({n: checks[n] for n in ran}),
        policy=policy,
        as_of=as_of,
        long=results,
        like=orders,
    )
