"""ordercore's main job, end to end, on built-in synthetic data (`make demo`).

1. Orders arrive by phone, fax, web, EDI, e-mail and API and are reviewed (订单审核).
2. Every open order of a synthetic book is risk-scored; the riskiest are shown with reasons.
3. One order lives its whole life in the in-memory repository: review, risk, approval, a
   partial shipment, a hold, delivery, a return, a complaint, settlement, feedback, closing
   and archive; its event trail is printed.
4. The monthly KPI report (考核) and the monitoring alerts (监督) are printed as tables.
5. A KPI trend chart and the lifecycle diagram are written to the output folder
   ($ORDERCORE_OUTPUT, default ./output).
"""

from __future__ import annotations

import os
import time
import unicodedata
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from ordercore import Channel, Money, label
from ordercore.aftersales import CaseAction, CaseKind, ReturnCondition, RootCause
from ordercore.events import Actor
from ordercore.kpi import (
    HoldTooLong,
    PastDueNotShipped,
    StuckInStatus,
    alerts,
    generate,
    improvement_report,
    monthly_report,
    trail_frame,
)
from ordercore.lifecycle import (
    AdvanceCase,
    Allocate,
    Approve,
    Archive,
    Close,
    Command,
    Deliver,
    HoldReason,
    Invoice,
    OpenCase,
    Pack,
    PlaceHold,
    RecordFeedback,
    RecordPayment,
    ReleaseHold,
    Ship,
    StartReview,
    Submit,
    apply,
    create,
    replay,
)
from ordercore.lifecycle.diagram import mermaid
from ordercore.memory import InMemoryOrderRepository
from ordercore.risk import RiskContext, assess
from ordercore.risk.integration import apply_assessment
from ordercore.status import OrderStatus
from ordercore.testing.book import INJECTABLE, synthetic_book
from ordercore.testing.factories import (
    make_customer,
    make_line,
    make_order,
    make_review_context,
)
from ordercore.validation import review_many

OUTPUT = Path(os.environ.get("ORDERCORE_OUTPUT", "output"))


