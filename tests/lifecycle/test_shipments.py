"""Shipments as records: dispatch several lines at once, transit, delivery per shipment, backorders."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from _lifecycle_support import AT, CLERK, Trail
from _support import make_line, make_order
from ordercore import (
    GuardRejected,
    InvalidCommand,
    LedgerViolation,
    Order,
    OrderLine,
    OrderStatus,
)
from ordercore.aftersales import CaseAction, CaseKind, CaseStatus, ReturnCondition
from ordercore.errors import TrailError
from ordercore.events import (
    ShipmentCollected,
    ShipmentDelivered,
    ShipmentDispatched,
    parse_event,
)
from ordercore.holds import HoldAction, HoldReason
from ordercore.lifecycle import (
    AdvanceCase,
    Allocate,
    Backorder,
    Close,
    Command,
    ConfirmDelivery,
    Deliver,
    Dispatch,
    OpenCase,
    Pack,
    PlaceHold,
    RecordTransit,
    Ship,
    apply,
    evolve,
    replay,
)
from ordercore.shipments import ShipmentStatus, TransportMode

D = Decimal


def _ready(packed: dict[str, int]) -> Trail:
    """An approved order with these quantities allocated and packed, per line."""
    trail = Trail(make_order(lines=_lines(20, 10))).to_approved()
    for line_id, quantity in packed.items():
        trail.do(Allocate(line_id=line_id, quantity=D(quantity)))
        trail.do(Pack(line_id=line_id, quantity=D(quantity)))
    return trail


def _lines(first: int, second: int) -> list[OrderLine]:
    return [make_line("1", quantity=D(first)), make_line("2", sku="NUT-M8", quantity=D(second))]


def _dispatch(shipment_id: str, *lines: tuple[str, int], warehouse: str = "WH-NGB") -> Dispatch:
    return Dispatch(
        shipment_id=shipment_id,
        lines=tuple((line_id, D(q)) for line_id, q in lines),
        warehouse=warehouse,
        carrier="SF Express",
        mode=TransportMode.ROAD,
        tracking_ref=f"SF-{shipment_id}",
        planned_delivery_at=AT + timedelta(days=3),
    )


def _round_trips(trail: Trail) -> None:
    order = trail.order
    assert Order.model_validate_json(order.model_dump_json()) == order
    assert replay(trail.events) == order
    assert replay([parse_event(e.model_dump_json()) for e in trail.events]) == order


def test_a_backordered_line_ships_in_three_parts_from_two_warehouses_with_tracking() -> None:
    trail = _ready({"1": 8, "2": 10})
    trail.do(Backorder(line_id="1", quantity=D(12), expected_at=AT + timedelta(days=10)))
    assert trail.order.line("1").backordered == D(12)
    trail.do(_dispatch("DN-1", ("1", 5), ("2", 10), warehouse="WH-NGB"))
    trail.do(RecordTransit(shipment_id="DN-1"))
    trail.do(ConfirmDelivery(shipment_id="DN-1", proof_of_delivery="POD-1"))
    trail.do(_dispatch("DN-2", ("1", 3), warehouse="WH-SHA"))
    assert trail.order.line("1").backordered == D(12)  # 12 of the 12 unshipped still wait
    trail.do(Allocate(line_id="1", quantity=D(12)))
    trail.do(Pack(line_id="1", quantity=D(12)))
    trail.do(_dispatch("DN-3", ("1", 12), warehouse="WH-SHA"))
    assert trail.order.line("1").backordered == 0  # shipping worked the backorder off
    for shipment_id in ("DN-2", "DN-3"):
        trail.do(ConfirmDelivery(shipment_id=shipment_id, proof_of_delivery=f"POD-{shipment_id}"))

    order = trail.order
    assert order.status is OrderStatus.FULFILLED
    assert [(s.shipment_id, s.warehouse, s.status) for s in order.shipments] == [
        ("DN-1", "WH-NGB", ShipmentStatus.DELIVERED),
        ("DN-2", "WH-SHA", ShipmentStatus.DELIVERED),
        ("DN-3", "WH-SHA", ShipmentStatus.DELIVERED),
    ]
    first = order.shipments[0]
    assert first.tracking_ref == "SF-DN-1"
    assert first.mode is TransportMode.ROAD
    assert first.in_transit_at == AT
    assert first.delivered_at == AT
    assert first.proof_of_delivery == "POD-1"
    assert order.line("1").ledger.shipped == order.line("1").ledger.delivered == D(20)
    _round_trips(trail)


def test_a_dispatch_moves_every_line_in_one_version_with_one_event() -> None:
    trail = _ready({"1": 4, "2": 6})
    version = trail.order.version
    events = trail.do(_dispatch("DN-1", ("1", 4), ("2", 6)))
    assert [type(e) for e in events] == [ShipmentDispatched]
    assert trail.order.version == version + 1
    event = events[0]
    assert event.before == {
        "shipments.DN-1": "none",
        "lines.1.shipped": "0",
        "lines.2.shipped": "0",
    }
    assert event.after == {
        "shipments.DN-1": "dispatched",
        "lines.1.shipped": "4",
        "lines.2.shipped": "6",
    }
    assert [line.ledger.shipped for line in trail.order.lines] == [D(4), D(6)]


def test_a_partial_confirmation_leaves_the_rest_out_on_the_shipment() -> None:
    trail = _ready({"1": 5, "2": 2})
    trail.do(_dispatch("DN-1", ("1", 5), ("2", 2)))
    events = trail.do(ConfirmDelivery(shipment_id="DN-1", lines=(("1", D(2)),)))
    assert isinstance(events[0], ShipmentDelivered)
    shipment = trail.order.shipments[0]
    assert shipment.status is ShipmentStatus.PARTLY_DELIVERED
    assert shipment.delivered_at is None
    assert (shipment.undelivered("1"), shipment.undelivered("2")) == (D(3), D(2))
    trail.do(ConfirmDelivery(shipment_id="DN-1"))  # everything still out
    assert trail.order.shipments[0].status is ShipmentStatus.DELIVERED
    assert [line.ledger.delivered for line in trail.order.lines] == [D(5), D(2)]
    _round_trips(trail)


@pytest.mark.parametrize(
    ("command", "guard", "text"),
    [
        (_dispatch("DN-1", ("9", 1)), "lines_shippable", "order has no line '9'"),
        (_dispatch("DN-1", ("1", 5)), "lines_shippable", "shipping 5 needs allocation"),
        (
            Dispatch(
                shipment_id="DN-1",
                lines=(("1", D(1)),),
                planned_delivery_at=AT - timedelta(days=30),
            ),
            "new_shipment",
            "before the order was received",
        ),
    ],
)
def test_a_dispatch_is_refused_with_the_guard_that_refused_it(
    command: Dispatch, guard: str, text: str
) -> None:
    trail = _ready({"1": 4})
    before = trail.order
    with pytest.raises(GuardRejected, match=guard) as caught:
        trail.do(command)
    assert text in str(caught.value)
    assert trail.order is before


def test_a_hold_that_blocks_shipping_blocks_a_dispatch_of_its_line() -> None:
    trail = _ready({"1": 4, "2": 4})
    trail.do(PlaceHold(hold_id="H1", hold_reason=HoldReason.ADDRESS, line_ids=("2",)))
    with pytest.raises(GuardRejected, match="hold H1"):
        trail.do(_dispatch("DN-1", ("1", 4), ("2", 4)))
    trail.do(_dispatch("DN-1", ("1", 4)))  # the other line is not held
    trail.do(PlaceHold(hold_id="H2", hold_reason=HoldReason.OTHER, blocks=(HoldAction.DELIVER,)))
    with pytest.raises(GuardRejected, match="hold H2"):
        trail.do(ConfirmDelivery(shipment_id="DN-1"))


def test_a_shipment_id_is_used_once() -> None:
    trail = _ready({"1": 4})
    trail.do(_dispatch("DN-1", ("1", 2)))
    with pytest.raises(GuardRejected, match="shipment 'DN-1' exists already"):
        trail.do(_dispatch("DN-1", ("1", 2)))


def test_a_dispatch_beyond_what_is_packed_changes_nothing() -> None:
    trail = _ready({"1": 4})
    trail.do(Allocate(line_id="2", quantity=D(3)))  # allocated, not packed
    before = trail.order
    with pytest.raises(LedgerViolation, match="more than packed"):
        trail.do(_dispatch("DN-1", ("1", 4), ("2", 3)))
    assert trail.order is before
    assert before.shipments == ()
    assert before.line("1").ledger.shipped == 0


def test_transit_and_confirmation_refuse_what_does_not_fit() -> None:
    trail = _ready({"1": 4})
    with pytest.raises(GuardRejected, match="no shipment 'DN-9'; shipments: none"):
        trail.do(RecordTransit(shipment_id="DN-9"))
    trail.do(_dispatch("DN-1", ("1", 4)))
    trail.do(RecordTransit(shipment_id="DN-1", tracking_ref="SF-NEW"))
    assert trail.order.shipments[0].tracking_ref == "SF-NEW"
    with pytest.raises(GuardRejected, match="is in_transit, not dispatched"):
        trail.do(RecordTransit(shipment_id="DN-1"))
    with pytest.raises(GuardRejected, match="line 1 has 4 not yet confirmed, not 5"):
        trail.do(ConfirmDelivery(shipment_id="DN-1", lines=(("1", D(5)),)))
    with pytest.raises(GuardRejected, match="does not carry line '2'"):
        trail.do(ConfirmDelivery(shipment_id="DN-1", lines=(("2", D(1)),)))
    trail.do(ConfirmDelivery(shipment_id="DN-1"))
    trail.do(Allocate(line_id="2", quantity=D(1)))  # the order stays in fulfilment
    with pytest.raises(GuardRejected, match="delivered in full already"):
        trail.do(ConfirmDelivery(shipment_id="DN-1"))


def test_goods_on_a_shipment_are_confirmed_with_it_not_by_a_plain_deliver() -> None:
    trail = _ready({"1": 6})
    trail.do(_dispatch("DN-1", ("1", 4)))
    trail.do(Ship(line_id="1", quantity=D(2)))  # loose: no shipment record
    with pytest.raises(GuardRejected, match=r"4 of what is shipped is on shipments .*DN-1"):
        trail.do(Deliver(line_id="1", quantity=D(3)))
    trail.do(Deliver(line_id="1", quantity=D(2)))  # the loose two
    trail.do(ConfirmDelivery(shipment_id="DN-1"))
    assert trail.order.line("1").ledger.delivered == D(6)
    _round_trips(trail)


def test_a_backorder_takes_no_more_than_the_open_unshipped_quantity_and_a_later_date() -> None:
    trail = _ready({"1": 5})
    trail.do(Ship(line_id="1", quantity=D(5)))
    with pytest.raises(GuardRejected, match=r"backorder of 16 is more than .* \(15\)"):
        trail.do(Backorder(line_id="1", quantity=D(16), expected_at=AT))
    with pytest.raises(GuardRejected, match="before the order was received"):
        trail.do(Backorder(line_id="1", quantity=D(1), expected_at=AT - timedelta(days=30)))
    with pytest.raises(GuardRejected, match="no line '7'"):
        trail.do(Backorder(line_id="7", quantity=D(1), expected_at=AT))
    events = trail.do(Backorder(line_id="1", quantity=D(15), expected_at=AT + timedelta(days=5)))
    assert events[0].before == {"lines.1.backordered": "0"}
    assert events[0].after == {"lines.1.backordered": "15"}
    backorder = trail.order.line("1").backorder
    assert backorder is not None
    assert (backorder.quantity, backorder.expected_at, backorder.recorded_at) == (
        D(15),
        AT + timedelta(days=5),
        AT,
    )
    _round_trips(trail)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"shipment_id": "DN-1", "lines": ()}, "lines"),
        ({"shipment_id": "DN-1", "lines": (("1", D(1)), ("1", D(2)))}, "lines"),
        ({"shipment_id": "DN-1", "lines": (("1", D(0)),)}, "lines"),
        ({"shipment_id": "DN\x00", "lines": (("1", D(1)),)}, "shipment_id"),
        ({"shipment_id": "DN-1", "lines": (("1", D(1)),), "mode": "teleport"}, "mode"),
    ],
)
def test_a_bad_dispatch_is_refused_when_it_is_built(values: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidCommand, match=field):
        Dispatch(**values)  # type: ignore[arg-type]


def test_replay_refuses_a_delivery_of_an_unknown_shipment_or_of_more_than_it_carries() -> None:
    trail = _ready({"1": 4})
    trail.do(_dispatch("DN-1", ("1", 4)))
    order = trail.order
    other = Trail(make_order(lines=_lines(20, 10)))
    good = apply(order, ConfirmDelivery(shipment_id="DN-1"), at=AT, actor=CLERK)[1][0]
    assert isinstance(good, ShipmentDelivered)
    unknown = good.model_copy(update={"shipment_id": "DN-9"})
    with pytest.raises(TrailError, match="unknown shipment 'DN-9'"):
        evolve(order, unknown)
    too_much = good.model_copy(update={"lines": (("1", D(5)),)})
    with pytest.raises(TrailError, match="confirms 5 of line 1 on shipment DN-1, which carries 4"):
        evolve(order, too_much)
    collected = apply(order, RecordTransit(shipment_id="DN-1"), at=AT, actor=CLERK)[1][0]
    assert isinstance(collected, ShipmentCollected)
    foreign = collected.model_copy(update={"order_version": other.order.version + 1})
    with pytest.raises(TrailError, match=r"records shipments\.DN-1 as 'dispatched' but the order"):
        evolve(other.order, foreign)  # the same order id, but no such shipment there


def test_the_order_model_refuses_shipments_that_disagree_with_the_ledger() -> None:
    trail = _ready({"1": 4})
    trail.do(_dispatch("DN-1", ("1", 4)))
    data = trail.order.model_dump(mode="json")
    data["lines"][0]["ledger"]["shipped"] = "3"
    data["lines"][0]["ledger"]["packed"] = "4"
    with pytest.raises(
        ValueError, match=r"its shipments carry 4, more than its ledger's shipped \(3\)"
    ):
        Order.model_validate_json(json.dumps(data))
    data = trail.order.model_dump(mode="json")
    data["shipments"].append(data["shipments"][0])
    with pytest.raises(ValueError, match="shipment_id 'DN-1' is used twice"):
        Order.model_validate_json(json.dumps(data))


def test_the_kpi_frames_read_shipments_and_their_deliveries_line_by_line() -> None:
    from ordercore.kpi import lines_frame, orders_frame  # noqa: PLC0415 - pandas only here

    trail = Trail(make_order(lines=_lines(4, 2))).to_approved()
    clock = iter(AT + timedelta(hours=h) for h in range(1, 100))

    def do(command: Command) -> None:
        trail.order, events = apply(trail.order, command, at=next(clock), actor=CLERK)
        trail.events.extend(events)

    for line_id, quantity in (("1", 4), ("2", 2)):
        do(Allocate(line_id=line_id, quantity=D(quantity)))
        do(Pack(line_id=line_id, quantity=D(quantity)))
    do(_dispatch("DN-1", ("1", 4), ("2", 2)))  # at +5 h
    do(ConfirmDelivery(shipment_id="DN-1", lines=(("2", D(2)),)))  # +6 h: line 2 only
    do(ConfirmDelivery(shipment_id="DN-1"))  # +7 h: line 1
    lines = lines_frame([trail.order], trail.events).set_index("line_id")
    assert lines.loc["1", "shipped_at"] == lines.loc["2", "shipped_at"]
    assert lines.loc["1", "shipped_at"] == AT + timedelta(hours=5)
    assert lines.loc["2", "delivered_at"] < lines.loc["1", "delivered_at"]
    orders = orders_frame([trail.order], trail.events)
    assert orders.loc[0, "delivered_at"] == lines.loc["1", "delivered_at"]
    assert orders.loc[0, "qty_delivered"] == 6


def _delivered_with_exchange() -> Trail:
    """A fulfilled order whose line 1 came back damaged on an exchange case (received)."""
    trail = _ready({"1": 20, "2": 10})
    trail.do(_dispatch("DN-1", ("1", 20), ("2", 10)))
    trail.do(ConfirmDelivery(shipment_id="DN-1"))
    assert trail.order.status is OrderStatus.FULFILLED
    trail.do(OpenCase(case_id="C1", kind=CaseKind.EXCHANGE, line_id="1", quantity=D(3)))
    trail.do(AdvanceCase(case_id="C1", action=CaseAction.APPROVE))
    trail.do(
        AdvanceCase(case_id="C1", action=CaseAction.RECEIVE, condition=ReturnCondition.DAMAGED)
    )
    return trail


def test_an_exchange_ships_its_replacement_as_a_tracked_shipment() -> None:
    trail = _delivered_with_exchange()
    planned = AT + timedelta(days=2)
    events = trail.do(
        Dispatch(
            shipment_id="DN-R1",
            lines=(("1", D(3)),),
            carrier="SF Express",
            planned_delivery_at=planned,
            case_id="C1",
        )
    )
    assert events[0].before == {
        "shipments.DN-R1": "none",
        "lines.1.exchanged": "0",
        "cases.C1": "received",
    }
    assert events[0].after == {
        "shipments.DN-R1": "dispatched",
        "lines.1.exchanged": "3",
        "cases.C1": "replaced",
    }
    order = trail.order
    assert order.cases[0].status is CaseStatus.REPLACED
    assert order.line("1").ledger.exchanged == D(3)
    assert order.line("1").ledger.shipped == D(20)  # the replacement is not a new shipment
    replacement = order.shipments[-1]
    assert (replacement.case_id, replacement.replacement) == ("C1", True)
    with pytest.raises(GuardRejected, match="shipment DN-R1 is dispatched"):
        trail.do(Close())
    late = AT + timedelta(days=5)
    trail.order, more = apply(
        trail.order, ConfirmDelivery(shipment_id="DN-R1"), at=late, actor=CLERK
    )
    trail.events.extend(more)
    replacement = trail.order.shipments[-1]
    assert replacement.delivered_at == late
    assert replacement.planned_delivery_at == planned
    assert replacement.delivered_at - planned == timedelta(days=3)  # the lateness, measurable
    assert trail.order.line("1").ledger.delivered == D(20)
    _round_trips(trail)


@pytest.mark.parametrize(
    ("case_id", "lines", "text"),
    [
        ("C9", (("1", D(3)),), "no case 'C9'; cases: C1"),
        ("C1", (("1", D(2)),), "carries line 1 x 3, exactly"),
        ("C1", (("2", D(3)),), "carries line 1 x 3, exactly"),
    ],
)
def test_a_replacement_must_fit_its_case(
    case_id: str, lines: tuple[tuple[str, Decimal], ...], text: str
) -> None:
    trail = _delivered_with_exchange()
    with pytest.raises(GuardRejected, match="replacement_fits") as caught:
        trail.do(Dispatch(shipment_id="DN-R1", lines=lines, case_id=case_id))
    assert text in str(caught.value)


def test_a_replacement_waits_for_the_goods_to_come_back_and_a_fulfilled_order_ships_nothing_else() -> (
    None
):
    trail = _delivered_with_exchange()
    trail.do(OpenCase(case_id="C2", kind=CaseKind.EXCHANGE, line_id="2", quantity=D(1)))
    with pytest.raises(
        GuardRejected, match=r"case C2 \(exchange, requested\) cannot be replaced now"
    ):
        trail.do(Dispatch(shipment_id="DN-R2", lines=(("2", D(1)),), case_id="C2"))
    with pytest.raises(GuardRejected, match="an order that is fulfilled ships only replacements"):
        trail.do(Dispatch(shipment_id="DN-9", lines=(("2", D(1)),)))


def test_a_late_replacement_shows_in_the_cases_frame() -> None:
    from ordercore.kpi import cases_frame  # noqa: PLC0415 - pandas only here

    trail = _delivered_with_exchange()
    planned = AT + timedelta(days=2)
    command = Dispatch(
        shipment_id="DN-R1", lines=(("1", D(3)),), planned_delivery_at=planned, case_id="C1"
    )
    trail.do(command)
    late = AT + timedelta(days=5)
    trail.order, more = apply(
        trail.order, ConfirmDelivery(shipment_id="DN-R1"), at=late, actor=CLERK
    )
    trail.events.extend(more)
    row = cases_frame([trail.order], trail.events).iloc[0]
    assert row["replacement_shipment_id"] == "DN-R1"
    assert row["replacement_delivered_at"] - row["replacement_planned_at"] == timedelta(days=3)
    plain = cases_frame([_delivered_with_exchange().order]).iloc[0]
    assert plain[["replacement_shipment_id", "replacement_planned_at"]].isna().all()


def test_the_deliveries_frame_comes_from_the_shipment_records() -> None:
    from ordercore.kpi import DeliveryWithoutProof, alerts, deliveries_frame, frame_problems  # noqa: PLC0415

    trail = _ready({"1": 6, "2": 2})
    trail.do(_dispatch("DN-1", ("1", 4), ("2", 2)))
    trail.do(ConfirmDelivery(shipment_id="DN-1", proof_of_delivery="POD-1"))
    trail.do(Dispatch(shipment_id="DN-2", lines=(("1", D(1)),)))
    trail.do(ConfirmDelivery(shipment_id="DN-2"))  # no proof on file
    trail.do(Ship(line_id="1", quantity=D(1)))
    trail.do(Deliver(line_id="1", quantity=D(1)))  # a plain delivery: nothing on file
    frame = deliveries_frame([trail.order], trail.events)
    assert frame_problems(frame, "deliveries") == []
    assert list(frame["line_id"]) == ["1", "2", "1", "1"]
    assert list(frame["qty"]) == [4.0, 2.0, 1.0, 1.0]
    proofs = frame["has_proof"]
    assert str(proofs.dtype) == "boolean"
    assert list(proofs.isna()) == [False, False, False, True]
    assert list(proofs.iloc[:3]) == [True, True, False]
    assert frame.loc[0, "shipped_at"] == trail.order.shipments[0].dispatched_at
    assert frame["delivery_id"].is_unique
    raised = alerts(frame, [DeliveryWithoutProof(grace_hours=1)], as_of=AT + timedelta(days=1))
    assert len(raised) == 2  # DN-2, confirmed without a proof, and the plain delivery
    other = deliveries_frame([make_order(order_id="SO-2")], trail.events)
    assert other.empty  # only the given orders' events count
