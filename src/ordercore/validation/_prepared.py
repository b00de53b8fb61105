"""Per-context precomputation shared by the built-in rules.

Reviewing many orders against one context should not redo per-context work per order: the
duplicate index, capacity prefix sums, the calendar's time zone and lead-time walks are
computed once per context, on first use, into a `Prepared` that `prepared` keeps in the
context's own ``_prepared`` slot. There is no cache beside the contexts: the precomputation
lives exactly as long as its context, and since a context is immutable all the way down it
cannot disagree with it. `Prepared` holds the context's parts, never the context itself, so
no reference cycle delays freeing a dropped context. A race between threads at worst
computes a `Prepared` twice (each is a pure function of the context).

Per order, one pass over the lines (`OrderFacts`) serves every built-in line rule;
`order_facts` keeps the facts of the last order asked about in the context's `Prepared`, so
the rules of one review share them.

Every sum, product and remainder here goes through the fixed `ARITHMETIC` context, never the
caller's decimal context: a review gives the same verdict under any precision, rounding or
traps the caller has set.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Context, Decimal, DecimalException, getcontext, setcontext
from operator import attrgetter
from typing import TYPE_CHECKING, Final, NamedTuple
from zoneinfo import ZoneInfo

from ordercore._base import ARITHMETIC, MAX_AMOUNT, MAX_QUANTITY, ROUNDING
from ordercore._duplicates import DuplicateKey, duplicate_key
from ordercore._exact import is_multiple
from ordercore.errors import AmountOutOfRange
from ordercore.money import minor_units
from ordercore.orders import line_net as _line_net
from ordercore.orders import line_tax, raw_net

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ordercore.context import BusinessCalendar, CapacityView, PriceList, Product, ReviewContext
    from ordercore.orders import Order, OrderLine

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_add = ARITHMETIC.add
_subtract = ARITHMETIC.subtract
_multiply = ARITHMETIC.multiply
_SCAN: Final = ARITHMETIC.copy()  # the decimal context of the `OrderFacts` loop
_FIXED_SPAN: Final = 1096  # days either side of as_of over which a fixed offset is checked
_QUANTA: dict[str, tuple[Decimal, Decimal]] = {}
_SKU: Final = attrgetter("sku")
_PLACES: Final = {6: Decimal("1E-6"), 8: Decimal("1E-8")}

_BySkus = dict[tuple[str, frozenset[str]], list[DuplicateKey]]
_ByPo = dict[tuple[str, str], list[DuplicateKey]]
_Spans = dict[str, tuple[datetime, datetime]]  # earliest and latest receipt by customer


class SkuTerms(NamedTuple):
    """What the line checks read of one SKU in a context (see `Prepared.sku_terms`)."""

    listed: Decimal | None
    """The list price amount; `None` when the price list does not list the SKU."""
    known: bool
    """Whether the product master has the SKU; the fields below are its product's."""
    sellable: bool = False
    uom: str = ""
    moq: Decimal | None = None
    pack_multiple: Decimal | None = None
    max_quantity: Decimal | None = None
    capacity_per_unit: Decimal = _ZERO
    lead_time_days: int = 0


_UNKNOWN_SKU: Final = SkuTerms(listed=None, known=False)


def quantum(currency: str) -> Decimal:
    """The minor unit of a currency as a `Decimal` step (cached)."""
    return _quanta(currency)[0]


def _quanta(currency: str) -> tuple[Decimal, Decimal]:
    """The minor unit of a currency and half of it (cached)."""
    found = _QUANTA.get(currency)
    if found is None:
        step = _ONE.scaleb(-minor_units(currency), ROUNDING)
        found = _QUANTA[currency] = (step, ARITHMETIC.divide(step, 2))
    return found


def exact_product(left: Decimal, right: Decimal) -> Decimal:
    """``left × right`` exactly, even when the operands have more digits than `ARITHMETIC`.

    Examples:
        >>> exact_product(Decimal("0." + "3" * 70), Decimal(3)) == Decimal("0." + "9" * 70)
        True
    """
    try:
        return _multiply(left, right)
    except DecimalException:
        digits = len(left.as_tuple().digits) + len(right.as_tuple().digits)
        return Context(prec=digits, Emax=ARITHMETIC.Emax, Emin=ARITHMETIC.Emin).multiply(
            left, right
        )


