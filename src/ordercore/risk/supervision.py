"""The supervision plan as data: which checkpoint each risk level needs before each stage.

A [`SupervisionPlan`][ordercore.risk.supervision.SupervisionPlan] lists
[`SupervisionCheckpoint`][ordercore.risk.supervision.SupervisionCheckpoint]s: for some risk
levels, before a lifecycle stage, a checkpoint (a second approval, a packing inspection, a
confirmation call), the role that may perform it, its SLA and its sampling rate. The order
carries its level (`Order.risk_level`, from the latest `RecordRiskAssessment`); the plan
compiles into

* **lifecycle guards** (`guards`, `spec`): a command of the stage is refused while a
  checkpoint the order needs is not recorded as passed (`RecordCheckpoint`), and
  ``record_checkpoint`` is refused to an actor without the checkpoint's role;
* **monitoring rules** (`monitoring_rules`): status SLAs that tighten with the level;
* **conformance rules** (`conformance_rules`): each checkpoint done within its SLA;
* a **bilingual printable plan** (`to_markdown`, `to_html`).

Sampling is deterministic: an order is in a checkpoint's sample when a BLAKE2b hash of the
plan's seed, the checkpoint and the order id falls below the rate, the same on every run and
machine.

Examples:
    >>> from datetime import datetime, timezone
    >>> from ordercore.events import Actor
    >>> from ordercore.lifecycle import RecordCheckpoint, RecordRiskAssessment, apply
    >>> from ordercore.testing.factories import make_order
    >>> at, clerk = datetime(2026, 3, 3, tzinfo=timezone.utc), Actor.user("li.wei")
    >>> order, _ = apply(make_order("SO-1"), RecordRiskAssessment(score=70, level="high",
    ...     recommendation="hold", policy_version="1"), at=at, actor=Actor.system("risk"))
    >>> [c.checkpoint for c in DEFAULT_PLAN.missing(order, "shipping")]
    ['second_approval', 'packing_inspection']
    >>> order, _ = apply(order, RecordCheckpoint(checkpoint="second_approval"), at=at, actor=clerk)
    >>> [c.checkpoint for c in DEFAULT_PLAN.missing(order, "shipping")]
    ['packing_inspection']
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from html import escape
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

from ordercore import _settings
from ordercore._refusals import Refusal, command_zh
from ordercore.errors import ConfigurationError, InvalidArgument
from ordercore.events import ActorKind, event_types
from ordercore.labels import label
from ordercore.orders import Order
from ordercore.risk.policy import RiskLevel

if TYPE_CHECKING:
    from ordercore.events import Actor
    from ordercore.lifecycle.guards import Guard, GuardContext
    from ordercore.lifecycle.machine import LifecycleSpec

__all__ = [
    "DEFAULT_PLAN",
    "LEVELS",
    "STAGES",
    "SupervisionCheckpoint",
    "SupervisionPlan",
]

LEVELS: Final = tuple(level.value for level in RiskLevel)
"""The risk levels, lowest first."""

STAGES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "approval": ("approve",),
        "allocation": ("allocate",),
        "production": ("plan_production", "produce"),
        "packing": ("pack",),
        "shipping": ("ship", "dispatch"),
        "closing": ("close",),
    }
)
"""The lifecycle stages a checkpoint can precede, and the commands that start each one."""

STAGE_START: Final[Mapping[str, str]] = MappingProxyType(
    {
        "approval": "review_started",
        "allocation": "order_approved",
        "production": "order_approved",
        "packing": "quantity_allocated",
        "shipping": "order_approved",
        "closing": "order_fulfilled",
    }
)
"""The event from which a checkpoint's SLA runs by default, per stage."""

_WORDS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType(
    {
        "approval": ("approval", "审批"),
        "allocation": ("allocation", "分配"),
        "production": ("production", "生产"),
        "packing": ("packing", "包装"),
        "shipping": ("shipping", "发运"),
        "closing": ("closing", "关闭"),
        "low": ("low", "低"),
        "medium": ("medium", "中"),
        "high": ("high", "高"),
        "critical": ("critical", "极高"),
    }
)
_HEAD: Final = {
    "en": ("risk level", "before", "checkpoint", "role", "SLA (h)", "sample"),
    "zh": ("风险等级", "环节前", "检查点", "执行角色", "时限（小时）", "抽检比例"),
}


