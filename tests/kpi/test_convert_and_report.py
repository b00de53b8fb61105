from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from _support import make_order
from ordercore.events import Actor, OrderApproved, QuantityDelivered
from ordercore.kpi import (
    check_frame,
    events_frame,
    generate,
    lines_frame,
    monthly_report,
    orders_frame,
    staff_ranking,
    stage_durations,
)
from ordercore.ledger import LineLedger
from ordercore.testing.factories import order_with_trail_in_status

if TYPE_CHECKING:
    from pathlib import Path

T = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def _events() -> list[object]:
    actor = Actor.user("li.wei")
    return [
        OrderApproved(
            event_id="e1",
            order_id="SO-1",
            order_version=3,
            at=T,
            actor=actor,
            review_version=2,
            before={"status": "under_review"},
            after={"status": "approved"},
        ),
        QuantityDelivered(
            event_id="e2",
            order_id="SO-1",
            order_version=4,
            at=T + dt.timedelta(days=2),
            actor=actor,
            line_id="1",
            quantity=Decimal(10),
        ),
    ]


def test_orders_frame_takes_milestones_from_events() -> None:
    order, events = order_with_trail_in_status("delivered")
    frame = orders_frame([order], events)
    check_frame(frame, "orders")
    approved = next(e.at for e in events if e.type == "order_approved")
    delivered = max(e.at for e in events if e.type == "quantity_delivered")
    assert frame.loc[0, "approved_at"] == approved
    assert frame.loc[0, "delivered_at"] == delivered
    assert frame.loc[0, "status_since"] == [e.at for e in events if "status" in e.after][-1]


def test_a_partly_delivered_order_has_no_delivered_at_yet() -> None:
    order, events = order_with_trail_in_status("delivered", partial=True)
    frame = orders_frame([order], events)
    assert any(e.type == "quantity_delivered" for e in events)
    assert pd.isna(frame.loc[0, "delivered_at"])


def test_lines_frame_carries_the_ledger() -> None:
    order = make_order()
    line = order.lines[0].model_copy(update={"ledger": LineLedger(cancelled=Decimal(2))})
    frame = lines_frame([order.model_copy(update={"lines": (line, order.lines[1])})])
    check_frame(frame, "lines")
    assert frame["qty_cancelled"].tolist() == [2.0, 0.0]


def test_events_frame_reads_type_status_and_actor() -> None:
    frame = events_frame(_events())  # type: ignore[arg-type]
    check_frame(frame, "events")
    assert frame.loc[0, "event_type"] == "order_approved"
    assert frame.loc[0, "status_after"] == "approved"
    assert frame.loc[0, "actor_kind"] == "user"


def test_stage_durations_from_converted_events() -> None:
    stages = {"approval_to_delivery": ("order_approved", "quantity_delivered")}
    result = stage_durations(events_frame(_events()), stages, as_of=T + dt.timedelta(days=9))  # type: ignore[arg-type]
    assert result["approval_to_delivery"].value == 48.0


def test_monthly_report_flags_small_groups_and_never_reports_zero_for_no_data() -> None:
    data = generate(400, seed=3, months=2)
    report = monthly_report(
        data.orders, surveys=data.surveys, errors=data.errors, as_of=data.as_of, by=["owner_id"]
    )
    rows = report.rows()
    assert {r["status"] for r in rows} >= {"insufficient_sample"}
    assert all(r["otif_rate"] is None for r in rows if r["counted"] == 0)


def test_staff_ranking_shrinks_small_samples_toward_the_team_rate() -> None:
    data = generate(2000, seed=5, months=2)
    report = monthly_report(data.orders, as_of=data.as_of, by=["owner_id"])
    ranking = staff_ranking(report)
    small = ranking[ranking["n"] < 5]
    team = sum(r["otif"] for r in report.rows()) / sum(r["counted"] for r in report.rows())
    for row in small.to_dict("records"):
        assert abs(row["shrunk_rate"] - team) <= abs((row["raw_rate"] or team) - team)
    assert ranking["rank"].tolist() == list(range(1, len(ranking) + 1))


def test_report_renders_markdown_and_a_plot(tmp_path: Path) -> None:
    data = generate(500, seed=1, months=2)
    report = monthly_report(data.orders, surveys=data.surveys, as_of=data.as_of)
    assert report.to_markdown().startswith("| period |")
    report.plot().savefig(tmp_path / "trend.png")
    assert (tmp_path / "trend.png").stat().st_size > 0


def test_staff_ranking_needs_a_report_grouped_by_staff() -> None:
    data = generate(100, seed=1, months=1)
    with pytest.raises(ValueError, match="owner_id"):
        staff_ranking(monthly_report(data.orders, as_of=data.as_of))


def test_past_due_alerts_skip_orders_that_are_rejected_expired_or_closed() -> None:
    from ordercore.kpi import PastDueNotShipped, alerts  # noqa: PLC0415

    late = T - dt.timedelta(days=10)
    frame = pd.DataFrame(
        {
            "order_id": ["open", "rejected", "expired", "closed"],
            "customer_id": ["C"] * 4,
            "channel": ["web"] * 4,
            "received_at": pd.to_datetime([late] * 4, utc=True),
            "requested_at": pd.to_datetime([late] * 4, utc=True),
            "status": ["approved", "rejected", "expired", "closed"],
        }
    )
    found = alerts(frame, [PastDueNotShipped(reference="requested_at")], as_of=T)
    assert found["order_id"].tolist() == ["open"]


def test_hold_columns_come_from_the_orders_holds() -> None:
    from ordercore.holds import HoldReason  # noqa: PLC0415
    from ordercore.lifecycle import PlaceHold, apply  # noqa: PLC0415

    order, events = order_with_trail_in_status("submitted")
    at = events[-1].at + dt.timedelta(hours=1)
    held, more = apply(
        order, PlaceHold(hold_id="H", hold_reason=HoldReason.CREDIT), at=at, actor=events[-1].actor
    )
    frame = orders_frame([held], [*events, *more], as_of=at + dt.timedelta(hours=5))
    assert frame.loc[0, "hold_since"] == at
    assert frame.loc[0, "hold_hours"] == 5.0


def test_plotting_an_unknown_measure_names_the_known_rates() -> None:
    from ordercore import ConfigurationError  # noqa: PLC0415
    from ordercore.kpi import generate, monthly_report  # noqa: PLC0415

    data = generate(500, seed=2, months=1)
    report = monthly_report(data.orders, as_of=data.as_of)
    with pytest.raises(ConfigurationError, match=r"no column 'perfect_order_rate'.*otif_rate"):
        report.plot(("perfect_order_rate",))


def test_reports_and_results_display_as_html_tables() -> None:
    from ordercore.kpi import generate, monthly_report, otif  # noqa: PLC0415

    data = generate(500, seed=2, months=1)
    report = monthly_report(data.orders, as_of=data.as_of)
    assert "<table" in report._repr_html_()
    assert "otif_rate" in report._repr_html_()
    result = otif(data.orders, as_of=data.as_of)
    assert "interval" in result._repr_html_()


def test_text_timestamps_get_a_hint_to_parse_them() -> None:
    from ordercore import FrameSchemaError  # noqa: PLC0415
    from ordercore.kpi import check_frame  # noqa: PLC0415

    frame = pd.DataFrame(
        {
            "order_id": ["1"],
            "customer_id": ["C"],
            "channel": ["web"],
            "received_at": ["2026-03-02T09:00:00+08:00"],
        }
    )
    with pytest.raises(FrameSchemaError, match=r"to_datetime\(col, utc=True\)"):
        check_frame(frame, "orders")
