"""Frames from a book driven through the real lifecycle give the KPIs a hand count gives.

The book is `ordercore.testing.book.synthetic_book`: orders reviewed, approved or rejected,
cancelled by their customers, short-closed by the seller, held, shipped in parts, delivered,
returned, complained about, with feedback and closing. Each KPI computed on the frames of
`lifecycle_frames` is compared with the same definition counted by hand over the entities and
their events, with no frame in between.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pytest

from ordercore.events import Party, event_types
from ordercore.kpi import (
    check_frame,
    cycle_time,
    fill_rate,
    order_accuracy,
    otif,
    perfect_order,
    return_rate,
    stage_durations,
    survey_score,
)
from ordercore.kpi.convert import lifecycle_frames
from ordercore.kpi.policies import OtifPolicy
from ordercore.lifecycle._marks import KIND_OF_TYPE
from ordercore.testing.book import SyntheticBook, synthetic_book

if TYPE_CHECKING:
    from ordercore import Order, OrderLine
    from ordercore.events import OrderEvent

# The book promises nothing (no `promised_delivery_at`): judge against the requested date.
ORDER_POLICY = OtifPolicy(reference="requested", name="requested")
LINE_POLICY = OtifPolicy(reference="requested", grain="line", name="requested_line")


@cache
def _book() -> SyntheticBook:
    return synthetic_book(orders=600, seed=21)


@cache
def _frames() -> dict[str, Any]:
    book = _book()
    return lifecycle_frames(book.orders, book.events, as_of=book.as_of)


class _Trail:
    """One order and its events, read by hand."""

    def __init__(self, order: Order, events: list[OrderEvent]) -> None:
        self.order = order
        self.events = sorted(events, key=lambda e: e.order_version)
        approvals = [e.at for e in self.events if e.type == "order_approved"]
        self.approved_at = approvals[0] if approvals else None
        self.ended_at: dt.datetime | None = None
        self.ended_by: str | None = None
        for event in self.events:
            if event.type == "order_cancelled":
                self.ended_at = event.at
                self.ended_by = event.requested_by.value  # type: ignore[attr-defined]
            elif event.type in ("order_rejected", "order_expired"):
                self.ended_at, self.ended_by = event.at, "seller"

    def _moves(self, kind: str, line_id: str | None = None) -> list[OrderEvent]:
        return [
            e
            for e in self.events
            if e.type == kind and (line_id is None or e.line_id == line_id)  # type: ignore[attr-defined]
        ]

    def seller_cut(self, line: OrderLine) -> Decimal:
        cuts = self._moves("line_short_closed", line.line_id)
        return sum(
            (e.quantity for e in cuts if e.requested_by is Party.SELLER),  # type: ignore[attr-defined]
            Decimal(0),
        )

    def open_quantity(self, line: OrderLine) -> Decimal:
        return line.quantity - line.ledger.cancelled

    def no_longer_owed(self, line: OrderLine) -> Decimal:
        """What the customer cancelled on the line: their short-closes and an order they ended."""
        gone = line.ledger.cancelled - self.seller_cut(line)
        if self.ended_at is not None and self.ended_by != "seller":
            gone += self.open_quantity(line)
        return gone

    def line_delivered_at(self, line: OrderLine) -> dt.datetime | None:
        left = self.open_quantity(line)
        deliveries = self._moves("quantity_delivered", line.line_id)
        if left <= 0 or line.ledger.delivered < left or not deliveries:
            return None
        return deliveries[-1].at

    def delivered_at(self) -> dt.datetime | None:
        owing = [line for line in self.order.lines if self.open_quantity(line) > 0]
        if not owing or any(line.ledger.delivered < self.open_quantity(line) for line in owing):
            return None
        return max(e.at for e in self._moves("quantity_delivered"))

    def owed(self) -> Decimal:
        return sum((ln.quantity - self.no_longer_owed(ln) for ln in self.order.lines), Decimal(0))

    def delivered(self) -> Decimal:
        return sum((line.ledger.delivered for line in self.order.lines), Decimal(0))

    def complete(self, as_of: dt.datetime) -> bool:
        done = self.delivered_at()
        return done is not None and done <= as_of and self.delivered() >= self.owed()

    def hold_hours(self) -> float:
        stop = self.delivered_at() or _book().as_of
        spans = sorted(
            (max(h.placed_at, self.order.received_at), min(h.released_at or stop, stop))
            for h in self.order.holds
        )
        total, reach = dt.timedelta(), self.order.received_at
        for begin, end in spans:
            begin = max(begin, reach)  # noqa: PLW2901 - what the earlier holds did not cover
            if end > begin:
                total += end - begin
                reach = end
        return total.total_seconds() / 3600


@cache
def _trails() -> tuple[_Trail, ...]:
    book = _book()
    by_order: dict[str, list[OrderEvent]] = defaultdict(list)
    for event in book.events:
        by_order[event.order_id].append(event)
    return tuple(_Trail(order, by_order[order.order_id]) for order in book.orders)


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(dt.UTC).date()


def _judge(
    *,
    requested: dt.datetime | None,
    delivered_at: dt.datetime | None,
    complete: bool,
    ended_at: dt.datetime | None,
    ended_by: str | None,
    approved_at: dt.datetime | None,
    owes_nothing: bool,
) -> str:
    """OTIF by hand for one order or line: an exclusion reason, or ``hit`` / ``miss``."""
    as_of = _book().as_of
    if ended_at is not None and ended_by == "customer":
        committed = approved_at is not None and approved_at <= ended_at
        return "cancelled_after_commit" if committed else "cancelled_before_commit"
    seller = ended_at is not None
    if owes_nothing and not seller:
        return "nothing_owed"
    if requested is None:
        return "no_reference_date"
    if seller:
        return "miss"
    if complete:
        assert delivered_at is not None
        return "hit" if _day(delivered_at) <= _day(requested) else "miss"
    return "miss" if _day(requested) < _day(as_of) else "not_yet_due"


def _tally(outcomes: list[str]) -> tuple[float, float, dict[str, int]]:
    hits = outcomes.count("hit")
    counted = hits + outcomes.count("miss")
    reasons = {r: outcomes.count(r) for r in set(outcomes) - {"hit", "miss"}}
    return float(hits), float(counted), reasons


def test_the_book_has_what_the_rules_are_about() -> None:
    trails = _trails()
    assert any(t.ended_by == "customer" and t.approved_at is None for t in trails)
    assert any(t.ended_by == "seller" for t in trails)
    assert any(t.seller_cut(line) for t in trails for line in t.order.lines)
    assert any(t.order.holds for t in trails)
    assert any(t.delivered_at() is not None and not t.complete(_book().as_of) for t in trails)


def test_the_lifecycle_frames_pass_the_frame_check() -> None:
    for name in ("orders", "lines", "events", "surveys", "cases"):
        check_frame(_frames()[name], name)


def test_cycle_time_counts_as_the_hand_does() -> None:
    as_of = _book().as_of
    hours = [
        (t.delivered_at() - t.order.received_at).total_seconds() / 3600  # type: ignore[operator]
        for t in _trails()
        if t.ended_at is None and t.complete(as_of)
    ]
    censored = sum(1 for t in _trails() if t.ended_at is None and not t.complete(as_of))
    result = cycle_time(_frames()["orders"], as_of=as_of)
    assert result.denominator == len(hours)
    assert result.value == pytest.approx(np.mean(hours))
    assert result.details["p50"] == pytest.approx(np.percentile(hours, 50))
    assert result.details["p90"] == pytest.approx(np.percentile(hours, 90))
    assert result.details["censored"] == censored
    assert result.exclusions["cancelled"] == sum(1 for t in _trails() if t.ended_at is not None)


def test_net_cycle_time_subtracts_the_union_of_the_holds() -> None:
    as_of = _book().as_of
    net = [
        (t.delivered_at() - t.order.received_at).total_seconds() / 3600 - t.hold_hours()  # type: ignore[operator]
        for t in _trails()
        if t.ended_at is None and t.complete(as_of)
    ]
    assert min(net) >= 0
    result = cycle_time(_frames()["orders"], as_of=as_of, net=True)
    assert result.value == pytest.approx(np.mean(net))
    held = [t for t in _trails() if t.order.holds]
    frame = _frames()["orders"].set_index("order_id")
    for trail in held:
        assert frame.loc[trail.order.order_id, "hold_hours"] == pytest.approx(trail.hold_hours())


def test_order_otif_counts_as_the_hand_does() -> None:
    as_of = _book().as_of
    outcomes = [
        _judge(
            requested=t.order.requested_delivery_at,
            delivered_at=t.delivered_at(),
            complete=t.complete(as_of),
            ended_at=t.ended_at,
            ended_by=t.ended_by,
            approved_at=t.approved_at,
            owes_nothing=t.owed() <= 0,
        )
        for t in _trails()
    ]
    hits, counted, reasons = _tally(outcomes)
    result = otif(_frames()["orders"], ORDER_POLICY, as_of=as_of)
    assert (result.numerator, result.denominator) == (hits, counted)
    assert {r: n for r, n in result.exclusions.items() if n} == reasons


def test_line_otif_counts_as_the_hand_does() -> None:
    as_of = _book().as_of
    outcomes = []
    for t in _trails():
        for line in t.order.lines:
            left = t.open_quantity(line)
            owed = line.quantity - t.no_longer_owed(line)
            ended = t.ended_at is not None and left > 0
            done = t.line_delivered_at(line)
            outcomes.append(
                _judge(
                    requested=line.requested_delivery_at or t.order.requested_delivery_at,
                    delivered_at=done,
                    complete=done is not None and line.ledger.delivered >= owed,
                    ended_at=t.ended_at if ended else None,
                    ended_by=t.ended_by if ended else None,
                    approved_at=t.approved_at,
                    owes_nothing=owed <= 0,
                )
            )
    hits, counted, reasons = _tally(outcomes)
    result = otif(_frames()["lines"], LINE_POLICY, as_of=as_of)
    assert (result.numerator, result.denominator) == (hits, counted)
    assert {r: n for r, n in result.exclusions.items() if n} == reasons


def _owed_and_shipped() -> list[tuple[str, float, float]]:
    return [
        (
            t.order.order_id,
            float(line.quantity - t.no_longer_owed(line)),
            float(line.ledger.shipped),
        )
        for t in _trails()
        for line in t.order.lines
    ]


def test_unit_and_line_fill_count_as_the_hand_does() -> None:
    rows = [(owed, shipped) for _, owed, shipped in _owed_and_shipped() if owed > 0]
    unit = sum(min(shipped, owed) for owed, shipped in rows) / sum(owed for owed, _ in rows)
    line = sum(1 for owed, shipped in rows if shipped >= owed) / len(rows)
    lines = _frames()["lines"]
    assert fill_rate(lines, kind="unit").value == pytest.approx(unit)
    assert fill_rate(lines, kind="line").value == pytest.approx(line)
    seller_short = [t for t in _trails() if any(t.seller_cut(ln) for ln in t.order.lines)]
    assert seller_short
    assert unit < 1.0


def test_order_fill_counts_as_the_hand_does() -> None:
    filled: dict[str, bool] = {}
    for order_id, owed, shipped in _owed_and_shipped():
        if owed > 0:
            filled[order_id] = filled.get(order_id, True) and shipped >= owed
    result = fill_rate(_frames()["lines"], kind="order")
    assert (result.numerator, result.denominator) == (
        float(sum(filled.values())),
        float(len(filled)),
    )


def _errors() -> pd.DataFrame:
    """Accuracy errors read off the after-sales cases: goods that came back damaged."""
    cases = _frames()["cases"]
    damaged = cases[cases["condition"] == "damaged"]
    return pd.DataFrame(
        {
            "error_id": damaged["order_id"] + ":" + damaged["case_id"],
            "order_id": damaged["order_id"],
            "error_type": "damaged",
            "found_at": damaged["opened_at"],
        }
    )


def _damaged() -> set[str]:
    return {
        t.order.order_id
        for t in _trails()
        for case in t.order.cases
        if case.condition is not None and case.condition.value == "damaged"
    }


def test_perfect_order_counts_as_the_hand_does() -> None:
    as_of = _book().as_of
    damaged = _damaged()
    assert damaged
    perfect = counted = 0
    for t in _trails():
        outcome = _judge(
            requested=t.order.requested_delivery_at,
            delivered_at=t.delivered_at(),
            complete=t.complete(as_of),
            ended_at=t.ended_at,
            ended_by=t.ended_by,
            approved_at=t.approved_at,
            owes_nothing=t.owed() <= 0,
        )
        counted += outcome in ("hit", "miss")
        perfect += outcome == "hit" and t.order.order_id not in damaged
    result = perfect_order(_frames()["orders"], _errors(), policy=ORDER_POLICY, as_of=as_of)
    assert (result.numerator, result.denominator) == (float(perfect), float(counted))


def test_order_accuracy_counts_as_the_hand_does() -> None:
    as_of = _book().as_of
    delivered = {
        t.order.order_id
        for t in _trails()
        if (done := t.delivered_at()) is not None and done <= as_of
    }
    result = order_accuracy(_frames()["orders"], _errors(), as_of=as_of)
    assert (result.numerator, result.denominator) == (
        float(len(delivered - _damaged())),
        float(len(delivered)),
    )


def test_return_rate_counts_as_the_hand_does() -> None:
    lines = [line for t in _trails() for line in t.order.lines]
    returned = sum(float(line.ledger.returned) for line in lines)
    assert returned > 0
    delivered = sum(float(line.ledger.delivered) for line in lines)
    assert return_rate(_frames()["lines"]).value == pytest.approx(returned / delivered)


def test_csat_from_closing_feedback_counts_as_the_hand_does() -> None:
    feedback = [t.order.feedback for t in _trails() if t.order.feedback is not None]
    answers = [f.score for f in feedback if not f.waived and f.score is not None]
    result = survey_score(_frames()["surveys"], "csat")
    assert result.details["sent"] == len(feedback)
    assert (result.numerator, result.denominator) == (
        float(sum(1 for s in answers if s >= 4)),
        float(len(answers)),
    )


def test_stage_durations_count_as_the_hand_does() -> None:
    hours = []
    for t in _trails():
        submitted = [e.at for e in t.events if e.type == "order_submitted"]
        approved = [e.at for e in t.events if e.type == "order_approved"]
        if submitted and approved:
            hours.append((approved[0] - submitted[0]).total_seconds() / 3600)
    stages = {"review": ("order_submitted", "order_approved")}
    result = stage_durations(_frames()["events"], stages, as_of=_book().as_of)["review"]
    assert result.value == pytest.approx(np.mean(hours))


def test_the_root_causes_of_the_cases_reach_the_cases_frame() -> None:
    causes = sorted(
        case.root_cause.value
        for t in _trails()
        for case in t.order.cases
        if case.root_cause is not None
    )
    frame = _frames()["cases"]
    assert causes
    assert sorted(frame["root_cause"].dropna()) == causes
    assert frame.loc[frame["root_cause"].notna(), "root_cause_at"].notna().all()


def test_every_event_type_is_known_to_the_converter() -> None:
    assert set(event_types()) <= set(KIND_OF_TYPE)


def test_the_events_the_converter_skips_never_change_the_status() -> None:
    skipped = {name for name, kind in KIND_OF_TYPE.items() if kind == 0}
    assert skipped
    assert not [e for e in _book().events if e.type in skipped and "status" in e.after]