def _zh(lang: str) -> bool:
    if lang in ("zh", "zh-CN", "zh_CN"):
        return True
    if lang == "en":
        return False
    raise InvalidArgument("SupervisionPlan", "lang", f"must be 'en' or 'zh', got {lang!r}")


_PLAN: Final = "SupervisionPlan"


def _levels(value: Iterable[str]) -> tuple[str, ...]:
    return _settings.levels(value, component=_PLAN)


@attrs.frozen
class SupervisionCheckpoint:
    """One checkpoint of the plan.

    Attributes:
        checkpoint: Its id, as recorded by ``RecordCheckpoint(checkpoint=...)``.
        stage: The stage it must precede (a key of `STAGES`).
        levels: The risk levels that need it.
        role: Who may perform it (a role name of the plan's `roles`).
        sla_hours: Hours allowed from the stage's start event (`after`).
        sampling: The share of the orders at those levels that need it (1: all).
        en: What it is, in English.
        zh: The same in Chinese.
        after: The event its SLA runs from (`STAGE_START` of the stage by default).

    Raises:
        ConfigurationError: An unknown stage or level, no level, an SLA not > 0, or a
            sampling rate outside (0, 1].
    """

    checkpoint: str
    stage: str
    levels: tuple[str, ...] = attrs.field(converter=_levels)
    role: str
    sla_hours: float
    sampling: float = 1.0
    en: str = ""
    zh: str = ""
    after: str | None = None

    def __attrs_post_init__(self) -> None:
        _settings.text(self.checkpoint, component=_PLAN, name="checkpoint", id_=True)
        where = f"checkpoint {self.checkpoint!r}"
        if not isinstance(self.stage, str) or self.stage not in STAGES:
            raise ConfigurationError(
                f"{where}: unknown stage {self.stage!r}; stages: {', '.join(STAGES)}",
                component=_PLAN,
            )
        if not self.levels:
            raise ConfigurationError(
                f"{where}: levels must be some of {', '.join(LEVELS)}, got none", component=_PLAN
            )
        _settings.text(self.role, component=_PLAN, name=f"{where}: role")
        _settings.hours(self.sla_hours, component=_PLAN, name=f"{where}: sla_hours")
        sampling = _settings.hours(self.sampling, component=_PLAN, name=f"{where}: sampling")
        if sampling > 1:
            raise ConfigurationError(
                f"{where}: sampling must be in (0, 1], got {self.sampling!r}", component=_PLAN
            )
        for name in ("en", "zh"):
            if not isinstance(getattr(self, name), str):
                raise ConfigurationError(
                    f"{where}: {name} must be text, got {getattr(self, name)!r}", component=_PLAN
                )
        if self.after is not None and self.after not in event_types():
            raise ConfigurationError(
                f"{where}: after must be an event type (such as 'order_approved'), "
                f"got {self.after!r}",
                component=_PLAN,
            )

    @property
    def start(self) -> str:
        """The event type its SLA runs from."""
        return self.after or STAGE_START[self.stage]

    def label(self, lang: str = "en") -> str:
        """Its description in `lang` (its id when it has none)."""
        text = self.zh if _zh(lang) else self.en
        return text or self.checkpoint


def _checkpoints(value: object) -> tuple[SupervisionCheckpoint, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigurationError(
            f"checkpoints must be a list of SupervisionCheckpoint, got {value!r}", component=_PLAN
        )
    given = tuple(value)
    for item in given:
        if not isinstance(item, SupervisionCheckpoint):
            raise ConfigurationError(
                f"checkpoints must be SupervisionCheckpoint values, got {item!r}", component=_PLAN
            )
    return given


_ACTOR_KINDS: Final = tuple(kind.value for kind in ActorKind)


def _actor(text: str, role: str) -> str:
    kind, _, who = text.partition(":")
    if kind not in _ACTOR_KINDS or not who:
        raise ConfigurationError(
            f"role {role!r}: an actor is written 'kind:id' with kind one of "
            f"{', '.join(_ACTOR_KINDS)} (as str(actor) gives it), got {text!r}",
            component=_PLAN,
        )
    return text


def _roles(value: Mapping[str, Iterable[str]] | None) -> Mapping[str, frozenset[str]] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            f"roles must map a role to its actors, got {value!r}", component=_PLAN
        )
    roles = {}
    for role, actors in value.items():
        name = _settings.text(role, component=_PLAN, name="role")
        given = _settings.texts(actors, component=_PLAN, name=f"actors of role {name!r}")
        roles[name] = frozenset(_actor(actor, name) for actor in given)
    return MappingProxyType(roles)


