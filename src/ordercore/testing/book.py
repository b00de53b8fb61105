"""An entity-level synthetic order book: orders driven through the real lifecycle.

Every order is entered, submitted, reviewed with the real review rules, approved or rejected,
and then allocated, packed, shipped (sometimes in two parts), delivered, invoiced and paid,
with holds, amendments, short-closes, returns, complaints, feedback, closing and archiving
along the way, each by an `apply` of a real command at a realistic time. Nothing is faked:
every order equals the replay of its own events.

The book is seeded (the same seed gives the same book) and uses the same channel mix and
canonical frame schema as the frame-level generator `ordercore.kpi.synthetic.generate`, so
tests can start with a few hundred real orders and scale to millions of generated rows
without changing their KPI code.

Examples:
    >>> book = synthetic_book(orders=30, seed=3)
    >>> len(book.orders), book.orders == synthetic_book(orders=30, seed=3).orders
    (30, True)
    >>> {"orders", "lines", "events", "surveys", "cases"} <= set(book.frames())
    True

A book is immutable all the way down, so one book can be shared by every test of a session
(the plugin's `ordercore_synthetic_book` fixture is): its orders, events and survey rows are
tuples, each survey row is a read-only mapping, and the orders and the context are frozen.

    >>> book.surveys[0]["score"] = 5
    Traceback (most recent call last):
    ...
    TypeError: 'FrozenMapping' object does not support item assignment
"""

# ruff: noqa: PLR2004, S311 - the story's shares are its parameters; the RNG simulates, it guards nothing
from __future__ import annotations

import functools
import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import attrs
from transitions import Machine

