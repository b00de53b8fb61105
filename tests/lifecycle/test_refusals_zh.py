"""Every refusal of the lifecycle reads in Chinese too, with the same facts as in English.

Each scenario below makes one guard refuse, on an order built with the lifecycle's own
commands. The test measures which guards refused: that set must be every guard of the
canonical table and every check `apply` makes itself, so a new guard without a Chinese
refusal fails here. The conditions of the derived transitions never reach a person as a
`GuardRejected`; their refusals are checked on their own.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pydantic import TypeAdapter, ValidationError

from _lifecycle_support import AT, CLERK, Trail, Verdict
from _support import RECEIVED, make_line, make_order
from _validation_support import good_order, make_context, profile
from _zh_support import CJK, RAW_PYTHON, english_words, facts
from ordercore import GuardRejected, Money
from ordercore._refusals import Refusal, validation_refusal, zh_of
from ordercore.aftersales import CaseAction, CaseKind, Disposition, ReturnCondition
from ordercore.billing import PaymentTerms
from ordercore.events import Actor
from ordercore.holds import HoldAction, HoldReason
from ordercore.labels import label
from ordercore.lifecycle import (
    AdvanceCase,
    Allocate,
    AmendHeader,
    AmendOrder,
    Approve,
    Backorder,
    Cancel,
    Close,
    Command,
    ConfirmDelivery,
    Deliver,
    Dispatch,
    Expire,
    Invoice,
    IssueCreditNote,
    IssueInvoice,
    IssueRefund,
    LifecyclePolicy,
    OpenCase,
    Pack,
    Party,
    PlaceHold,
    ReceivePayment,
    RecordFeedback,
    RecordPayment,
    RecordTransit,
    Reject,
    ReleaseAllocation,
    ReleaseHold,
    Reopen,
    Repromise,
    Ship,
    ShortClose,
    Submit,
    TakeLines,
    apply,
    create,
    merge,
    split,
)
from ordercore.lifecycle.authority import RELEASE_HOLD, REOPEN_ORDER, AuthorityRules, Grant
from ordercore.lifecycle.extend import extend
from ordercore.lifecycle.guards import GuardContext, amendment_worsened
from ordercore.lifecycle.table import TABLE
from ordercore.validation import review

if TYPE_CHECKING:
    from collections.abc import Callable

D = Decimal
# The checks `apply` (and `create`) make themselves, outside the table's guards.
APPLY_CHECKS = frozenset(
    {
        "not_before_last_change",
        "case_exists",
        "root_cause_given",
        "disposition_fits",
        "refund_credited",
    }
)
CANONICAL_GUARDS = frozenset(
    getattr(guard, "__name__", "") for row in TABLE if not row.derived for guard in row.guards
)
AUTHORITY = LifecyclePolicy(
    authority=AuthorityRules(
        grants=(
            Grant(RELEASE_HOLD, roles=frozenset({"credit_manager"}), up_to=D(50000)),
            Grant(REOPEN_ORDER, roles=frozenset({"service_manager"})),
        ),
        roles={"user:li.wei": frozenset({"sales_clerk"})},
    )
)


def _cny(amount: str) -> Money:
    return Money.of(amount, "CNY")


def _then(trail: Trail, *commands: Command) -> Trail:
    for command in commands:
        trail.do(command)
    return trail


def _approved(**overrides: object) -> Trail:
    return Trail(make_order(**overrides)).to_approved()


def _packed(quantity: int, **overrides: object) -> Trail:
    trail = _approved(**overrides)
    trail.do(Allocate(line_id="1", quantity=D(quantity)))
    trail.do(Pack(line_id="1", quantity=D(quantity)))
    return trail


def _dispatched(quantity: int) -> Trail:
    trail = _packed(quantity)
    trail.do(Dispatch(shipment_id="DN-1", lines=(("1", D(quantity)),)))
    return trail


def _fulfilled() -> Trail:
    return _approved().deliver_line("1", 10).deliver_line("2", 10)


def _in_money() -> Trail:
    trail = _approved().deliver_line("1", 10)
    trail.do(IssueInvoice(invoice_id="INV-1", lines=(("1", D(10)),)))
    return trail


def _received_return() -> Trail:
    trail = _in_money()
    trail.do(OpenCase(case_id="RMA-1", kind=CaseKind.RETURN, line_id="1", quantity=D(2)))
    trail.do(AdvanceCase(case_id="RMA-1", action=CaseAction.APPROVE))
    trail.do(
        AdvanceCase(case_id="RMA-1", action=CaseAction.RECEIVE, condition=ReturnCondition.DAMAGED)
    )
    return trail


def _closed() -> Trail:
    trail = _fulfilled()
    for line_id in ("1", "2"):
        trail.do(Invoice(line_id=line_id, quantity=D(10)))
        trail.do(RecordPayment(line_id=line_id, quantity=D(10)))
    trail.do(RecordFeedback(score=4))
    trail.do(Close())
    return trail


def _held(*blocks: HoldAction) -> Trail:
    trail = _packed(5)
    trail.do(PlaceHold(hold_id="H-1", hold_reason=HoldReason.CREDIT, blocks=blocks))
    return trail


def _failed_review() -> None:
    trail = Trail(good_order()).to_review()
    verdict = review(trail.order, make_context(customers={"C-1": profile(blocked=True)}))
    trail.do(Approve(verdict=verdict))


def _do(build: Callable[[], Trail], command: Command) -> Callable[[], object]:
    return lambda: build().do(command)


@dataclass(frozen=True)
class Scenario:
    """One refusal: what it is about, and how to make the lifecycle refuse."""

    name: str
    refuse: Callable[[], object]


SCENARIOS = (
    Scenario("a failed review", _failed_review),
    Scenario(
        "a review of another order",
        lambda: Trail().to_review().do(Approve(verdict=Verdict("SO-2", 2))),
    ),
    Scenario(
        "a hold blocking shipping",
        _do(lambda: _held(HoldAction.SHIP), Ship(line_id="1", quantity=D(5))),
    ),
    Scenario("a rejection without a reason", lambda: Trail().to_review().do(Reject())),
    Scenario(
        "cancelling after shipping",
        _do(lambda: _approved().ship_line("1", 4), Cancel(requested_by=Party.CUSTOMER)),
    ),
    Scenario("expiring too early", lambda: Trail().to_review().do(Expire())),
    Scenario("an amendment changing nothing", _do(_approved, AmendOrder())),
    Scenario(
        "an amendment below what is packed",
        _do(lambda: _packed(8), AmendOrder(quantities=(("1", D(5)),))),
    ),
    Scenario(
        "an amendment adding a line id twice",
        _do(_approved, AmendOrder(new_lines=(make_line("1"),))),
    ),
    Scenario(
        "a header amendment pricing an unknown line",
        _do(
            _approved,
            AmendHeader(requested_by=Party.SELLER, unit_prices=(("9", _cny("3.00")),)),
        ),
    ),
    Scenario(
        "a re-promise before receipt",
        _do(
            _approved,
            Repromise(
                promised_delivery_at=AT - timedelta(days=900),
                requested_by=Party.CUSTOMER,
                reason="customer asked",
            ),
        ),
    ),
    Scenario("an unknown line", _do(_approved, Allocate(line_id="9", quantity=D(1)))),
    Scenario(
        "releasing packed allocation",
        _do(lambda: _packed(8), ReleaseAllocation(line_id="1", quantity=D(9), reason="stock")),
    ),
    Scenario("shipping without allocation", _do(_approved, Ship(line_id="1", quantity=D(5)))),
    Scenario(
        "shipping before the advance",
        _do(
            lambda: _packed(10, terms=PaymentTerms.net(30, advance_share="0.5")),
            Ship(line_id="1", quantity=D(10)),
        ),
    ),
    Scenario(
        "delivering goods on a shipment",
        _do(lambda: _dispatched(5), Deliver(line_id="1", quantity=D(5))),
    ),
    Scenario(
        "short-closing everything",
        _do(
            lambda: _approved(lines=[make_line("1")]),
            ShortClose(line_id="1", quantity=D(10), requested_by=Party.CUSTOMER),
        ),
    ),
    Scenario(
        "unit billing on an order billed in money",
        _do(_in_money, Invoice(line_id="1", quantity=D(1))),
    ),
    Scenario(
        "an invoice id used twice",
        _do(_in_money, IssueInvoice(invoice_id="INV-1", lines=(("1", D(1)),))),
    ),
    Scenario(
        "billing in money after units",
        _do(
            lambda: _then(_approved().deliver_line("1", 10), Invoice(line_id="1", quantity=D(10))),
            IssueInvoice(invoice_id="INV-1", lines=(("1", D(10)),)),
        ),
    ),
    Scenario(
        "invoicing more than is billable",
        _do(_approved, IssueInvoice(invoice_id="INV-1", lines=(("1", D(11)),))),
    ),
    Scenario(
        "a hold blocking invoicing",
        _do(
            lambda: _held(HoldAction.INVOICE),
            IssueInvoice(invoice_id="INV-1", lines=(("1", D(1)),)),
        ),
    ),
    Scenario(
        "crediting more than the invoice bills",
        _do(
            _in_money,
            IssueCreditNote(credit_note_id="CN-1", invoice_id="INV-1", lines=(("1", D(12)),)),
        ),
    ),
    Scenario(
        "a payment above the order",
        _do(_approved, ReceivePayment(payment_id="P-1", amount=_cny("60.00"))),
    ),
    Scenario(
        "a refund of more than was paid",
        _do(_approved, IssueRefund(refund_id="R-1", amount=_cny("5.00"), reason="goodwill")),
    ),
    Scenario(
        "a shipment planned before receipt",
        _do(
            lambda: _packed(5),
            Dispatch(
                shipment_id="DN-1",
                lines=(("1", D(5)),),
                planned_delivery_at=RECEIVED - timedelta(days=3),
            ),
        ),
    ),
    Scenario(
        "a replacement for an unknown case",
        _do(
            lambda: _packed(5),
            Dispatch(shipment_id="DN-R1", lines=(("1", D(1)),), case_id="RMA-9"),
        ),
    ),
    Scenario(
        "dispatching unallocated goods",
        _do(_approved, Dispatch(shipment_id="DN-1", lines=(("1", D(5)),))),
    ),
    Scenario(
        "transit of an unknown shipment",
        _do(lambda: _dispatched(5), RecordTransit(shipment_id="DN-9")),
    ),
    Scenario(
        "confirming more than is out",
        _do(lambda: _dispatched(5), ConfirmDelivery(shipment_id="DN-1", lines=(("1", D(6)),))),
    ),
    Scenario(
        "a hold blocking a delivery",
        _do(
            lambda: _then(
                _dispatched(5),
                PlaceHold(
                    hold_id="H-2", hold_reason=HoldReason.QUALITY, blocks=(HoldAction.DELIVER,)
                ),
            ),
            ConfirmDelivery(shipment_id="DN-1"),
        ),
    ),
    Scenario(
        "a backorder beyond the open quantity",
        _do(
            _approved,
            Backorder(line_id="1", quantity=D(11), expected_at=AT + timedelta(days=5)),
        ),
    ),
    Scenario(
        "splitting off more than a line has",
        lambda: split(Trail().order, (("1", D(11)),), new_order_id="SO-1-B", at=AT, actor=CLERK),
    ),
    Scenario(
        "merging an order on hold",
        lambda: merge(
            Trail().order,
            (
                _then(
                    Trail(make_order(order_id="SO-2")),
                    PlaceHold(hold_id="H-3", hold_reason=HoldReason.STOCK),
                ).order,
            ),
            at=AT,
            actor=CLERK,
        ),
    ),
    Scenario(
        "taking in a line id the order has",
        _do(Trail, TakeLines(source_order_id="SO-2", new_lines=(make_line("1"),))),
    ),
    Scenario(
        "a hold id used twice",
        _do(
            lambda: _then(Trail(), PlaceHold(hold_id="H-1", hold_reason=HoldReason.RISK)),
            PlaceHold(hold_id="H-1", hold_reason=HoldReason.RISK),
        ),
    ),
    Scenario("releasing an unknown hold", _do(Trail, ReleaseHold(hold_id="H-9", reason="cleared"))),
    Scenario(
        "releasing a hold without the authority",
        lambda: apply(
            _then(Trail(), PlaceHold(hold_id="H-1", hold_reason=HoldReason.CREDIT)).order,
            ReleaseHold(hold_id="H-1", reason="customer paid"),
            at=AT,
            actor=CLERK,
            policy=AUTHORITY,
        ),
    ),
    Scenario(
        "a return of more than was delivered",
        _do(
            lambda: _approved().deliver_line("1", 10),
            OpenCase(case_id="RMA-1", kind=CaseKind.RETURN, line_id="1", quantity=D(11)),
        ),
    ),
    Scenario(
        "feedback twice",
        _do(lambda: _then(_fulfilled(), RecordFeedback(score=4)), RecordFeedback(score=5)),
    ),
    Scenario("closing unsettled", _do(_fulfilled, Close())),
    Scenario(
        "reopening without the authority",
        lambda: apply(
            _closed().order, Reopen(reason="late return"), at=AT, actor=CLERK, policy=AUTHORITY
        ),
    ),
    Scenario(
        "a command dated before the last change",
        lambda: apply(Trail().order, Submit(), at=AT - timedelta(hours=1), actor=CLERK),
    ),
    Scenario(
        "a trail started before receipt",
        lambda: create(make_order(), at=RECEIVED - timedelta(days=1), actor=CLERK),
    ),
    Scenario(
        "advancing an unknown case",
        _do(
            lambda: _approved().deliver_line("1", 10),
            AdvanceCase(case_id="RMA-9", action=CaseAction.APPROVE),
        ),
    ),
    Scenario(
        "investigating without a root cause",
        _do(
            lambda: _then(
                _approved().deliver_line("1", 10),
                OpenCase(case_id="K-1", kind=CaseKind.COMPLAINT, line_id="1", quantity=D(0)),
            ),
            AdvanceCase(case_id="K-1", action=CaseAction.INVESTIGATE),
        ),
    ),
    Scenario(
        "a disposition before the goods are back",
        _do(
            lambda: _then(
                _approved().deliver_line("1", 10),
                OpenCase(case_id="RMA-1", kind=CaseKind.RETURN, line_id="1", quantity=D(2)),
            ),
            AdvanceCase(case_id="RMA-1", action=CaseAction.APPROVE, disposition=Disposition.SCRAP),
        ),
    ),
    Scenario(
        "a refund step before the credit note",
        _do(_received_return, AdvanceCase(case_id="RMA-1", action=CaseAction.REFUND)),
    ),
)


@pytest.fixture(scope="module")
def refusals() -> dict[str, GuardRejected]:
    """Every scenario's refusal, made once."""
    made = {}
    for scenario in SCENARIOS:
        with pytest.raises(GuardRejected) as caught:
            scenario.refuse()
        made[scenario.name] = caught.value
    return made


