"""Rule sets: the default review and the way to build your own.

A [`RuleSet`][ordercore.validation.ruleset.RuleSet] is an ordered, immutable tuple of named
rules. [`DEFAULT_RULES`][ordercore.validation.ruleset.DEFAULT_RULES] is every built-in rule
with the parameters of [`default_rules`][ordercore.validation.ruleset.default_rules]; build a
variant with other parameters by calling `default_rules(...)`, drop rules by name with
`without`, add a host's rules with `plus`, swap one with `replacing`.

The default set needs a complete context: customer profiles, products, a price list, a
calendar and a capacity view. A rule whose snapshot is `None` raises `ConfigurationError`
naming itself; a host without, say, capacity data reviews with
``DEFAULT_RULES.without("promised_date_within_capacity")``.

Examples:
    >>> len(DEFAULT_RULES)
    22
    >>> custom = DEFAULT_RULES.without("promised_date_within_capacity", "no_duplicate_order")
    >>> len(custom), "no_duplicate_order" in custom
    (20, False)
    >>> default_rules(max_overdue_days=60)["overdue_within_limit"]
    overdue_within_limit(max_days=60, max_amount=Decimal('0'))
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs

from ordercore.errors import ConfigurationError
from ordercore.validation.capacity import promised_date_within_capacity
from ordercore.validation.channel import MANUAL_CHANNELS, confirmation_reference
from ordercore.validation.completeness import contact_complete, ship_to_complete
from ordercore.validation.credit import (
    credit_limit_respected,
    customer_known,
    customer_not_blocked,
    overdue_within_limit,
)
from ordercore.validation.dates import lead_time_respected, requested_date_not_in_past
from ordercore.validation.duplicates import DEFAULT_DUPLICATE_WINDOW, no_duplicate_order
from ordercore.validation.pricing import (
    currency_matches_customer,
    discount_within_limit,
    price_matches_list,
    totals_consistent,
)
from ordercore.validation.products import product_known, product_sellable, uom_matches_product
from ordercore.validation.quantities import (
    maximum_quantity,
    minimum_order_quantity,
    pack_multiple,
    positive_quantities,
)
from ordercore.validation.rules import Rule, RuleFunction, as_rule

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import timedelta

    from ordercore.status import Channel

__all__ = ["DEFAULT_RULES", "RuleSet", "default_rules"]


def _to_rules(rules: Iterable[Rule | RuleFunction]) -> tuple[Rule, ...]:
    return tuple(as_rule(r) for r in rules)


@attrs.frozen(slots=True, repr=False)
class RuleSet:
    """An ordered, immutable set of named rules.

    Attributes:
        rules: The rules, in the order they run (plain callables are wrapped in `Rule`).
        name: A name for reports (``"default"``).

    Raises:
        ConfigurationError: If two rules share a name.
    """

    rules: tuple[Rule, ...] = attrs.field(converter=_to_rules)
    name: str = "custom"
    _checks: tuple[tuple[str, RuleFunction], ...] = attrs.field(init=False, eq=False, repr=False)
    _names: tuple[str, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.name in seen:
                raise ConfigurationError(
                    f"two rules are named {rule.name!r}; give one of them another name "
                    "(Rule(name=..., check=...))",
                    component=f"rule set {self.name}",
                )
            seen.add(rule.name)
        object.__setattr__(self, "_checks", tuple((r.name, r.check) for r in self.rules))
        object.__setattr__(self, "_names", tuple(r.name for r in self.rules))

    @property
    def names(self) -> tuple[str, ...]:
        """The rules' names, in order."""
        return self._names

    @property
    def checks(self) -> tuple[tuple[str, RuleFunction], ...]:
        """``(name, check function)`` pairs, in order (what `review` runs)."""
        return self._checks

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __contains__(self, name: object) -> bool:
        return any(r.name == name for r in self.rules)

    def __getitem__(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(self._unknown(name))

    def __repr__(self) -> str:
        inner = ",\n".join(f"    {r!r}" for r in self.rules)
        return f"RuleSet({self.name!r}, [\n{inner}\n])"

    def _unknown(self, name: str) -> str:
        return f"rule set {self.name!r} has no rule {name!r}; it has: {', '.join(self.names)}"

    def without(self, *names: str) -> RuleSet:
        """A copy without the named rules.

        Raises:
            ConfigurationError: If a name is not in the set (a typo would otherwise keep
                the rule silently).
        """
        for name in names:
            if name not in self:
                raise ConfigurationError(self._unknown(name), component="RuleSet.without")
        return RuleSet(tuple(r for r in self.rules if r.name not in names), self.name)

    def plus(self, *rules: Rule | RuleFunction) -> RuleSet:
        """A copy with more rules at the end.

        Raises:
            ConfigurationError: If a name is already taken.
        """
        return RuleSet((*self.rules, *_to_rules(rules)), self.name)

    def replacing(self, rule: Rule) -> RuleSet:
        """A copy with the rule of the same name replaced by `rule`, in the same place.

        Raises:
            ConfigurationError: If the set has no rule of that name.
        """
        if rule.name not in self:
            raise ConfigurationError(self._unknown(rule.name), component="RuleSet.replacing")
        return RuleSet(tuple(rule if r.name == rule.name else r for r in self.rules), self.name)


def default_rules(
    *,
    price_tolerance: Decimal | None = None,
    max_discount_rate: Decimal | None = None,
    lead_time_buffer_days: int = 0,
    max_overdue_days: int = 30,
    max_overdue_amount: Decimal = Decimal(0),
    include_tax: bool = True,
    require_credit_limit: bool = False,
    duplicate_window: timedelta = DEFAULT_DUPLICATE_WINDOW,
    require_postal_code: bool = False,
    confirmation_channels: Iterable[Channel] = MANUAL_CHANNELS,
) -> RuleSet:
    """Every built-in rule, with these parameters (each default is documented on its rule).

    Args:
        price_tolerance: Relative price deviation accepted; `None`: the price list's.
        max_discount_rate: The largest line discount; `None`: the price list's.
        lead_time_buffer_days: Business days added to every product lead time.
        max_overdue_days: Days past due tolerated before the overdue check fails.
        max_overdue_amount: An overdue amount small enough to ignore.
        include_tax: Whether the credit check counts the order's gross (default) or net total.
        require_credit_limit: Whether a customer without a credit limit is an error.
        duplicate_window: How far apart two orders with the same lines count as duplicates.
        require_postal_code: Whether the delivery address needs a postal code.
        confirmation_channels: The channels whose orders need a confirmation reference.
    """
    return RuleSet(
        (
            customer_known(),
            customer_not_blocked(),
            credit_limit_respected(include_tax=include_tax, require_limit=require_credit_limit),
            overdue_within_limit(max_days=max_overdue_days, max_amount=max_overdue_amount),
            currency_matches_customer(),
            product_known(),
            product_sellable(),
            uom_matches_product(),
            positive_quantities(),
            minimum_order_quantity(),
            pack_multiple(),
            maximum_quantity(),
            price_matches_list(tolerance=price_tolerance),
            discount_within_limit(max_rate=max_discount_rate),
            totals_consistent(),
            requested_date_not_in_past(),
            lead_time_respected(buffer_days=lead_time_buffer_days),
            promised_date_within_capacity(),
            no_duplicate_order(window=duplicate_window),
            ship_to_complete(require_postal_code=require_postal_code),
            contact_complete(),
            confirmation_reference(channels=confirmation_channels),
        ),
        name="default",
    )


DEFAULT_RULES: Final = default_rules()
"""Every built-in rule with its default parameters (see `default_rules`)."""