def _out_of_range(line: OrderLine, per_unit: Decimal) -> AmountOutOfRange:
    """The error for a line whose numbers leave the entity limits (built without validation).

    Within the limits every product and sum of `OrderFacts` fits `ARITHMETIC` exactly, so
    one of the operands is outside them; the first such is named.
    """
    what = f"review line {line.line_id}"
    for value, limit, places in (
        (line.quantity, MAX_QUANTITY, 6),
        (line.ledger.cancelled, MAX_QUANTITY, 6),
        (line.unit_price.amount, MAX_AMOUNT, 8),
        (line.discount_rate, _ONE, 6),
        (line.tax_rate, _ONE, 6),
        (per_unit, MAX_QUANTITY, 6),
    ):
        if (
            not value.is_finite()
            or value.copy_abs() > limit
            or ROUNDING.quantize(value, _PLACES[places]) != value
        ):
            return AmountOutOfRange(what, value, limit, places)
    return AmountOutOfRange(what, line.quantity, MAX_QUANTITY, 6)  # pragma: no cover


def line_net(line: OrderLine, step: Decimal) -> Decimal:
    """A line's rounded net amount: `ordercore.orders.line_net`, as `OrderLine.net_amount`."""
    return _line_net(line.open_quantity, line.unit_price.amount, line.discount_rate, step)


def order_gross(order: Order) -> Decimal:
    """The order's gross total, exactly as `Order.total` computes it, without building Money."""
    step = quantum(order.currency)
    total = _ZERO
    for line in order.lines:
        net = _line_net(line.open_quantity, line.unit_price.amount, line.discount_rate, step)
        total = _add(total, net)
        if line.tax_rate:
            total = _add(total, line_tax(net, line.tax_rate, step))
    return total


def raw_amounts(order: Order) -> tuple[tuple[Decimal, ...], Decimal]:
    """Unrounded line nets (open quantity × price × (1 − discount)) and the unrounded gross."""
    nets = []
    gross = _ZERO
    for line in order.lines:
        raw = raw_net(line.open_quantity, line.unit_price.amount, line.discount_rate)
        nets.append(raw)
        tax = line.tax_rate
        gross = _add(gross, _add(raw, _multiply(raw, tax)) if tax else raw)
    return tuple(nets), gross


def gross_upper_bound(order: Order, raw_gross: Decimal | None = None) -> Decimal:
    """An amount the exact gross total cannot exceed, computed without rounding.

    Each line's net is rounded by at most half a minor unit, its tax by at most half a unit
    plus the tax on the net's rounding; two minor units per line bound it all.
    """
    if raw_gross is None:
        raw_gross = raw_amounts(order)[1]
    return _add(raw_gross, _multiply(2 * len(order.lines), quantum(order.currency)))