NAMES = [scenario.name for scenario in SCENARIOS]


def test_every_guard_and_check_of_the_lifecycle_refused_in_a_scenario(
    refusals: dict[str, GuardRejected],
) -> None:
    refused = {error.guard for error in refusals.values()}
    assert refused == CANONICAL_GUARDS | APPLY_CHECKS


@pytest.mark.parametrize("name", NAMES)
def test_the_chinese_reason_is_chinese(refusals: dict[str, GuardRejected], name: str) -> None:
    (zh,) = refusals[name].reasons_zh
    assert CJK.search(zh), zh
    assert not english_words(zh), zh
    assert not RAW_PYTHON.search(zh), zh


@pytest.mark.parametrize("name", NAMES)
def test_the_chinese_reason_gives_the_facts_of_the_english(
    refusals: dict[str, GuardRejected], name: str
) -> None:
    error = refusals[name]
    (en,) = error.reasons
    (zh,) = error.reasons_zh
    assert facts(en) <= facts(zh), (en, zh)


@pytest.mark.parametrize("name", NAMES)
def test_the_chinese_message_names_the_order_the_command_and_the_guard(
    refusals: dict[str, GuardRejected], name: str
) -> None:
    error = refusals[name]
    command = label(("CommandName", error.command), "zh")
    assert error.message("zh") == (
        f"无法对订单 {error.order_id} 执行「{command}」：{error.guard} 拒绝：{error.reasons_zh[0]}"
    )
    assert (
        error.message("en")
        == str(error)
        == (
            f"cannot {error.command} order {error.order_id}: {error.guard} refused: {error.reasons[0]}"
        )
    )