from ordercore.aftersales import (
    CaseAction,
    CaseKind,
    Disposition,
    Feedback,
    ReturnCondition,
    RootCause,
)
from ordercore.context import CapacityView, FrozenMapping
from ordercore.events import Actor, OrderEvent, Party
from ordercore.holds import HoldReason
from ordercore.lifecycle import (
    DEFAULT_POLICY,
    AdvanceCase,
    Allocate,
    AmendOrder,
    Approve,
    Archive,
    Cancel,
    Close,
    Command,
    Deliver,
    Expire,
    Invoice,
    OpenCase,
    Pack,
    PlaceHold,
    RecordFeedback,
    RecordPayment,
    RecordRiskAssessment,
    Reject,
    ReleaseHold,
    Ship,
    ShortClose,
    StartReview,
    Submit,
    WaiveFeedback,
    apply,
    create,
)
from ordercore.lifecycle.guards import closing_gate
from ordercore.lifecycle.machine import CANONICAL, LifecycleSpec
from ordercore.lifecycle.soundness import assert_sound
from ordercore.money import Money
from ordercore.status import Channel, OrderStatus
from ordercore.testing.factories import (
    DEFAULT_RECEIVED_AT,
    make_customer,
    make_customer_profile,
    make_line,
    make_order,
    make_review_context,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from ordercore.context import ReviewContext
    from ordercore.lifecycle import ReviewVerdict
    from ordercore.lifecycle.guards import GuardContext
    from ordercore.orders import Order, RiskLevelValue

__all__ = ["CHANNEL_MIX", "INJECTABLE", "SyntheticBook", "lenient_spec", "synthetic_book"]

CHANNEL_MIX: Final = (
    (Channel.WEB, 0.38),
    (Channel.EDI, 0.22),
    (Channel.EMAIL, 0.16),
    (Channel.PHONE, 0.12),
    (Channel.FAX, 0.04),
    (Channel.API, 0.08),
)
"""Share of orders per channel; the same mix as the frame-level generator."""

_STAFF: Final = ("S-01", "S-02", "S-03", "S-04", "S-05", "S-06")
_SYSTEM: Final = Actor.system("order-engine")

INJECTABLE: Final = (
    "confirmed_before_approval",
    "reviewed_before_approval",
    "risk_assessed_before_approval",
    "hold_release_authorised",
    "complaint_investigated",
    "feedback_before_close",
    "archived_in_time",
)
"""The policy violations `synthetic_book(violations=...)` can inject: the built-in checks of
`ordercore.kpi.conformance`, with their default limits. An approval without review and a
close without feedback are refused by the canonical lifecycle's guards; the book drives
those orders through `lenient_spec`, a host's lifecycle that allows them."""
_LEVELS: Final[tuple[tuple[RiskLevelValue, int], ...]] = (
    ("low", 10),
    ("medium", 35),
    ("high", 60),
    ("critical", 85),
)


def _closing_gate_without_feedback(
    order: Order, command: Command, context: GuardContext
) -> str | None:
    """The canonical `closing_gate`, less its feedback clause: this host does not ask."""
    if order.feedback is None:  # judged as if feedback were handled: every other clause holds
        order = order.model_copy(update={"feedback": Feedback(recorded_at=context.at, waived=True)})
    return closing_gate(order, command, context)


@functools.cache
def lenient_spec() -> LifecycleSpec:
    """A host's lifecycle that lets two clauses of the written policy go.

    The canonical lifecycle, plus ``approve`` straight from ``submitted`` (with the same
    guards as from ``under_review``: a host that approves some orders without a review
    step), and ``close`` without feedback recorded or waived (every other clause of the
    closing gate holds). A host can build such a spec (`LifecycleSpec` over its own
    machine), and orders imported from a system that had neither rule look the same on the
    trail: the conformance report is what finds them. `synthetic_book` drives the orders it
    injects those violations into through it; their trails replay as any other.

    Examples:
        >>> spec = lenient_spec()
        >>> spec.allows("submitted", "approve"), spec.allows("submitted", "ship")
        (True, False)
    """
    closing = OrderStatus.FULFILLED.value
    transitions: list[dict[str, object]] = []
    for state, row in CANONICAL.table.items():
        for trigger, dest in row.items():
            guards = CANONICAL.guards_for(state, trigger)
            if (state, trigger) == (closing, "close"):
                guards = tuple(
                    _closing_gate_without_feedback if g is closing_gate else g for g in guards
                )
            transitions.append(
                {"trigger": trigger, "source": state, "dest": dest, "conditions": list(guards)}
            )
    reviewing, submitted = OrderStatus.UNDER_REVIEW.value, OrderStatus.SUBMITTED.value
    transitions.append(
        {
            "trigger": "approve",
            "source": submitted,
            "dest": CANONICAL.destination(reviewing, "approve"),
            "conditions": list(CANONICAL.guards_for(reviewing, "approve")),
        }
    )
    machine = Machine(
        model=None,
        states=list(CANONICAL.states),
        transitions=transitions,
        initial=CANONICAL.initial,
        auto_transitions=False,
    )
    spec = LifecycleSpec(
        machine, sub_states=CANONICAL.sub_states, finals=CANONICAL.finals, name="lenient host"
    )
    assert_sound(spec)
    return spec


class _Policy:
    """Follows the written policy and breaks it on purpose, recording where.

    Its own random stream decides (and draws the risk levels), so the story's stream is
    untouched: the orders are those of the same seed without violations, but for what the
    violations themselves change (a later archive, say).
    """

    def __init__(self, rates: Mapping[str, float], seed: int) -> None:
        self.rates = dict(rates)
        self.rng = random.Random(seed * 7919 + 17)
        self.found: dict[str, list[str]] = {name: [] for name in INJECTABLE}

    def breaks(self, check: str) -> bool:
        rate = self.rates.get(check, 0.0)
        return bool(rate) and self.rng.random() < rate

    def record(self, check: str, order_id: str) -> None:
        self.found[check].append(order_id)


def _orders(orders: Iterable[Order]) -> tuple[Order, ...]:
    return tuple(orders)


def _events(events: Iterable[OrderEvent]) -> tuple[OrderEvent, ...]:
    return tuple(events)


def _frozen_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(FrozenMapping(row) for row in rows)


def _frozen_ids(found: Mapping[str, Iterable[str]]) -> Mapping[str, tuple[str, ...]]:
    return FrozenMapping({check: tuple(ids) for check, ids in found.items()})


@attrs.frozen
class SyntheticBook:
    """Orders and their events, plus the survey answers collected on them.

    Attributes:
        orders: The orders as they stand at `as_of`.
        events: Every event, in the order they happened per order.
        surveys: One read-only row per survey sent (CSAT, 1 to 5; `score` is None without
            an answer).
        context: The review context the orders were reviewed with (and can be risk-scored
            with).
        as_of: The moment the book stands for.
        seed: The seed it was built from.
        violations: Check name (each of `INJECTABLE`) -> the ids of the orders where the
            policy was broken on purpose (``synthetic_book(violations=...)``); empty
            without violations.
    """

    orders: tuple[Order, ...] = attrs.field(converter=_orders)
    events: tuple[OrderEvent, ...] = attrs.field(converter=_events)
    surveys: tuple[Mapping[str, Any], ...] = attrs.field(converter=_frozen_rows)
    context: ReviewContext
    as_of: datetime
    seed: int
    violations: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_frozen_ids)

    def frames(self) -> dict[str, Any]:
        """The canonical KPI frames (pandas) from the lifecycle: see `lifecycle_frames`.

        Each call builds new frames, so a test may change its copy without touching the book.

        ``orders``, ``lines`` (with who cancelled what, and each line's shipment and
        delivery), ``events``, ``surveys`` (the closing feedback) and ``cases``.
        """
        from ordercore.kpi.convert import lifecycle_frames  # noqa: PLC0415 - only analysts' paths need pandas

        return lifecycle_frames(self.orders, self.events, as_of=self.as_of)