class OrderFacts:
    """What one pass over an order's lines finds, shared by the built-in rules.

    Get it with `order_facts`, which makes it once for all the rules of a review.

    Attributes:
        order: The order the facts are about.
        step: The minor unit of the order's currency (`quantum`).
        failures: Failing line positions by check (``"unknown"``, ``"not_sellable"``,
            ``"uom"``, ``"below_moq"``, ``"not_pack"``, ``"above_max"``, ``"not_positive"``);
            empty when every line passes every check.
        nothing_open: Whether every line is fully cancelled.
        tiny: The positions of the lines whose unrounded net (open quantity × price ×
            (1 − discount)) is at most half a minor unit: half-even rounding takes an amount
            to zero exactly then.
        gross_bound: An amount the exact gross total cannot exceed (see `gross_upper_bound`).
        capacity: Capacity the open quantities need (known products only).
        max_discount: The largest line discount rate.
        order_lead: The longest product lead time among the known-product lines without a
            requested date of their own (-1 when there is none).
        dated: ``(position, requested moment, lead time)`` of the known-product lines with a
            requested date of their own.

    Lines whose price differs from the context's price list, or that it does not list, are
    under ``"price"`` in `failures` (only when the context has a price list).
    """

    __slots__ = (
        "capacity",
        "dated",
        "failures",
        "gross_bound",
        "max_discount",
        "nothing_open",
        "order",
        "order_lead",
        "step",
        "tiny",
    )

    def __init__(self, order: Order, helper: Prepared) -> None:  # noqa: C901, PLR0912, PLR0915 - one pass over the lines on purpose: it is the hot loop of a review
        # No reference back to the helper or the context: the helper keeps these facts,
        # and a cycle through them would keep a dropped context's parts alive until the
        # garbage collector runs.
        self.order = order
        check_prices = helper.price_list is not None
        terms_of = helper.sku_terms
        table = helper.known_skus
        zero = _ZERO
        failures: dict[str, list[int]] = {}
        lines = order.lines
        step, half = _quanta(order.currency)
        tiny: list[int] = []
        gross = zero
        capacity = zero
        max_discount = zero
        order_lead = -1
        dated: list[tuple[int, datetime, int]] = []
        anything_open = False
        # The loop's operators compute in a copy of `ARITHMETIC`, made the thread's decimal
        # context for the loop only: operators are about half the cost of context method
        # calls, and `localcontext` would copy a context per order.
        caller = getcontext()
        setcontext(_SCAN)
        try:
            for index, line in enumerate(lines):
                quantity = line.quantity
                price = line.unit_price.amount
                cancelled = line.ledger.cancelled
                discount = line.discount_rate
                tax = line.tax_rate
                try:
                    open_quantity = quantity - cancelled if cancelled else quantity
                    raw = open_quantity * price
                    if discount:
                        raw *= _ONE - discount
                    gross += raw + raw * tax if tax else raw
                except DecimalException:
                    raise _out_of_range(line, _ZERO) from None
                if discount > max_discount:  # noqa: PLR1730 - max() would cost a call per line
                    max_discount = discount
                if raw <= half:
                    tiny.append(index)
                if quantity <= zero:
                    failures.setdefault("not_positive", []).append(index)
                elif open_quantity > zero:
                    anything_open = True
                sku = line.sku
                terms = table.get(sku)
                if terms is None:
                    terms = terms_of(sku)
                listed, known, sellable, uom, moq, pack, most, per_unit, lead = terms
                if check_prices and (listed is None or listed != price):
                    failures.setdefault("price", []).append(index)
                if not known:
                    failures.setdefault("unknown", []).append(index)
                    continue
                if not sellable:
                    failures.setdefault("not_sellable", []).append(index)
                if uom != line.uom:
                    failures.setdefault("uom", []).append(index)
                if moq is not None and quantity < moq:
                    failures.setdefault("below_moq", []).append(index)
                if pack is not None:
                    try:
                        off_pack = bool(quantity % pack)
                    except DecimalException:  # a pack size of absurdly many digits
                        off_pack = not is_multiple(quantity, pack)
                    if off_pack:
                        failures.setdefault("not_pack", []).append(index)
                if most is not None and quantity > most:
                    failures.setdefault("above_max", []).append(index)
                if per_unit:
                    try:
                        capacity += open_quantity * per_unit
                    except DecimalException:
                        raise _out_of_range(line, per_unit) from None
                requested = line.requested_delivery_at
                if requested is not None:
                    dated.append((index, requested, lead))
                elif lead > order_lead:
                    order_lead = lead
        finally:
            setcontext(caller)
        self.step = step
        self.failures = failures
        self.nothing_open = not anything_open and "not_positive" not in failures
        self.tiny = tiny
        self.gross_bound = gross_upper_bound(order, gross)
        self.capacity = capacity
        self.max_discount = max_discount
        self.order_lead = order_lead
        self.dated = dated