def test_the_facts_are_ids_quantities_amounts_and_dates() -> None:
    text = "shipment 'DN-9': line 1 has 4.5, not 12.50 CNY, at 2026-03-03T09:00:00+00:00."
    assert facts(text) == {"'DN-9'", "1", "4.5", "12.50", "CNY", "2026-03-03T09:00:00+00:00"}


def test_most_refusals_name_facts(refusals: dict[str, GuardRejected]) -> None:
    # A few refusals name nothing but the command ("reject needs a reason").
    named = [name for name, error in refusals.items() if facts(error.reasons[0])]
    assert len(named) >= len(refusals) - 8


MODEL_CHECKS = [
    pytest.param(
        AmendOrder(requested_delivery_at=RECEIVED - timedelta(days=2)),
        "要求交期（requested_delivery_at）2026-02-28 09:30:00+00:00 早于订单接收时间",
        id="a date before receipt",
    ),
    pytest.param(
        AmendOrder(new_lines=(make_line("3", unit_price=Money.of("1", "USD")),)),
        "lines[2] 的单价币种为 USD，订单币种为 CNY；一张订单只能使用一种币种",
        id="a line in another currency",
    ),
    pytest.param(
        AmendOrder(new_lines=(make_line("3", requested_delivery_at=RECEIVED - timedelta(1)),)),
        "lines[2] 的要求交期（requested_delivery_at）2026-03-01 09:30:00+00:00 早于",
        id="a line's date before receipt",
    ),
    pytest.param(
        AmendHeader(requested_by=Party.SELLER, unit_prices=(("1", Money.of("1", "USD")),)),
        "lines[0] 的单价币种为 USD",
        id="a price in another currency",
    ),
]


