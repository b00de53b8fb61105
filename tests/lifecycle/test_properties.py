from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from _lifecycle_support import AT, CLERK, Verdict
from _support import make_order
from ordercore import Order, OrderCoreError
from ordercore.aftersales import CaseAction, CaseKind
from ordercore.events import parse_event
from ordercore.holds import HoldReason
from ordercore.lifecycle import (
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
    PlanProduction,
    Procure,
    Produce,
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
    replay,
)

LINES = st.sampled_from(["1", "2", "9"])
QTY = st.integers(min_value=0, max_value=12).map(Decimal)
MOVES = [
    Allocate,
    PlanProduction,
    Procure,
    Produce,
    Pack,
    Ship,
    Deliver,
    Invoice,
    RecordPayment,
    ShortClose,
]

COMMANDS: st.SearchStrategy[Command | str] = st.one_of(
    st.sampled_from(
        [
            Submit(),
            StartReview(),
            "approve",
            Reject(reason="no"),
            Cancel(),
            Expire(),
            Close(),
            Archive(),
            WaiveFeedback(reason="n/a"),
            RecordFeedback(score=5),
            RecordRiskAssessment(score=70, level="high", recommendation="hold", policy_version="1"),
        ]
    ),
    st.builds(
        lambda cls, line, q: cls(line_id=line, quantity=q), st.sampled_from(MOVES), LINES, QTY
    ),
    st.builds(lambda line, q: AmendOrder(quantities=((line, q),)), LINES, QTY),
    st.builds(
        lambda hid, reason: PlaceHold(hold_id=hid, hold_reason=reason),
        st.sampled_from(["A", "B"]),
        st.sampled_from(list(HoldReason)),
    ),
    st.builds(lambda hid: ReleaseHold(hold_id=hid), st.sampled_from(["A", "B"])),
    st.builds(
        lambda cid, kind, line, q: OpenCase(case_id=cid, kind=kind, line_id=line, quantity=q),
        st.sampled_from(["C1", "C2"]),
        st.sampled_from(list(CaseKind)),
        LINES,
        QTY,
    ),
    st.builds(
        lambda cid, action: AdvanceCase(case_id=cid, action=action),
        st.sampled_from(["C1", "C2"]),
        st.sampled_from(list(CaseAction)),
    ),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(COMMANDS, max_size=60))
def test_random_commands_keep_the_order_valid_and_replayable(
    commands: list[Command | str],
) -> None:
    order, trail = create(make_order(), at=AT, actor=CLERK)
    for item in commands:
        command = (
            Approve(verdict=Verdict(order.order_id, order.version)) if item == "approve" else item
        )
        assert not isinstance(command, str)
        try:
            order, events = apply(order, command, at=AT, actor=CLERK)
        except OrderCoreError:
            continue
        trail.extend(events)
    assert Order.model_validate_json(order.model_dump_json()) == order
    assert replay(trail) == order
    assert replay([parse_event(e.model_dump_json()) for e in trail]) == order