def _default_reviewer(order: Order, context: ReviewContext) -> ReviewVerdict:
    from ordercore.validation import review  # noqa: PLC0415 - validation is a sibling wing

    return review(order, context)


class _Driver:
    """Moves one order through its life with a random but seeded story."""

    def __init__(self, order: Order, rng: random.Random, as_of: datetime) -> None:
        self.order = order
        self.events: list[OrderEvent] = []
        self.rng = rng
        self.as_of = as_of
        self.at = order.received_at
        self.clerk = Actor.user(order.owner.staff_id if order.owner else "clerk")
        self.spec = CANONICAL

    def wait(self, hours: float) -> bool:
        """Advance the order's clock; False when that is past `as_of` (the story stops)."""
        self.at += timedelta(hours=hours)
        return self.at <= self.as_of

    def do(self, command: Command, actor: Actor | None = None) -> None:
        self.order, events = apply(
            self.order, command, at=self.at, actor=actor or self.clerk, spec=self.spec
        )
        self.events.extend(events)


def _story(  # noqa: C901, PLR0911, PLR0912, PLR0915 - one readable story
    d: _Driver,
    context: ReviewContext,
    reviewer: Callable[..., Any],
    policy: _Policy | None = None,
) -> None:
    rng = d.rng
    order_id = d.order.order_id
    if not d.wait(rng.uniform(0.05, 2)):
        return
    d.do(Submit())
    skip_risk = policy is not None and policy.breaks("risk_assessed_before_approval")
    if policy is not None and not skip_risk:
        level, score = policy.rng.choices(_LEVELS, [0.7, 0.2, 0.08, 0.02])[0]
        assessment = RecordRiskAssessment(
            score=score, level=level, recommendation="accept", policy_version="book"
        )
        d.do(assessment, Actor.system("risk-engine"))
    if rng.random() < 0.02:  # left unreviewed until it expires
        if d.wait(DEFAULT_POLICY.review_expiry.total_seconds() / 3600 + 1):
            d.do(Expire(reason="not reviewed in time"), _SYSTEM)
        return
    if rng.random() < 0.08 and d.wait(0.5):
        d.do(
            PlaceHold(
                hold_id="H-1", hold_reason=rng.choice([HoldReason.CREDIT, HoldReason.ADDRESS])
            )
        )
        if not d.wait(rng.uniform(4, 48)):
            return
        if policy is not None and policy.breaks("hold_release_authorised"):
            d.do(ReleaseHold(hold_id="H-1", reason="cleared"), Actor.system("night-batch"))
            policy.record("hold_release_authorised", order_id)
        else:
            d.do(ReleaseHold(hold_id="H-1", reason="cleared"))
    if not d.wait(rng.lognormvariate(0.5, 0.8)):
        return
    # the review step left out on purpose: approved straight from submission (host spec)
    unreviewed = policy is not None and policy.breaks("reviewed_before_approval")
    if not unreviewed:
        d.do(StartReview())
    if rng.random() < 0.03:
        d.do(Cancel(requested_by=Party.CUSTOMER, reason="customer withdrew the order"))
        return
    verdict = reviewer(d.order, context.model_copy(update={"as_of": d.at}))
    if not d.wait(rng.uniform(0.2, 6)):
        return
    if unreviewed and not verdict.passed:  # a failed check is reviewed after all
        unreviewed = False
        d.do(StartReview())
    unconfirmed = d.order.channel in (Channel.PHONE, Channel.FAX) and not d.order.confirmation_ref
    if not verdict.passed and not (policy is not None and unconfirmed):
        d.do(Reject(reason="; ".join(verdict.failure_reasons)[:400] or "review failed"))
        return
    if unreviewed:
        d.spec = lenient_spec()
        d.do(Approve(verdict=verdict))
        d.spec = CANONICAL
        policy.record("reviewed_before_approval", order_id)  # type: ignore[union-attr]
    elif verdict.passed:
        d.do(Approve(verdict=verdict))
    else:  # the confirmation left out on purpose: approved over the failed review
        d.do(Approve(verdict=verdict, override=True, reason="approved without confirmation"))
        policy.record("confirmed_before_approval", order_id)  # type: ignore[union-attr]
    if skip_risk:
        policy.record("risk_assessed_before_approval", order_id)  # type: ignore[union-attr]
    if rng.random() < 0.05 and d.wait(rng.uniform(2, 24)):
        line = d.order.lines[0]
        d.do(AmendOrder(quantities=((line.line_id, line.quantity + 10),), reason="customer call"))
        d.wait(1)
        verdict = reviewer(d.order, context.model_copy(update={"as_of": d.at}))
        if not verdict.passed:
            d.do(Reject(reason="amended order failed review"))
            return
        d.do(Approve(verdict=verdict))
    # processing and delivery, line by line
    transit = rng.lognormvariate(3.4, 0.5)  # hours from ship to delivery, ~30 h median
    split = rng.random() < 0.15
    short = rng.random() < 0.03
    for line in d.order.lines:
        qty = line.open_quantity
        if not d.wait(rng.lognormvariate(2.5, 0.9)):
            return
        if short:
            cut = max(Decimal(1), (qty / 5).quantize(Decimal(1)))
            d.do(
                ShortClose(
                    line_id=line.line_id,
                    quantity=cut,
                    requested_by=Party.SELLER,
                    reason="out of stock",
                )
            )
            qty -= cut
        d.do(Allocate(line_id=line.line_id, quantity=qty))
        d.do(Pack(line_id=line.line_id, quantity=qty))
        parts = (
            [qty]
            if not split or qty < 2
            else [(qty / 2).quantize(Decimal(1)), qty - (qty / 2).quantize(Decimal(1))]
        )
        for part in parts:
            d.do(Ship(line_id=line.line_id, quantity=part))
            if not d.wait(transit):
                return
            d.do(Deliver(line_id=line.line_id, quantity=part), Actor.integration("carrier"))
    if not d.wait(rng.uniform(12, 72)):
        return
    for line in d.order.lines:
        delivered = line.ledger.delivered
        d.do(Invoice(line_id=line.line_id, quantity=delivered))
    if rng.random() < 0.04 and d.wait(rng.uniform(24, 200)):
        line = d.order.lines[0]
        d.do(
            OpenCase(
                case_id="RMA-1",
                kind=CaseKind.RETURN,
                line_id=line.line_id,
                quantity=Decimal(1),
                description="damaged",
            )
        )
        d.do(AdvanceCase(case_id="RMA-1", action=CaseAction.APPROVE))
        if not d.wait(rng.uniform(24, 120)):
            return
        d.do(
            AdvanceCase(
                case_id="RMA-1",
                action=CaseAction.RECEIVE,
                condition=ReturnCondition.DAMAGED,
                disposition=Disposition.SCRAP,
            )
        )
        d.do(AdvanceCase(case_id="RMA-1", action=CaseAction.REFUND))
    if rng.random() < 0.02 and d.wait(rng.uniform(24, 100)):
        line = d.order.lines[-1]
        d.do(
            OpenCase(
                case_id="CMP-1",
                kind=CaseKind.COMPLAINT,
                line_id=line.line_id,
                description="late and poorly packed",
            )
        )
        if policy is not None and policy.breaks("complaint_investigated"):
            opened = d.at
            if opened + timedelta(days=7) <= d.as_of:  # due (7 days) by as_of: a violation
                policy.record("complaint_investigated", order_id)
            if not d.wait(24 * 10):  # investigated only after ten days
                return
        d.do(
            AdvanceCase(
                case_id="CMP-1", action=CaseAction.INVESTIGATE, root_cause=RootCause.PACKAGING
            )
        )
        d.do(AdvanceCase(case_id="CMP-1", action=CaseAction.RESOLVE))
    if not d.wait(rng.uniform(24 * 5, 24 * 40)):  # payment terms
        return
    for line in d.order.lines:
        owed = line.ledger.invoiced - line.ledger.paid
        if owed > 0:
            d.do(RecordPayment(line_id=line.line_id, quantity=owed), Actor.integration("bank"))
    if d.order.status is not OrderStatus.FULFILLED:
        return
    answered = rng.random() < 0.35
    given = rng.choices([5, 4, 3, 2, 1], [0.5, 0.3, 0.1, 0.06, 0.04])[0] if answered else None
    if policy is not None and policy.breaks("feedback_before_close"):
        # closed without asking (host spec): the story's draws are made all the same
        d.spec = lenient_spec()
        d.do(Close())
        d.spec = CANONICAL
        policy.record("feedback_before_close", order_id)
    else:
        if given is not None:
            d.do(RecordFeedback(score=given))
        else:
            d.do(WaiveFeedback(reason="no answer to the survey"))
        d.do(Close())
    if policy is not None and policy.breaks("archived_in_time"):
        if d.at + timedelta(days=30) <= d.as_of:  # due (30 days) by as_of: a violation
            policy.record("archived_in_time", order_id)
        if d.wait(24 * 40):
            d.do(Archive(), _SYSTEM)
    elif d.wait(24 * 30):
        d.do(Archive(), _SYSTEM)