def _factors(value: Mapping[str, float]) -> Mapping[str, float]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"expected a mapping, got {value!r}", component=_PLAN)
    return MappingProxyType(dict(value))


@attrs.frozen
class SupervisionPlan:
    """Checkpoints by risk level and stage, with the monitoring SLAs that tighten with risk.

    Attributes:
        checkpoints: The checkpoints (one id appears once).
        roles: Role -> the actors who hold it, as ``"kind:id"`` (``"user:li.wei"``);
            `None`: any person (an actor of kind ``user``) may record any checkpoint.
        status_sla_hours: The monitoring SLA of each status at the LOW level, in hours.
        sla_factors: Level -> the factor its SLAs are multiplied by (tighter below 1).
        seed: The seed of the deterministic sampling.
        version: A label for the printed plan.

    Raises:
        ConfigurationError: A checkpoint id twice, a role no one holds, an unknown level
            among the factors, or a factor not in (0, 1].
    """

    checkpoints: tuple[SupervisionCheckpoint, ...] = attrs.field(converter=_checkpoints)
    roles: Mapping[str, frozenset[str]] | None = attrs.field(default=None, converter=_roles)
    status_sla_hours: Mapping[str, float] = attrs.field(
        factory=lambda: {"under_review": 24.0, "approved": 48.0, "in_fulfilment": 240.0},
        converter=_factors,
    )
    sla_factors: Mapping[str, float] = attrs.field(
        factory=lambda: {"low": 1.0, "medium": 0.75, "high": 0.5, "critical": 0.25},
        converter=_factors,
    )
    seed: int = 0
    version: str = "1"

    def __attrs_post_init__(self) -> None:
        ids = [c.checkpoint for c in self.checkpoints]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ConfigurationError(
                f"checkpoint {', '.join(twice)} appears twice", component="SupervisionPlan"
            )
        if self.roles is not None:
            missing = sorted({c.role for c in self.checkpoints} - set(self.roles))
            if missing:
                raise ConfigurationError(
                    f"no one holds role {', '.join(missing)}", component="SupervisionPlan"
                )
        for level, factor in self.sla_factors.items():
            number = _settings.hours(factor, component=_PLAN, name=f"sla factor of {level!r}")
            if level not in LEVELS or number > 1:
                raise ConfigurationError(
                    f"sla factor of {level!r} must be a level's factor in (0, 1], got {factor!r}",
                    component=_PLAN,
                )
        for status, hours in self.status_sla_hours.items():
            _settings.status(status, component=_PLAN, name="a status of status_sla_hours")
            _settings.hours(hours, component=_PLAN, name=f"status_sla_hours of {status!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ConfigurationError(f"seed must be an integer, got {self.seed!r}", component=_PLAN)
        _settings.text(self.version, component=_PLAN, name="version")

    def sampled(self, checkpoint: SupervisionCheckpoint | str, order_id: str) -> bool:
        """Whether the order is in the checkpoint's sample (deterministic; always at rate 1)."""
        if not isinstance(order_id, str):
            raise InvalidArgument("sampled", "order_id", f"must be an order id, got {order_id!r}")
        found = self._find(checkpoint)
        if found.sampling >= 1:
            return True
        key = f"{self.seed}\x1f{found.checkpoint}\x1f{order_id}".encode()
        draw = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") / 2**64
        return draw < found.sampling

    def _find(self, checkpoint: SupervisionCheckpoint | str) -> SupervisionCheckpoint:
        if isinstance(checkpoint, SupervisionCheckpoint):
            return checkpoint
        for candidate in self.checkpoints:
            if candidate.checkpoint == checkpoint:
                return candidate
        raise InvalidArgument(
            "SupervisionPlan",
            "checkpoint",
            f"unknown {checkpoint!r}; plan: {', '.join(c.checkpoint for c in self.checkpoints)}",
        )

    def required(self, order: Order, stage: str) -> list[SupervisionCheckpoint]:
        """The checkpoints `order` needs before `stage` at its current risk level.

        An order without a recorded assessment (`risk_level` None) needs none.
        """
        if not isinstance(order, Order):
            raise InvalidArgument("required", "order", f"must be an Order, got {order!r}")
        if not isinstance(stage, str) or stage not in STAGES:
            raise InvalidArgument(
                "required", "stage", f"unknown {stage!r}; stages: {', '.join(STAGES)}"
            )
        level = order.risk_level
        if level is None:
            return []
        return [
            c
            for c in self.checkpoints
            if c.stage == stage and str(level) in c.levels and self.sampled(c, order.order_id)
        ]

    def missing(self, order: Order, stage: str) -> list[SupervisionCheckpoint]:
        """The checkpoints `order` needs before `stage` and has not passed (latest record)."""
        out = []
        for checkpoint in self.required(order, stage):
            record = order.checkpoint(checkpoint.checkpoint)
            if record is None or not record.passed:
                out.append(checkpoint)
        return out

    def _stage_guard(self, stage: str) -> Guard:
        def guard(order: Order, command: Any, _context: GuardContext) -> str | None:
            missing = self.missing(order, stage)
            if not missing:
                return None
            names = ", ".join(f"{c.checkpoint} (role {c.role})" for c in missing)
            names_zh = "、".join(f"{c.checkpoint}（角色 {c.role}）" for c in missing)
            level_zh = label(RiskLevel(order.risk_level), "zh") if order.risk_level else "未评估"
            return Refusal(
                f"order {order.order_id} at risk level {order.risk_level} needs checkpoint "
                f"{names} passed before {command.name}",
                f"订单 {order.order_id} 风险等级为{level_zh}，"
                f"{command_zh(command.name)}前须通过监督检查点 {names_zh}",
            )

        guard.__name__ = f"supervision_before_{stage}"
        guard.__doc__ = f"The supervision plan's checkpoints before {stage}."
        return guard

    def _performer_guard(self) -> Guard:
        def guard(_order: Order, command: Any, context: GuardContext) -> str | None:
            name = getattr(command, "checkpoint", None)
            planned = {c.checkpoint: c for c in self.checkpoints}
            if name not in planned:
                return None  # a checkpoint of no plan: the host's own business
            if self.may_perform(context.actor, planned[name].role):
                return None
            role = planned[name].role
            return Refusal(
                f"{context.actor} may not record checkpoint {name}: it needs role {role}",
                f"{context.actor} 无权记录监督检查点 {name}：须具备角色 {role}",
            )

        guard.__name__ = "supervision_performer"
        guard.__doc__ = "Only an actor with the checkpoint's role records it."
        return guard

    def may_perform(self, actor: Actor, role: str) -> bool:
        """Whether `actor` holds `role` (with no `roles`: whether it is a person)."""
        if self.roles is None:
            return str(actor.kind) == "user"
        return str(actor) in self.roles.get(role, frozenset())

    def guards(self) -> dict[str, list[Guard]]:
        """Guards by command name, for `ordercore.lifecycle.extend(guards=...)`."""
        out: dict[str, list[Guard]] = {}
        for stage in dict.fromkeys(c.stage for c in self.checkpoints):
            for command in STAGES[stage]:
                out.setdefault(command, []).append(self._stage_guard(stage))
        out["record_checkpoint"] = [self._performer_guard()]
        return out

    def spec(self, *, base: LifecycleSpec | None = None, name: str = "supervised") -> LifecycleSpec:
        """An extended lifecycle whose commands obey the plan (`ordercore.lifecycle.extend`)."""
        from ordercore.lifecycle.extend import extend  # noqa: PLC0415 - a sibling wing
        from ordercore.lifecycle.machine import CANONICAL  # noqa: PLC0415

        return extend(base=base or CANONICAL, guards=self.guards(), name=name)

    def monitoring_rules(self) -> list[Any]:
        """`StuckInStatus` rules, one per status and level, the SLA times the level's factor.

        Each rule watches only the orders at its level (the orders frame's ``risk_level``)
        and is named ``stuck_in_<status>`` for ``low`` and ``stuck_in_<status>_<level>`` above.
        """
        from ordercore.kpi.monitor import StuckInStatus  # noqa: PLC0415 - frames only when asked

        rules = []
        for status, hours in self.status_sla_hours.items():
            for level in LEVELS:
                factor = self.sla_factors.get(level, 1.0)
                suffix = "" if level == "low" else f"_{level}"
                rules.append(
                    StuckInStatus(
                        status, hours * factor, levels=[level], name=f"stuck_in_{status}{suffix}"
                    )
                )
        return rules

    def conformance_rules(self, order_ids: Iterable[str] | None = None) -> list[Any]:
        """`CheckpointRule`s for `ordercore.kpi.conformance`: each checkpoint within its SLA.

        Args:
            order_ids: The orders a sampled checkpoint (sampling below 1) is judged on: only
                those in its sample count. Needed when the plan samples.

        Raises:
            InvalidArgument: A sampled checkpoint and no `order_ids`.
        """
        from ordercore.kpi.conformance import CheckpointRule  # noqa: PLC0415 - frames only when asked

        ids = None if order_ids is None else list(order_ids)
        rules = []
        for c in self.checkpoints:
            only = None
            if c.sampling < 1:
                if ids is None:
                    raise InvalidArgument(
                        "conformance_rules",
                        "order_ids",
                        f"checkpoint {c.checkpoint!r} samples: give the order ids",
                    )
                only = frozenset(i for i in ids if self.sampled(c, i))
            rules.append(
                CheckpointRule(
                    c.checkpoint, c.levels, after=c.start, sla_hours=c.sla_hours, only=only
                )
            )
        return rules

    def _cells(self, lang: str) -> tuple[tuple[str, ...], list[list[str]]]:
        zh = _zh(lang)
        index = 1 if zh else 0
        rows = [
            [
                _WORDS[level][index],
                _WORDS[stage][index],
                c.label(lang),
                c.role,
                f"{c.sla_hours:g}",
                f"{c.sampling:.0%}",
            ]
            for level in LEVELS
            for stage in STAGES
            for c in self.checkpoints
            if level in c.levels and c.stage == stage
        ]
        return _HEAD["zh" if zh else "en"], rows

    def to_markdown(self, lang: str = "en") -> str:
        """The plan as a Markdown table: one row per level, stage and checkpoint."""
        head, rows = self._cells(lang)
        title = f"监督计划 v{self.version}" if _zh(lang) else f"Supervision plan v{self.version}"
        lines = [f"**{title}**", "", "| " + " | ".join(head) + " |", "|---|---|---|---|---:|---:|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)

    def to_html(self, lang: str = "en") -> str:
        """The plan as an HTML table (every value escaped)."""
        head, rows = self._cells(lang)
        cells = "".join(
            "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in r) + "</tr>" for r in rows
        )
        header = "".join(f"<th>{escape(h)}</th>" for h in head)
        title = f"监督计划 v{self.version}" if _zh(lang) else f"Supervision plan v{self.version}"
        return (
            f'<table class="ordercore"><caption>{escape(title)}</caption>'
            f"<thead><tr>{header}</tr></thead><tbody>{cells}</tbody></table>"
        )


DEFAULT_PLAN: Final = SupervisionPlan(
    checkpoints=(
        SupervisionCheckpoint(
            "confirmation_call",
            "approval",
            ("medium", "high", "critical"),
            role="sales",
            sla_hours=8,
            en="confirmation call to the customer",
            zh="客户确认电话",
        ),
        SupervisionCheckpoint(
            "second_approval",
            "shipping",
            ("high", "critical"),
            role="supervisor",
            sla_hours=24,
            en="second approval before shipping",
            zh="发货前二次审批",
        ),
        SupervisionCheckpoint(
            "packing_inspection",
            "shipping",
            ("high", "critical"),
            role="quality",
            sla_hours=48,
            sampling=1.0,
            en="packing inspection",
            zh="包装检验",
            after="quantity_packed",
        ),
    )
)
"""A plan to start from: confirmation calls from MEDIUM, a second approval and a packing
inspection before shipping from HIGH; any person may perform them."""