def section(title: str) -> None:
    """Print a section heading."""
    print(f"\n== {title} " + "=" * max(0, 76 - len(title)))


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(headers: list[str], rows: list[list[object]]) -> None:
    """Print rows as an aligned text table."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(_width(h), *(_width(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("  " + "  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print("  " + "  ".join("-" * w for w in widths))
    for row in cells:
        print("  " + "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())


def review_incoming() -> None:
    """Six orders from six channels, one of them a fax that fails credit and lead time."""
    section("1. Incoming orders, reviewed (订单接收 / 审核)")
    context = make_review_context(customers=6)
    tight = context.customers["C-005"].model_copy(
        update={"credit_limit": Money.of("3000", "CNY"), "open_exposure": Money.of("2950", "CNY")}
    )
    context = context.model_copy(update={"customers": {**context.customers, "C-005": tight}})
    received = context.as_of
    orders = [
        make_order(
            f"SO-NEW-{n}", customer=make_customer(f"C-{n:03d}"), channel=channel, lines=n % 3 + 1
        )
        for n, channel in enumerate(
            [Channel.PHONE, Channel.WEB, Channel.EDI, Channel.EMAIL, Channel.API], start=1
        )
    ]
    orders.insert(
        4,
        make_order(
            "SO-NEW-FAX",
            customer=make_customer("C-005"),
            channel=Channel.FAX,
            requested_delivery_at=received + timedelta(days=1),  # inside the 3-day lead time
            lines=[make_line("1", 3, quantity=Decimal(20))],
        ),
    )
    results = review_many(orders, context)
    rows = []
    for order, result in zip(orders, results, strict=True):
        verdict = "pass" if result.passed else "FAIL"
        first = [f"{i.code}" for i in result.issues][:3]
        rows.append(
            [
                order.order_id,
                label(order.channel),
                label(order.channel, "zh"),
                order.total,
                verdict,
                ", ".join(first) or "-",
            ]
        )
    table(["order", "channel", "渠道", "total", "review", "issues"], rows)
    failed = next(r for r in results if not r.passed)
    for issue in failed.issues:
        print(f"  {failed.order_id} {issue.severity.value:<7} {issue.path:<24} {issue.message_en}")
        print(f"  {'':{len(failed.order_id)}} {'':7} {'':24} {issue.message_zh}")


def score_book() -> None:
    """Risk-score the open orders of a synthetic book; show the riskiest with their reasons."""
    section("2. Risk assessment of every open order (风险评估)")
    book = synthetic_book(orders=400, seed=7)
    context = RiskContext.of(book.context.model_copy(update={"as_of": book.as_of}))
    open_orders = [
        o
        for o in book.orders
        if o.status
        not in (
            OrderStatus.CLOSED,
            OrderStatus.REJECTED,
            OrderStatus.CANCELLED,
            OrderStatus.EXPIRED,
        )
    ]
    scored = sorted(
        (assess(order, context, as_of=book.as_of) for order in open_orders),
        key=lambda a: (-a.score, a.order_id),
    )
    print(f"  {len(book.orders)} orders in the book, {len(open_orders)} open, scored online")
    rows = [
        [
            a.order_id,
            a.score,
            a.level.value,
            a.recommendation.value,
            f"{a.data_completeness}%",
            "; ".join(f"{r.reason} +{r.points}" for r in a.reasons[:3]) or "-",
        ]
        for a in scored[:6]
    ]
    table(["order", "score", "level", "action", "data", "top reasons"], rows)


def whole_life() -> None:
    """One order through its whole life, stored in the in-memory repository."""
    section("3. One order's whole life (处理 / 跟踪 / 交付 / 闭环)")
    repo = InMemoryOrderRepository()
    context = make_review_context()
    clerk, reviewer, wms = Actor.user("li.wei"), Actor.user("zhang.min"), Actor.integration("wms")
    order, events = create(
        make_order(
            "SO-2026-0042",
            channel=Channel.FAX,
            lines=[
                make_line("1", 0, quantity=Decimal(500)),
                make_line("2", 1, quantity=Decimal(500)),
            ],
        ),
        at=context.as_of,
        actor=clerk,
    )
    repo.add(order, events)
    clock = [context.as_of]

    def do(command: Command, actor: Actor, hours: float = 1) -> None:
        clock[0] += timedelta(hours=hours)
        current = repo.get(order.order_id)
        new, more = apply(current, command, at=clock[0], actor=actor)
        repo.save(new, expected_version=current.version, events=more)

    do(Submit(), clerk)
    do(StartReview(), reviewer)
    current = repo.get(order.order_id)
    assessment = assess(current, RiskContext.of(context), as_of=clock[0])
    new, more = apply_assessment(
        current, assessment, at=clock[0], actor=Actor.system("risk-engine")
    )
    repo.save(new, expected_version=current.version, events=more)
    verdict = review_many(
        [repo.get(order.order_id)], context.model_copy(update={"as_of": clock[0]})
    )[0]
    do(Approve(verdict=verdict), reviewer)
    for line_id in ("1", "2"):
        do(Allocate(line_id=line_id, quantity=Decimal(500)), wms, 4)
    do(Pack(line_id="1", quantity=Decimal(300)), wms)
    do(Ship(line_id="1", quantity=Decimal(300), reason="first truck"), wms)
    do(PlaceHold(hold_id="H-1", hold_reason=HoldReason.ADDRESS, note="dock moved"), clerk)
    do(ReleaseHold(hold_id="H-1", reason="new dock confirmed"), clerk, 5)
    do(Pack(line_id="1", quantity=Decimal(200)), wms)
    do(Pack(line_id="2", quantity=Decimal(500)), wms)
    do(Ship(line_id="1", quantity=Decimal(200)), wms)
    do(Ship(line_id="2", quantity=Decimal(500)), wms)
    for line_id in ("1", "2"):
        do(Deliver(line_id=line_id, quantity=Decimal(500)), Actor.integration("carrier"), 20)
        do(Invoice(line_id=line_id, quantity=Decimal(500)), clerk)
    do(
        OpenCase(
            case_id="RMA-1",
            kind=CaseKind.RETURN,
            line_id="2",
            quantity=Decimal(20),
            description="threads damaged",
        ),
        clerk,
        48,
    )
    do(AdvanceCase(case_id="RMA-1", action=CaseAction.APPROVE), clerk)
    do(
        AdvanceCase(
            case_id="RMA-1", action=CaseAction.RECEIVE, condition=ReturnCondition.DEFECTIVE
        ),
        wms,
        72,
    )
    do(AdvanceCase(case_id="RMA-1", action=CaseAction.REFUND), clerk)
    do(
        OpenCase(
            case_id="CMP-1", kind=CaseKind.COMPLAINT, line_id="2", description="late second truck"
        ),
        clerk,
    )
    do(
        AdvanceCase(case_id="CMP-1", action=CaseAction.INVESTIGATE, root_cause=RootCause.PACKAGING),
        clerk,
        24,
    )
    do(AdvanceCase(case_id="CMP-1", action=CaseAction.RESOLVE), clerk)
    for line in repo.get(order.order_id).lines:
        do(
            RecordPayment(line_id=line.line_id, quantity=line.ledger.invoiced - line.ledger.paid),
            Actor.integration("bank"),
            24 * 10,
        )
    do(RecordFeedback(score=4, comment="fast, one bad box"), clerk)
    do(Close(), clerk)
    do(Archive(), Actor.system("archiver"), 24 * 30)
    trail = repo.events(order.order_id)
    for event in trail:
        change = ", ".join(
            f"{k}: {event.before.get(k, '-')} -> {v}" for k, v in list(event.after.items())[:2]
        )
        print(
            f"  v{event.order_version:<3} {event.at:%m-%d %H:%M} {event.actor!s:<20} {event.type:<18} {change}"
        )
    final = repo.get(order.order_id)
    print(
        f"  {len(trail)} events; final status {label(final.status)} / {label(final.status, 'zh')}, archived={final.archived}"
    )
    print(f"  replaying the stored events rebuilds the stored order: {replay(trail) == final}")


def kpis() -> None:
    """The monthly report and monitoring alerts, and the files for the output folder."""
    section("4. Monthly KPI report (考核) on 60,000 generated orders")
    data = generate(60_000, seed=7, months=4)
    report = monthly_report(
        data.orders, surveys=data.surveys, errors=data.errors, as_of=data.as_of, tz="Asia/Shanghai"
    )
    print(report.to_markdown())
    section("5. Monitoring alerts (监督) on the synthetic book")
    book = synthetic_book(orders=400, seed=7)
    frames = book.frames()
    rules = [
        PastDueNotShipped(reference="requested_at"),
        StuckInStatus(status="under_review", sla_hours=24),
        HoldTooLong(limit_hours=48),
    ]
    found = alerts(frames["orders"], rules, as_of=book.as_of, tz="Asia/Shanghai")
    print(f"  {len(found)} alert(s) as of {book.as_of:%Y-%m-%d %H:%M} UTC")
    if len(found):
        print(found.head(8).round({"age_hours": 1}).to_string(index=False))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    chart = OUTPUT / "kpi_trend.png"
    report.plot(("on_time_rate", "otif_rate", "perfect_rate")).savefig(chart)
    diagram = OUTPUT / "lifecycle.mmd"
    diagram.write_text(mermaid() + "\n", encoding="utf-8")
    section("6. Files")
    print(f"  trend chart:       {chart}")
    print(f"  lifecycle diagram: {diagram} (Mermaid; paste into any Mermaid viewer)")


def improvement() -> None:
    """The month's causes and the policy checks that fail, on a book that breaks the policy."""
    section("7. Improvement: causes and conformance (原因分析 / 制度执行)")
    book = synthetic_book(orders=400, seed=7, violations=dict.fromkeys(INJECTABLE, 0.15))
    frames = book.frames()
    month = f"{book.as_of - timedelta(days=20):%Y-%m}"
    companion = improvement_report(
        frames["orders"],
        trail_frame(book.events),
        as_of=book.as_of,
        period=month,
        lines=frames["lines"],
        cases=frames["cases"],
    )
    for line in [*companion.headlines(), *companion.headlines("zh")]:
        print(f"  {line}")
    print(companion.causes.to_markdown())


def main() -> None:
    """Run every part of the demo."""
    started = time.perf_counter()
    review_incoming()
    score_book()
    whole_life()
    kpis()
    improvement()
    print(f"\ndone in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
