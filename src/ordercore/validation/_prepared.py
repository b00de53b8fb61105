"""Per-context precomputation shared by the built-in rules.

Reviewing many orders against one context should not redo per-context work per order: the
duplicate index, capacity prefix sums, the calendar's time zone and lead-time walks are
computed once per context and kept in a small cache keyed by the context's identity (the
cache holds the context, so an identity cannot be reused while cached). The cache is a pure
memo of deterministic values: a race between threads at worst computes an entry twice.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from ordercore.money import minor_units

if TYPE_CHECKING:
    from ordercore.context import BusinessCalendar, CapacityView, ReviewContext
    from ordercore.orders import Order, OrderLine

_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_MAX_CACHED: Final = 8
_FIXED_SPAN: Final = 1096  # days either side of as_of over which a fixed offset is checked
_QUANTA: dict[str, Decimal] = {}

Signature = tuple[tuple[str, Decimal, str], ...]
RecentEntry = tuple[str, datetime, Signature, str | None]
_BySkus = dict[tuple[str, frozenset[str]], list[RecentEntry]]
_ByPo = dict[tuple[str, str], list[RecentEntry]]


def quantum(currency: str) -> Decimal:
    """The minor unit of a currency as a `Decimal` step (cached)."""
    step = _QUANTA.get(currency)
    if step is None:
        step = _QUANTA[currency] = _ONE.scaleb(-minor_units(currency))
    return step


def line_net(line: OrderLine, step: Decimal) -> Decimal:
    """A line's rounded net amount, exactly as `OrderLine.net_amount` computes it."""
    ledger = line.ledger
    quantity = line.quantity - ledger.cancelled if ledger.cancelled else line.quantity
    discount = line.discount_rate
    raw = quantity * line.unit_price.amount
    if discount:
        raw *= _ONE - discount
    return raw.quantize(step, rounding=ROUND_HALF_EVEN)


def order_gross(order: Order) -> Decimal:
    """The order's gross total, exactly as `Order.total` computes it, without building Money."""
    step = quantum(order.currency)
    total = _ZERO
    for line in order.lines:
        net = line_net(line, step)
        total += net
        if line.tax_rate:
            total += (net * line.tax_rate).quantize(step, rounding=ROUND_HALF_EVEN)
    return total


def raw_amounts(order: Order) -> tuple[tuple[Decimal, ...], Decimal]:
    """Unrounded line nets (open quantity × price × (1 − discount)) and the unrounded gross."""
    nets = []
    gross = _ZERO
    for line in order.lines:
        ledger = line.ledger
        quantity = line.quantity - ledger.cancelled if ledger.cancelled else line.quantity
        raw = quantity * line.unit_price.amount
        if line.discount_rate:
            raw *= _ONE - line.discount_rate
        nets.append(raw)
        gross += raw + raw * line.tax_rate if line.tax_rate else raw
    return tuple(nets), gross


def gross_upper_bound(order: Order, raw_gross: Decimal | None = None) -> Decimal:
    """An amount the exact gross total cannot exceed, computed without rounding.

    Each line's net is rounded by at most half a minor unit, its tax by at most half a unit
    plus the tax on the net's rounding; two minor units per line bound it all.
    """
    if raw_gross is None:
        raw_gross = raw_amounts(order)[1]
    return raw_gross + 2 * len(order.lines) * quantum(order.currency)


def signature(order: Order) -> Signature:
    """The order's lines as a sorted tuple of (sku, quantity, uom), for duplicate checks."""
    return tuple(sorted((line.sku, line.quantity, line.uom) for line in order.lines))


