"""The application service a host calls: load an order, apply a command, save it.

[`handle`][ordercore.service.handle] composes the three steps every host writes around
[`apply`][ordercore.lifecycle.apply] for any
[`OrderRepository`][ordercore.ports.OrderRepository]: it reads the order, decides, and saves
the new order with the version it read, so a concurrent change is never overwritten. It does
no I/O of its own: the repository does, and the time comes in as `at`.

Examples:
    >>> from ordercore.events import Actor
    >>> from ordercore.lifecycle import Submit, create
    >>> from ordercore.memory import InMemoryOrderRepository
    >>> from ordercore.testing.factories import make_order
    >>> repo, clerk = InMemoryOrderRepository(), Actor.user("ana")
    >>> entered, created = create(make_order("SO-1"), at=make_order().received_at, actor=clerk)
    >>> repo.add(entered, created)
    >>> order, events = handle(repo, "SO-1", Submit(), at=entered.received_at, actor=clerk)
    >>> order.status.value, [event.type for event in events], repo.get("SO-1").version
    ('submitted', ['order_submitted'], 1)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ordercore.errors import ConcurrencyConflict, InvalidArgument
from ordercore.lifecycle import CANONICAL, DEFAULT_POLICY, apply

if TYPE_CHECKING:
    from datetime import datetime

    from ordercore.events import Actor, OrderEvent
    from ordercore.lifecycle import Command, LifecyclePolicy, LifecycleSpec
    from ordercore.orders import Order
    from ordercore.ports import OrderRepository

__all__ = ["handle"]


def handle(
    repo: OrderRepository,
    order_id: str,
    command: Command,
    *,
    at: datetime,
    actor: Actor,
    retries: int = 0,
    policy: LifecyclePolicy = DEFAULT_POLICY,
    spec: LifecycleSpec = CANONICAL,
) -> tuple[Order, list[OrderEvent]]:
    """Load an order, apply one command, and save the result with the version read.

    When another writer saves the order between the load and the save, the repository raises
    `ConcurrencyConflict`. With `retries=n`, `handle` then reloads the order and decides
    again, up to `n` more times: the command is re-checked against the order as it is now,
    so a retry can also end in a refusal (`InvalidTransition`, `GuardRejected`). Refusals
    are never retried; they change nothing.

    Args:
        repo: Any repository.
        order_id: The order to change.
        command: The command to apply.
        at: When the command happens (aware datetime), the same on every attempt.
        actor: Who gives the command.
        retries: How many times to reload and retry after a conflict (0: none).
        policy: Passed to `apply`.
        spec: Passed to `apply`.

    Returns:
        The stored order and the events saved with it.

    Raises:
        OrderNotFound: If no such order is stored.
        ConcurrencyConflict: If the last attempt still met a concurrent change.
        InvalidArgument: If `retries` is not an int >= 0 (nothing is read).
        InvalidTransition: If the command is not allowed in the order's status (and the other
            refusals of `apply`); nothing is saved.

    Examples:
        >>> from ordercore.memory import InMemoryOrderRepository
        >>> handle(InMemoryOrderRepository(), "SO-1", None, at=None, actor=None, retries=-1)
        Traceback (most recent call last):
        ...
        ordercore.errors.InvalidArgument: handle(): retries must be an int >= 0, got -1
    """
    if type(retries) is not int or retries < 0:
        raise InvalidArgument("handle", "retries", f"must be an int >= 0, got {retries!r}")
    if not all(callable(getattr(repo, method, None)) for method in ("get", "save")):
        raise InvalidArgument(
            "handle", "repo", f"must be an OrderRepository, got {type(repo).__name__}"
        )
    attempt = 0
    while True:
        current = repo.get(order_id)
        new_order, events = apply(current, command, at=at, actor=actor, policy=policy, spec=spec)
        try:
            repo.save(new_order, expected_version=current.version, events=events)
        except ConcurrencyConflict:
            if attempt >= retries:
                raise
            attempt += 1
            continue
        return new_order, events
