"""After-sales records: warranty or chargeable repairs, restocked or scrapped returns."""

from __future__ import annotations

from decimal import Decimal

import pytest

from _lifecycle_support import Trail
from ordercore import GuardRejected
from ordercore.aftersales import CaseAction, CaseKind, Disposition, RepairTerms, ReturnCondition
from ordercore.events import parse_event
from ordercore.lifecycle import AdvanceCase, OpenCase
from ordercore.lifecycle.replay import replay


def _delivered() -> Trail:
    return Trail().to_approved().deliver_line("1", 10)


def test_a_repair_records_whether_it_is_under_warranty() -> None:
    trail = _delivered()
    trail.do(
        OpenCase(
            case_id="R1",
            kind=CaseKind.REPAIR,
            line_id="1",
            quantity=Decimal(1),
            repair_terms=RepairTerms.WARRANTY,
        )
    )
    assert trail.order.cases[0].repair_terms is RepairTerms.WARRANTY
    assert replay([parse_event(e.model_dump_json()) for e in trail.events]) == trail.order


def test_a_repair_must_say_who_pays() -> None:
    trail = _delivered()
    with pytest.raises(GuardRejected, match="a repair case needs repair_terms"):
        trail.do(OpenCase(case_id="R1", kind=CaseKind.REPAIR, line_id="1", quantity=Decimal(1)))


def test_repair_terms_on_a_return_are_refused() -> None:
    trail = _delivered()
    with pytest.raises(GuardRejected, match="repair_terms are for repair cases"):
        trail.do(
            OpenCase(
                case_id="X",
                kind=CaseKind.RETURN,
                line_id="1",
                quantity=Decimal(1),
                repair_terms=RepairTerms.CHARGEABLE,
            )
        )


def _approved_return(trail: Trail) -> None:
    trail.do(OpenCase(case_id="RMA", kind=CaseKind.RETURN, line_id="1", quantity=Decimal(2)))
    trail.do(AdvanceCase(case_id="RMA", action=CaseAction.APPROVE))


def test_goods_received_back_record_restock_or_scrap() -> None:
    trail = _delivered()
    _approved_return(trail)
    events = trail.do(
        AdvanceCase(
            case_id="RMA",
            action=CaseAction.RECEIVE,
            condition=ReturnCondition.RESALEABLE,
            disposition=Disposition.RESTOCK,
        )
    )
    assert getattr(events[0], "disposition", None) is Disposition.RESTOCK
    assert trail.order.cases[0].disposition is Disposition.RESTOCK
    assert replay(trail.events) == trail.order


def test_a_disposition_on_a_step_without_goods_back_is_refused() -> None:
    trail = _delivered()
    trail.do(OpenCase(case_id="RMA", kind=CaseKind.RETURN, line_id="1", quantity=Decimal(2)))
    with pytest.raises(GuardRejected, match="a disposition is for goods received back"):
        trail.do(
            AdvanceCase(case_id="RMA", action=CaseAction.APPROVE, disposition=Disposition.SCRAP)
        )