class OrderFacts:
    """What one pass over an order's lines finds, shared by the built-in rules.

    Attributes:
        failures: Failing line positions by check (``"unknown"``, ``"not_sellable"``,
            ``"uom"``, ``"below_moq"``, ``"not_pack"``, ``"above_max"``, ``"not_positive"``),
            or `None` when every line passes every check.
        nothing_open: Whether every line is fully cancelled.
        nets: Unrounded line nets (open quantity × price × (1 − discount)).
        gross: The unrounded gross total.
        capacity: Capacity the open quantities need (known products only).
        max_discount: The largest line discount rate.
        order_lead: The longest product lead time among the known-product lines without a
            requested date of their own (-1 when there is none).
        dated: ``(position, lead time)`` of the known-product lines with their own date.

    Lines whose price differs from the context's price list, or that it does not list, are
    under ``"price"`` in `failures` (only when the context has a price list).
    """

    __slots__ = (
        "capacity",
        "dated",
        "failures",
        "gross",
        "max_discount",
        "nets",
        "nothing_open",
        "order_lead",
    )

    def __init__(self, order: Order, context: ReviewContext) -> None:  # noqa: C901, PLR0912, PLR0915 - one pass over the lines on purpose: it is the hot loop of a review
        products = context.products
        price_list = context.price_list
        prices = None if price_list is None else price_list.prices
        failures: list[tuple[str, int]] = []
        fail = failures.append
        nets = []
        gross = _ZERO
        capacity = _ZERO
        max_discount = _ZERO
        order_lead = -1
        dated: list[tuple[int, int]] = []
        anything_open = False
        for index, line in enumerate(order.lines):
            quantity = line.quantity
            cancelled = line.ledger.cancelled
            open_quantity = quantity - cancelled if cancelled else quantity
            raw = open_quantity * line.unit_price.amount
            discount = line.discount_rate
            if discount:
                raw *= _ONE - discount
                max_discount = max(max_discount, discount)
            nets.append(raw)
            tax = line.tax_rate
            gross += raw + raw * tax if tax else raw
            if quantity <= 0:
                fail(("not_positive", index))
            elif open_quantity > 0:
                anything_open = True
            sku = line.sku
            if prices is not None:
                listed = prices.get(sku)
                if listed is None or listed.amount != line.unit_price.amount:
                    fail(("price", index))
            product = products.get(sku)
            if product is None:
                fail(("unknown", index))
                continue
            if not product.sellable:
                fail(("not_sellable", index))
            if product.uom != line.uom:
                fail(("uom", index))
            limit = product.moq
            if limit is not None and quantity < limit:
                fail(("below_moq", index))
            limit = product.pack_multiple
            if limit is not None and quantity % limit:
                fail(("not_pack", index))
            limit = product.max_quantity
            if limit is not None and quantity > limit:
                fail(("above_max", index))
            limit = product.capacity_per_unit
            if limit:
                capacity += open_quantity * limit
            lead = product.lead_time_days
            if line.requested_delivery_at is not None:
                dated.append((index, lead))
            elif lead > order_lead:
                order_lead = lead
        grouped: dict[str, list[int]] | None = None
        if failures:
            grouped = {}
            for kind, index in failures:
                grouped.setdefault(kind, []).append(index)
        self.failures = grouped
        self.nothing_open = not anything_open and not (grouped and "not_positive" in grouped)
        self.nets = nets
        self.gross = gross
        self.capacity = capacity
        self.max_discount = max_discount
        self.order_lead = order_lead
        self.dated = dated

    def failing(self, kind: str) -> list[int]:
        """The positions of the lines failing one check (empty when none)."""
        failures = self.failures
        if failures is None:
            return []
        return failures.get(kind, [])


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
    """What the built-in rules compute once per context."""

    __slots__ = (
        "_capacity",
        "_days",
        "_earliest",
        "_facts",
        "_fixed",
        "_recent",
        "_tz",
        "_utc",
        "context",
        "today",
    )

    def __init__(self, context: ReviewContext) -> None:
        self.context = context
        self._earliest: dict[tuple[date, int], date] = {}
        # Memos are replaced whole (one tuple), never in parts: a thread switch between two
        # assignments must not pair one order's facts with another order.
        self._recent: tuple[_BySkus, _ByPo] | None = None
        self._facts: tuple[Order, OrderFacts] | None = None
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

    def _index(self) -> tuple[_BySkus, _ByPo]:
        recent = self._recent
        if recent is None:
            by_skus: _BySkus = {}
            by_po: _ByPo = {}
            for other in self.context.recent_orders:
                skus = frozenset(line.sku for line in other.lines)
                customer_id = other.customer.customer_id
                entry = (other.order_id, other.received_at, signature(other), other.customer_po)
                by_skus.setdefault((customer_id, skus), []).append(entry)
                if other.customer_po:
                    by_po.setdefault((customer_id, other.customer_po), []).append(entry)
            recent = self._recent = (by_skus, by_po)
        return recent

    def recent_same_skus(self, order: Order) -> list[RecentEntry]:
        """Recent orders of the order's customer with exactly its set of SKUs."""
        key = (order.customer.customer_id, frozenset(line.sku for line in order.lines))
        return self._index()[0].get(key, [])

    def recent_same_po(self, customer_id: str, customer_po: str) -> list[RecentEntry]:
        """Recent orders of a customer carrying this purchase-order number."""
        return self._index()[1].get((customer_id, customer_po), [])

    def facts(self, order: Order) -> OrderFacts:
        """The line facts of an order, memoised for the last order asked about.

        Every built-in line rule reads them, so one pass over the lines serves them all.
        """
        memo = self._facts
        if memo is not None and memo[0] is order:
            return memo[1]
        facts = OrderFacts(order, self.context)
        self._facts = (order, facts)
        return facts

    def order_days(self, order: Order) -> tuple[date, date | None, date | None]:
        """Received, requested and promised days of an order (memoised like `facts`)."""
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
                sums.append(sums[-1] + capacity.free[day])
            table = self._capacity = (days, sums)
        days, sums = table
        return sums[bisect_right(days, end)] - sums[bisect_left(days, start)]


_CACHE: dict[int, Prepared] = {}
_LAST: list[Prepared] = []  # the most recent entry, checked first (one identity test)


def prepared(context: ReviewContext) -> Prepared:
    """The precomputed helpers of a context (made on first use, then reused)."""
    if _LAST:
        last = _LAST[-1]
        if last.context is context:
            return last
    found = _CACHE.get(id(context))
    if found is None or found.context is not context:
        if len(_CACHE) >= _MAX_CACHED:
            _CACHE.clear()
        found = _CACHE[id(context)] = Prepared(context)
    _LAST[:] = [found]
    return found