@pytest.mark.parametrize(("command", "expected"), MODEL_CHECKS)
def test_the_order_models_checks_read_in_chinese(command: Command, expected: str) -> None:
    with pytest.raises(GuardRejected) as caught:
        _approved().do(command)
    (en,) = caught.value.reasons
    (zh,) = caught.value.reasons_zh
    assert zh.startswith("订单校验未通过：")
    assert expected in zh
    assert not english_words(zh), zh
    assert facts(en) <= facts(zh), (en, zh)


def test_an_amount_beyond_the_limit_reads_in_chinese() -> None:
    with pytest.raises(ValidationError) as caught:
        make_line(quantity=D(10**9), unit_price=_cny("100000000"))
    assert validation_refusal(caught.value, "too much").zh == (
        "订单校验未通过：金额超出范围：100000000000000000.00 的绝对值超出上限 100000000000000；"
        "不做舍入"
    )


def test_a_model_check_without_a_chinese_text_shows_its_english() -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(int).validate_python("x")
    reason = validation_refusal(caught.value, "x: not a number")
    assert reason == "x: not a number"
    assert (
        reason.zh
        == "订单校验未通过：Input should be a valid integer, unable to parse string as an integer"
    )


def test_a_hold_refusal_reads_as_the_order_desk_says_it() -> None:
    with pytest.raises(GuardRejected) as caught:
        _held(HoldAction.SHIP).do(Ship(line_id="1", quantity=D(5)))
    assert caught.value.reasons == (
        "hold H-1 (credit, on the order) blocks ship; release it first",
    )
    assert caught.value.message("zh") == (
        "无法对订单 SO-1 执行「发货」：not_held 拒绝：冻结 H-1（信用，整单）阻止发货，请先解除"
    )