def _fixed_offset(tz: tzinfo, around: datetime) -> tuple[timedelta, datetime, datetime] | None:
    """The zone's UTC offset if it is the same every day for three years either side.

    Most business time zones (Asia/Shanghai among them) have no daylight saving time; for
    them a timestamp's local day is one addition away, which is much cheaper than
    `astimezone`. Zones with transitions in the window return `None`.
    """
    start = around.astimezone(UTC).replace(tzinfo=None) - timedelta(days=_FIXED_SPAN)
    offset = tz.utcoffset(start)
    if offset is None:
        return None
    for day in range(1, 2 * _FIXED_SPAN + 1):
        if tz.utcoffset(start + timedelta(days=day)) != offset:
            return None
    # One day of margin at each end: a sample is a wall time, not an instant.
    low = (start + timedelta(days=1)).replace(tzinfo=UTC)
    high = (start + timedelta(days=2 * _FIXED_SPAN - 1)).replace(tzinfo=UTC)
    return offset, low, high


class Prepared:
    """What the built-in rules compute once per context (get it with `prepared`).

    It keeps the parts of the context it reads (`price_list`, the products and the recent
    orders), not the context: the context holds its `Prepared`, and a reference back would
    make a cycle.
    """

    __slots__ = (
        "_capacity",
        "_days",
        "_earliest",
        "_facts",
        "_fixed",
        "_free",
        "_products",
        "_recent",
        "_recent_orders",
        "_tz",
        "_utc",
        "known_skus",
        "price_list",
        "today",
    )

    def __init__(self, context: ReviewContext) -> None:
        self.price_list: PriceList | None = context.price_list
        """The context's price list."""
        self._products: Mapping[str, Product] = context.products
        self._recent_orders: tuple[Order, ...] = context.recent_orders
        self._facts: OrderFacts | None = None
        self._earliest: dict[tuple[date, int], date] = {}
        self._free: dict[date, Decimal] = {}
        self.known_skus: dict[str, SkuTerms] = {}
        """`sku_terms` of the SKUs asked about so far that the products or prices list."""
        # Memos are replaced whole (one tuple), never in parts: a thread switch between two
        # assignments must not pair one order's days with another order.
        self._recent: tuple[_BySkus, _ByPo, _Spans] | None = None
        self._days: tuple[Order, tuple[date, date | None, date | None]] | None = None
        self._capacity: tuple[list[date], list[Decimal]] | None = None
        calendar = context.calendar
        # Without a calendar the rules that need days raise before asking; UTC keeps the
        # helper from ever falling back to the machine's local time zone.
        self._tz: tzinfo = UTC if calendar is None else ZoneInfo(calendar.timezone)
        self._utc = calendar is None or calendar.timezone == "UTC"
        self._fixed = None if self._utc else _fixed_offset(self._tz, context.as_of)
        self.today = self.local_date(context.as_of)
        """The review day (`as_of` in the calendar's time zone)."""

    def sku_terms(self, sku: str) -> SkuTerms:
        """A SKU's list price amount and product terms, memoised in `known_skus`.

        Only SKUs of the product master or the price list are kept, so the memo never
        outgrows the context; an unknown SKU is looked up again each time.
        """
        terms = self.known_skus.get(sku)
        if terms is not None:
            return terms
        price_list = self.price_list
        listed = None if price_list is None else price_list.prices.get(sku)
        product = self._products.get(sku)
        if product is not None:
            terms = SkuTerms(
                None if listed is None else listed.amount,
                known=True,
                sellable=product.sellable,
                uom=product.uom,
                moq=product.moq,
                pack_multiple=product.pack_multiple,
                max_quantity=product.max_quantity,
                capacity_per_unit=product.capacity_per_unit,
                lead_time_days=product.lead_time_days,
            )
        elif listed is not None:
            terms = SkuTerms(listed.amount, known=False)
        else:
            return _UNKNOWN_SKU
        self.known_skus[sku] = terms
        return terms

    def local_date(self, moment: datetime) -> date:
        """The calendar day of a timestamp in the context calendar's time zone."""
        if moment.tzinfo is UTC:
            if self._utc:
                return moment.date()
            fixed = self._fixed
            if fixed is not None and fixed[1] <= moment <= fixed[2]:
                return (moment + fixed[0]).date()
        return moment.astimezone(self._tz).date()

    def earliest(self, calendar: BusinessCalendar, start: date, days: int) -> date:
        """`calendar.add_business_days(start, days)`, memoised for this context."""
        key = (start, days)
        found = self._earliest.get(key)
        if found is None:
            found = self._earliest[key] = calendar.add_business_days(start, days)
        return found

    def _index(self) -> tuple[_BySkus, _ByPo, _Spans]:
        recent = self._recent
        if recent is None:
            by_skus: _BySkus = {}
            by_po: _ByPo = {}
            spans: _Spans = {}
            for other in self._recent_orders:
                skus = frozenset(map(_SKU, other.lines))
                entry = duplicate_key(other)
                customer_id, received, po = entry.customer_id, entry.received_at, entry.customer_po
                by_skus.setdefault((customer_id, skus), []).append(entry)
                if po is not None:
                    by_po.setdefault((customer_id, po), []).append(entry)
                span = spans.get(customer_id)
                spans[customer_id] = (
                    (received, received)
                    if span is None
                    else (min(span[0], received), max(span[1], received))
                )
            recent = self._recent = (by_skus, by_po, spans)
        return recent

    def recent_within(self, customer_id: str, received: datetime, window: timedelta) -> bool:
        """Whether the customer may have a recent order received within `window` of `received`.

        `False` only when none can be: every recent order of the customer was received more
        than `window` before or after, judged by the earliest and the latest of them.
        """
        span = self._index()[2].get(customer_id)
        return span is not None and received - span[1] <= window and span[0] - received <= window

    def recent_same_skus(self, order: Order) -> list[DuplicateKey]:
        """Recent orders of the order's customer with exactly its set of SKUs."""
        key = (order.customer.customer_id, frozenset(map(_SKU, order.lines)))
        return self._index()[0].get(key, [])

    def recent_same_po(self, customer_id: str, customer_po: str) -> list[DuplicateKey]:
        """Recent orders of a customer carrying this purchase-order number."""
        return self._index()[1].get((customer_id, customer_po), [])

    def order_days(self, order: Order) -> tuple[date, date | None, date | None]:
        """Received, requested and promised days of an order (memoised for the last order)."""
        memo = self._days
        if memo is not None and memo[0] is order:
            return memo[1]
        requested = order.requested_delivery_at
        promised = order.promised_delivery_at
        days = (
            self.local_date(order.received_at),
            None if requested is None else self.local_date(requested),
            None if promised is None else self.local_date(promised),
        )
        self._days = (order, days)
        return days

    def free_capacity(self, capacity: CapacityView, start: date, end: date) -> Decimal:
        """Free capacity summed over the days start..end, both included."""
        table = self._capacity
        if table is None:
            days = sorted(capacity.free)
            sums = [_ZERO]
            for day in days:
                sums.append(_add(sums[-1], capacity.free[day]))
            table = self._capacity = (days, sums)
        days, sums = table
        return _subtract(sums[bisect_right(days, end)], sums[bisect_left(days, start)])

    def free_until(self, capacity: CapacityView, end: date) -> Decimal:
        """Free capacity from the review day to `end`, both included (memoised by day)."""
        free = self._free.get(end)
        if free is None:
            start = self.today
            free = self._free[end] = (
                self.free_capacity(capacity, start, end) if end >= start else _ZERO
            )
        return free


def prepared(context: ReviewContext) -> Prepared:
    """The precomputed helpers of a context: made on first use, then kept with the context."""
    helper: Prepared | None = getattr(context, "_prepared", None)  # the slot kept for us
    if helper is None:
        helper = Prepared(context)
        # A slot, not a field: the frozen model refuses attribute assignment by design.
        object.__setattr__(context, "_prepared", helper)
    return helper


def order_facts(order: Order, context: ReviewContext) -> OrderFacts:
    """The line facts of an order, memoised for the last order asked about per context.

    Every built-in line rule reads them, so one pass over the lines serves them all.
    """
    helper = prepared(context)
    facts = helper._facts  # noqa: SLF001 - the memo belongs to this module
    if facts is None or facts.order is not order:
        facts = helper._facts = OrderFacts(order, helper)  # noqa: SLF001 - as above
    return facts
