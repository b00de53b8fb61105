"""Hypothesis strategies for ordercore's values.

Decimal strategies are explicit (finite, bounded, with the places the entities accept), so
generated values are always valid and shrink to small, readable examples: a failing test
ends up showing an order of one line of quantity 1 at price 0.01, not a 40-digit number.

`orders` and `lines` take a strategy for any field of their entity
(``orders(channel=st.just(Channel.WEB))``). Importing this module registers the entity
strategies with hypothesis, so ``st.from_type(Order)`` (and `st.builds` of anything with an
`Order` argument) draws from `orders()`; likewise `OrderLine`, `CustomerRef`, `Money`,
`CustomerProfile` and `ReviewContext`.

Examples:
    >>> from hypothesis import given
    >>> @given(orders())
    ... def test_total_is_never_negative(order):
    ...     assert order.total.amount >= 0
    >>> test_total_is_never_negative()
    >>> from hypothesis import settings
    >>> @settings(max_examples=20)
    ... @given(st.from_type(Order))
    ... def test_registered_orders_are_drafts(order):
    ...     assert order.status.value == "draft"
    >>> test_registered_orders_are_drafts()
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

from hypothesis import strategies as st

from ordercore.aftersales import CaseAction, CaseKind, RepairTerms
from ordercore.context import CustomerProfile, ReviewContext
from ordercore.events import Party
from ordercore.holds import HoldReason
from ordercore.lifecycle import (
    AdvanceCase,
    AmendOrder,
    Archive,
    Cancel,
    Close,
    Command,
    Expire,
    MergeInto,
    OpenCase,
    PlaceHold,
    RecordCheckpoint,
    RecordFeedback,
    RecordRiskAssessment,
    Reject,
    ReleaseHold,
    ShortClose,
    StartReview,
    Submit,
    WaiveFeedback,
)
from ordercore.lifecycle.table import MOVEMENTS
from ordercore.money import Money
from ordercore.orders import CustomerRef, Order, OrderLine
from ordercore.status import Channel
from ordercore.testing._drawn import Drawn, field_strategies
from ordercore.testing.factories import make_customer_profile, make_review_context
from ordercore.testing.walks import APPROVE, Step, drive

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "APPROVE",
    "command_sequences",
    "commands",
    "currencies",
    "customer_profiles",
    "customers",
    "drive",
    "ids",
    "lines",
    "money",
    "orders",
    "prices",
    "quantities",
    "review_contexts",
    "steps",
    "timestamps",
]

_EPOCH: Final = datetime(2026, 1, 1, tzinfo=UTC)
_COMMON_CURRENCIES: Final = ("CNY", "USD", "EUR", "JPY", "GBP", "KWD")


def ids(prefix: str = "") -> st.SearchStrategy[str]:
    """Valid identifiers: printable, 1 to 64 characters, no surrounding space."""
    body = st.text(
        alphabet=st.characters(codec="utf-8", categories=("L", "N"), include_characters="-_/."),
        min_size=1,
        max_size=64 - len(prefix),
    )
    return body.map(lambda text: prefix + text)


def currencies() -> st.SearchStrategy[str]:
    """A few common ISO 4217 codes, including zero- and three-decimal ones (JPY, KWD)."""
    return st.sampled_from(_COMMON_CURRENCIES)


def quantities(
    min_value: Decimal = Decimal(1), max_value: Decimal = Decimal(10000), places: int = 0
) -> st.SearchStrategy[Decimal]:
    """Finite decimal quantities between the bounds, with at most `places` decimals."""
    return st.decimals(
        min_value=min_value,
        max_value=max_value,
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


def prices(max_value: Decimal = Decimal(100000)) -> st.SearchStrategy[Decimal]:
    """Positive unit prices with two decimals, 0.01 to `max_value` (no prices in the billions)."""
    return st.decimals(
        min_value=Decimal("0.01"),
        max_value=max_value,
        places=2,
        allow_nan=False,
        allow_infinity=False,
    )


def money(currency: str | None = None) -> st.SearchStrategy[Money]:
    """Positive amounts in `currency` (or a common currency)."""
    codes = st.just(currency) if currency else currencies()
    return st.builds(lambda amount, code: Money(amount=amount, currency=code), prices(), codes)


def timestamps(
    start: datetime = _EPOCH, span: timedelta = timedelta(days=730)
) -> st.SearchStrategy[datetime]:
    """Aware UTC datetimes within `span` after `start`, to the second."""
    return st.integers(min_value=0, max_value=int(span.total_seconds())).map(
        lambda seconds: start + timedelta(seconds=seconds)
    )


def customers() -> st.SearchStrategy[CustomerRef]:
    """Customer references with short ids and names (Latin or CJK)."""
    names = (
        st.text(
            alphabet=st.sampled_from("ABCDEFGHJKLMNPRSTUVWXYZ华东机械电子科技有限公司 "),
            min_size=1,
            max_size=30,
        )
        .map(str.strip)
        .filter(bool)
    )
    return st.builds(
        lambda number, name: CustomerRef(customer_id=f"C-{number}", name=name),
        st.integers(min_value=1, max_value=9999),
        names,
    )


@st.composite
def _lines(
    draw: st.DrawFn,
    currency: str | st.SearchStrategy[str],
    line_id: str | None,
    fields: Mapping[str, st.SearchStrategy[Any]],
) -> OrderLine:
    drawn = Drawn(draw, fields)
    if line_id is not None:
        drawn.pick("line_id", st.just(line_id))
    drawn.pick("line_id", st.integers(min_value=1, max_value=999).map(str))
    drawn.pick("sku", st.integers(min_value=1, max_value=500).map(lambda n: f"SKU-{n}"))
    drawn.pick("quantity", quantities())
    drawn.pick("uom", st.just("pcs"))
    codes = currency if isinstance(currency, st.SearchStrategy) else st.just(currency)
    drawn.pick("unit_price", st.builds(lambda a, c: Money(amount=a, currency=c), prices(), codes))
    drawn.pick("discount_rate", st.sampled_from([Decimal(0), Decimal("0.05"), Decimal("0.1")]))
    drawn.pick("tax_rate", st.sampled_from([Decimal(0), Decimal("0.06"), Decimal("0.13")]))
    return OrderLine(**drawn.values)


def lines(
    currency: str | st.SearchStrategy[str] = "CNY",
    line_id: str | None = None,
    **fields: st.SearchStrategy[Any],
) -> st.SearchStrategy[OrderLine]:
    """Valid order lines in `currency`; any field can come from a strategy of your own.

    Args:
        currency: The unit price's currency, or a strategy for it (unless you draw
            `unit_price`).
        line_id: A fixed line id (default: ``"1"`` to ``"999"``).
        **fields: A strategy for any `OrderLine` field, used instead of the default one:
            ``lines(quantity=st.just(Decimal(3)), sku=st.sampled_from(["BOLT", "NUT"]))``.

    Raises:
        InvalidArgument: For a name that is no `OrderLine` field, or a value that is not a
            strategy (wrap a fixed value in `st.just`).
    """
    return _lines(currency, line_id, field_strategies("lines", OrderLine, fields))


@st.composite
def _orders(
    draw: st.DrawFn,
    max_lines: int,
    currency: str | st.SearchStrategy[str] | None,
    fields: Mapping[str, st.SearchStrategy[Any]],
) -> Order:
    drawn = Drawn(draw, fields)
    own_lines = drawn.values.get("lines")
    if currency is not None:
        codes = currency if isinstance(currency, st.SearchStrategy) else st.just(currency)
        code = drawn.pick("currency", codes)
    elif own_lines:
        code = drawn.pick("currency", st.just(own_lines[0].unit_price.currency))
    else:
        code = drawn.pick("currency", currencies())
    if not drawn.has("lines"):
        count = draw(st.integers(min_value=1, max_value=max_lines))
        drawn.values["lines"] = tuple(
            draw(lines(currency=code, line_id=str(n + 1))) for n in range(count)
        )
    drawn.pick("order_id", st.integers(min_value=1, max_value=10**6).map(lambda n: f"SO-{n}"))
    drawn.pick("customer", customers())
    channel = Channel(drawn.pick("channel", st.sampled_from(list(Channel))))
    received = drawn.pick("received_at", timestamps())
    drawn.pick(
        "requested_delivery_at",
        st.integers(min_value=0, max_value=60).map(lambda days: received + timedelta(days=days)),
    )
    if channel in (Channel.PHONE, Channel.FAX):
        drawn.pick("confirmation_ref", st.just("CONF-1"))
    return Order(**drawn.values)


def orders(
    max_lines: int = 5,
    currency: str | st.SearchStrategy[str] | None = None,
    **fields: st.SearchStrategy[Any],
) -> st.SearchStrategy[Order]:
    """Valid draft orders with 1 to `max_lines` lines in one currency, composable per field.

    Every `Order` field can come from a strategy of your own instead of the default one, and
    the defaults that depend on it follow: lines you draw set the order's currency, a phone
    or fax `channel` gets a confirmation reference, the requested delivery comes after your
    `received_at`.

    Args:
        max_lines: The most lines a default order has (ignored when you draw `lines`).
        currency: The currency of the order and its default lines, or a strategy for it
            (default: the currency of lines you draw, else a common currency).
        **fields: A strategy for any `Order` field, for example
            ``orders(channel=st.just(Channel.WEB), lines=st.lists(lines(), min_size=1,
            max_size=3, unique_by=lambda line: line.line_id))``. Drawn lines need distinct
            line ids, and one currency, as any order does.

    Raises:
        InvalidArgument: For a name that is no `Order` field, or a value that is not a
            strategy (wrap a fixed value in `st.just`).

    Examples:
        >>> from hypothesis import given, settings
        >>> @settings(max_examples=20)
        ... @given(orders(channel=st.just(Channel.FAX)))
        ... def test_fax_orders_carry_a_confirmation(order):
        ...     assert order.confirmation_ref
        >>> test_fax_orders_carry_a_confirmation()
    """
    return _orders(max_lines, currency, field_strategies("orders", Order, fields))


_MOVES: Final = tuple(
    row.command_class for row in MOVEMENTS.values() if row.command_class is not None
)


def commands(
    line_ids: tuple[str, ...] = ("1", "2", "9"), max_quantity: int = 12
) -> st.SearchStrategy[Command | Literal["approve"]]:
    """Any lifecycle command (or the `APPROVE` marker), valid or not for a given order.

    Line ids include one the factory orders do not have (``"9"``), so sequences exercise
    refusals as well as the paths of the machine. Every command is a valid value (quantities
    from 1): building a command with a bad field raises `InvalidCommand` before `apply`.
    """
    line = st.sampled_from(line_ids)
    quantity = st.integers(min_value=1, max_value=max_quantity).map(Decimal)
    fixed: list[Command | Literal["approve"]] = [
        Submit(),
        StartReview(),
        APPROVE,
        Reject(reason="refused in a generated sequence"),
        Cancel(requested_by=Party.CUSTOMER),
        Cancel(requested_by=Party.SELLER),
        Expire(),
        Close(),
        Archive(),
        WaiveFeedback(reason="generated"),
        RecordFeedback(score=5),
        RecordRiskAssessment(score=70, level="high", recommendation="hold", policy_version="1"),
        RecordCheckpoint(checkpoint="second_approval"),
        MergeInto(target_order_id="SO-T", reason="merged in a generated sequence"),
    ]
    return st.one_of(
        st.sampled_from(fixed),
        st.builds(
            # a reason on every movement, for the ones that need one (a release)
            lambda cls, line_id, q: cls(line_id=line_id, quantity=q, reason="generated"),
            st.sampled_from(tuple(m for m in _MOVES if m is not ShortClose)),
            line,
            quantity,
        ),
        st.builds(
            lambda line_id, q, party: ShortClose(line_id=line_id, quantity=q, requested_by=party),
            line,
            quantity,
            st.sampled_from(Party),
        ),
        st.builds(lambda line_id, q: AmendOrder(quantities=((line_id, q),)), line, quantity),
        st.builds(
            lambda hold_id, reason: PlaceHold(hold_id=hold_id, hold_reason=reason),
            st.sampled_from(["A", "B"]),
            st.sampled_from(list(HoldReason)),
        ),
        st.builds(
            lambda hold_id: ReleaseHold(hold_id=hold_id, reason="generated"),
            st.sampled_from(["A", "B"]),
        ),
        st.builds(
            lambda case_id, kind, line_id, q: OpenCase(
                case_id=case_id,
                kind=kind,
                line_id=line_id,
                quantity=q,
                repair_terms=RepairTerms.WARRANTY if kind is CaseKind.REPAIR else None,
            ),
            st.sampled_from(["C1", "C2"]),
            st.sampled_from(list(CaseKind)),
            line,
            quantity,
        ),
        st.builds(
            lambda case_id, action: AdvanceCase(case_id=case_id, action=action),
            st.sampled_from(["C1", "C2"]),
            st.sampled_from(list(CaseAction)),
        ),
    )


def steps() -> st.SearchStrategy[Step]:
    """Walk steps: three in four move the order forward, the rest take any allowed command.

    The clock moves by 0 hours to 31 days at each step.
    """
    return st.builds(
        Step,
        progress=st.integers(min_value=0, max_value=3).map(bool),
        pick=st.integers(min_value=0, max_value=40),
        line=st.integers(min_value=0, max_value=8),
        amount=st.integers(min_value=0, max_value=12),
        hours=st.sampled_from([0, 0, 1, 8, 24, 24 * 31]),
        passing=st.integers(min_value=0, max_value=9).map(bool),
    )


def command_sequences(
    max_size: int = 40, line_ids: tuple[str, ...] = ("1", "2", "9"), min_size: int = 0
) -> st.SearchStrategy[list[Command | Step | Literal["approve"]]]:
    """Walks for `drive`: mostly `steps` (which fit the order), some raw `commands`.

    Walks of this strategy reach every status and every canonical event type (the test
    suite asserts it); raw commands mixed in exercise refusals. Shrinks towards short walks.
    """
    item: st.SearchStrategy[Command | Step | Literal["approve"]] = st.one_of(
        steps(), steps(), steps(), commands(line_ids)
    )
    return st.lists(item, min_size=min_size, max_size=max_size)


def customer_profiles(customer_id: str = "C-001") -> st.SearchStrategy[CustomerProfile]:
    """Customer credit snapshots from comfortable to blocked, with unknowns (`None`)."""
    amounts = st.one_of(
        st.none(), prices(Decimal(200000)).map(lambda a: Money(amount=a, currency="CNY"))
    )
    return st.builds(
        lambda limit, exposure, overdue_days, blocked, count: make_customer_profile(
            customer_id,
            credit_limit=limit,
            open_exposure=exposure,
            overdue_days=overdue_days,
            blocked=blocked,
            order_count=count,
        ),
        amounts,
        amounts,
        st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
        st.booleans(),
        st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
    )


def review_contexts(customers: int = 1) -> st.SearchStrategy[ReviewContext]:
    """Review contexts that the default rules accept, with varied credit positions.

    Built on `make_review_context` (factory products, prices, calendar and capacity) for
    customers ``C-001`` ...; each customer's limit, exposure, overdue days, blocked flag and
    history vary, unknowns included, and so does the moment of the review.
    """
    return st.builds(
        lambda as_of, profiles: make_review_context(as_of=as_of, customers=customers).model_copy(
            update={"customers": {p.customer_id: p for p in profiles}}
        ),
        timestamps(),
        st.tuples(*(customer_profiles(f"C-{n:03d}") for n in range(1, customers + 1))),
    )


def _register() -> None:
    """Make `st.from_type` (and `builds`) draw ordercore's entities from these strategies."""
    st.register_type_strategy(Order, lambda _: orders())
    st.register_type_strategy(OrderLine, lambda _: lines())
    st.register_type_strategy(CustomerRef, lambda _: customers())
    st.register_type_strategy(Money, lambda _: money())
    st.register_type_strategy(CustomerProfile, lambda _: customer_profiles())
    st.register_type_strategy(ReviewContext, lambda _: review_contexts())


# Registered on import, as hypothesis extensions do: importing this module (or enabling the
# pytest plugin, which imports it) is the opt-in. The functions build strategies lazily.
_register()