def test_a_refused_line_of_a_dispatch_keeps_its_chinese_through_the_line_by_line_guard() -> None:
    with pytest.raises(GuardRejected) as caught:
        _approved().do(Dispatch(shipment_id="DN-1", lines=(("1", D(5)),)))
    assert caught.value.guard == "lines_shippable"
    assert caught.value.reasons_zh == ("第 1 行：发货 5 须先分配；已分配 0，已发货 0",)


def test_several_closing_problems_are_joined_in_each_language() -> None:
    with pytest.raises(GuardRejected) as caught:
        _fulfilled().do(Close())
    (en,) = caught.value.reasons
    (zh,) = caught.value.reasons_zh
    assert en.count("; ") == zh.count("；") == 2  # two lines to invoice, feedback missing


def test_a_failed_review_shows_its_issues_in_chinese() -> None:
    with pytest.raises(GuardRejected) as caught:
        _failed_review()
    (zh,) = caught.value.reasons_zh
    assert zh.startswith("审核未通过：")
    assert "[credit.blocked]" in zh


def test_a_host_guard_returning_plain_text_falls_back_to_english() -> None:
    def four_eyes(_order: object, _command: object, _context: object) -> str | None:
        return "a second approver is needed"

    spec = extend(guards={"approve": [four_eyes]})
    trail = Trail().to_review()
    with pytest.raises(GuardRejected) as caught:
        apply(
            trail.order,
            Approve(verdict=Verdict("SO-1", trail.order.version)),
            at=AT,
            actor=CLERK,
            spec=spec,
        )
    assert caught.value.reasons == caught.value.reasons_zh == ("a second approver is needed",)
    assert caught.value.message("zh") == (
        "无法对订单 SO-1 执行「审核通过」：four_eyes 拒绝：a second approver is needed"
    )