def _book_context(start: datetime, customers: int, days: int) -> ReviewContext:
    """The factory context, with a few customers the credit desk would stop."""
    context = make_review_context(as_of=start, customers=customers)
    calendar = context.calendar
    first = calendar.local_date(start) if calendar else start.date()
    capacity = CapacityView(
        unit="hours", free={first + timedelta(days=d): Decimal(80) for d in range(days + 90)}
    )
    profiles = dict(context.customers)
    for number in range(1, customers + 1):
        key = f"C-{number:03d}"
        if number % 11 == 0:  # nearly at the limit: larger orders fail the credit check
            profiles[key] = make_customer_profile(
                key, credit_limit=Money.of("5000", "CNY"), open_exposure=Money.of("4990", "CNY")
            )
        elif number % 17 == 0:  # blocked by the credit desk
            profiles[key] = make_customer_profile(key, blocked=True)
    return context.model_copy(update={"customers": profiles, "capacity": capacity})


def synthetic_book(
    orders: int = 200,
    *,
    seed: int = 7,
    start: datetime = DEFAULT_RECEIVED_AT,
    days: int = 180,
    customers: int = 40,
    reviewer: Callable[[Order, ReviewContext], ReviewVerdict] | None = None,
    violations: Mapping[str, float] | None = None,
) -> SyntheticBook:
    """Build a seeded book of `orders` orders received over `days` days from `start`.

    Args:
        orders: How many orders.
        seed: The seed; the same arguments give the same book.
        start: When the first order can arrive.
        days: Over how many days orders arrive; `as_of` is the end of that window, so the
            newest orders are still open.
        customers: How many customers (a long tail: a few order a lot).
        reviewer: How orders are reviewed; the default is `ordercore.validation.review`
            with the factory review context.
        violations: Follow the written policy (every order risk-assessed before approval,
            ...) and break it on purpose: check name (one of `INJECTABLE`) -> the share of
            the orders it can happen to (phone and fax orders, orders with a hold, with a
            complaint, closed orders). The book's `violations` lists where it did. `None`
            (the default) tells the plain story, without risk assessments.

    Raises:
        ValueError: A count or window that is not positive, an unknown violation or a share
            outside [0, 1].
    """
    if orders < 0 or days <= 0 or customers <= 0:
        raise ValueError("orders must be >= 0, days and customers > 0")
    for check, share in (violations or {}).items():
        if check not in INJECTABLE:
            raise ValueError(f"cannot inject {check!r}; injectable: {', '.join(INJECTABLE)}")
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
            raise ValueError(f"the share of {check!r} must be in [0, 1], got {share!r}")
    policy = None if violations is None else _Policy(violations, seed)
    rng = random.Random(seed)
    as_of = start + timedelta(days=days)
    context = _book_context(start, customers, days)
    review = reviewer or _default_reviewer
    channels = [c for c, _ in CHANNEL_MIX]
    shares = [s for _, s in CHANNEL_MIX]
    weights = [1 / (n + 1) for n in range(customers)]  # Zipf-like long tail
    built: list[Order] = []
    events: list[OrderEvent] = []
    surveys: list[dict[str, Any]] = []
    for number in range(orders):
        # weekday-heavy arrivals spread over the window
        day = rng.uniform(0, days)
        received = start + timedelta(days=day, hours=rng.gauss(0, 2))
        if received.weekday() >= 5 and rng.random() < 0.7:
            received += timedelta(days=2)
        received = min(max(received, start), as_of - timedelta(hours=1))
        customer_no = rng.choices(range(customers), weights)[0] + 1
        count = min(1 + int(rng.expovariate(0.6)), 6)
        lines = [
            make_line(
                str(n + 1), rng.randrange(6), quantity=Decimal(rng.choice([10, 20, 50, 100, 200]))
            )
            for n in range(count)
        ]
        channel = rng.choices(channels, shares)[0]
        unconfirmed = (
            policy is not None
            and channel in (Channel.PHONE, Channel.FAX)
            and policy.breaks("confirmed_before_approval")
        )
        order = make_order(
            f"SO-{seed}-{number + 1:06d}",
            lines=lines,
            customer=make_customer(f"C-{customer_no:03d}"),
            channel=channel,
            received_at=received,
            requested_delivery_at=received + timedelta(days=rng.choice([7, 10, 14, 21])),
            owner={"staff_id": rng.choice(_STAFF), "team": "East"},
            **({"confirmation_ref": None} if unconfirmed else {}),
        )
        entered, created = create(order, at=received, actor=Actor.integration("erp"))
        driver = _Driver(entered, rng, as_of)
        driver.events.extend(created)
        _story(driver, context, review, policy)
        built.append(driver.order)
        events.extend(driver.events)
        if driver.order.feedback is not None or driver.order.status is OrderStatus.CLOSED:
            score = driver.order.feedback.score if driver.order.feedback else None
            surveys.append(
                {
                    "survey_id": f"SV-{order.order_id}",
                    "order_id": order.order_id,
                    "kind": "csat",
                    "sent_at": driver.at,
                    "score": None if score is None else float(score),
                }
            )
    return SyntheticBook(
        orders=tuple(built),
        events=tuple(events),
        surveys=tuple(surveys),
        context=context,
        as_of=as_of,
        seed=seed,
        violations={} if policy is None else policy.found,
    )