def test_the_conditions_of_derived_transitions_refuse_in_both_languages() -> None:
    trail = Trail()
    context = GuardContext(AT, CLERK, LifecyclePolicy(), trail.order)
    derived = [guard for row in TABLE if row.derived for guard in row.guards]
    reasons = [guard(trail.order, Submit(), context) for guard in derived]
    assert all(isinstance(reason, Refusal) for reason in reasons)
    for reason in reasons:
        assert CJK.search(zh_of(reason))
        assert not english_words(zh_of(reason))
    assert amendment_worsened(trail.order, Submit(), context) == "not an amendment"


def test_a_refusal_is_immutable_and_survives_a_copy() -> None:
    import copy  # noqa: PLC0415
    import pickle  # noqa: PLC0415

    reason = Refusal("hold H-1 is active", "冻结 H-1 仍有效")
    assert reason == "hold H-1 is active"
    assert type(str(reason)) is str
    for again in (copy.copy(reason), pickle.loads(pickle.dumps(reason))):  # noqa: S301 - our own bytes
        assert (again, again.zh) == (reason, reason.zh)
    with pytest.raises(AttributeError):
        reason.zh = "x"


def test_an_authority_refusal_names_the_actor_their_roles_and_who_may() -> None:
    trail = _then(Trail(), PlaceHold(hold_id="H-1", hold_reason=HoldReason.CREDIT))
    with pytest.raises(GuardRejected) as caught:
        apply(
            trail.order,
            ReleaseHold(hold_id="H-1", reason="customer paid"),
            at=AT,
            actor=Actor.user("li.wei"),
            policy=AUTHORITY,
        )
    (zh,) = caught.value.reasons_zh
    assert zh == (
        "user:li.wei（角色：sales_clerk）无权解除冻结（信用），订单金额 50.00 CNY；"
        "有权限的是：credit_manager，最高 50000"
    )


# ---------------------------------------------------------------- every refusal site, read


_GUARD_MODULES = ("guards", "billing", "header", "split", "authority", "apply")


def _bare_texts(tree: ast.AST) -> list[int]:
    """Lines where a refusal is written as a bare English text instead of a `Refusal`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _refuses(node):
            found += [
                n.lineno for n in ast.walk(node) if isinstance(n, ast.Return) and _is_text(n.value)
            ]
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in {"append", "ValueError"}:
                found += [arg.lineno for arg in node.args if _is_text(arg)]
            if name == "GuardRejected" and len(node.args) > 2:
                reasons = node.args[2]
                if isinstance(reasons, ast.List | ast.Tuple):
                    found += [r.lineno for r in reasons.elts if _is_text(r)]
    return found


def _refuses(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    returns = ast.unparse(function.returns) if function.returns else ""
    guard = returns == "str | None" and len(function.args.args) == 3
    return guard or "Refusal" in returns


def _is_text(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BoolOp | ast.IfExp):
        parts = node.values if isinstance(node, ast.BoolOp) else [node.body, node.orelse]
        return any(_is_text(part) for part in parts)
    return isinstance(node, ast.JoinedStr)


@pytest.mark.parametrize("module", _GUARD_MODULES)
def test_no_refusal_site_writes_english_only(module: str) -> None:
    source = Path(importlib.import_module(f"ordercore.lifecycle.{module}").__file__ or "")
    assert not _bare_texts(ast.parse(source.read_text(encoding="utf-8"))), module


def test_the_reading_of_refusal_sites_finds_a_bare_text() -> None:
    source = """
def guard(order, command, context) -> str | None:
    if order:
        return refusal("no", "不")
    return f"order {order} refused"
problems.append(f"line {x} is short")
"""
    assert _bare_texts(ast.parse(source)) == [5, 6]
