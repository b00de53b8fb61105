"""The one error hierarchy of ordercore.

Every error ordercore raises on purpose is an [`OrderCoreError`][ordercore.errors.OrderCoreError]
and, at the same time, the builtin exception a Python caller would expect (`ValueError`,
`KeyError`, `TypeError`, `RuntimeError`), so code may catch either. Each error carries its
context as attributes and a stable `code` (a key of the label table, see
[`ordercore.labels`][ordercore.labels]) so that a host ERP can show it in English or Chinese.

Malformed input to an entity (a naive datetime, a float price, a duplicate line id) is refused
by pydantic while the entity is built and surfaces as `pydantic.ValidationError`, itself a
`ValueError`, whose error locations name the offending field.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, ClassVar

from ordercore._iso4217 import currency_hint
from ordercore._lang import is_zh
from ordercore._refusals import command_zh, zh_of
from ordercore.labels import label

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from decimal import Decimal

__all__ = [
    "AmountOutOfRange",
    "ConcurrencyConflict",
    "ConfigurationError",
    "CorruptRecord",
    "CurrencyMismatch",
    "FrameProblem",
    "FrameSchemaError",
    "GuardRejected",
    "InvalidArgument",
    "InvalidCommand",
    "InvalidTransition",
    "LedgerViolation",
    "OrderAlreadyExists",
    "OrderCoreError",
    "OrderNotFound",
    "TrailError",
    "UnknownCurrency",
    "UnsoundMachine",
    "UnsupportedBackend",
]


class OrderCoreError(Exception):
    """Base class of every error ordercore raises on purpose."""

    code: ClassVar[str] = "ordercore_error"


class UnknownCurrency(OrderCoreError, ValueError):
    """A currency code is not an active ISO 4217 code (codes are upper-case, three letters)."""

    code: ClassVar[str] = "unknown_currency"

    def __init__(self, currency: object) -> None:
        self.currency = currency
        super().__init__(f"unknown currency code {currency!r}{currency_hint(currency)}")


class CurrencyMismatch(OrderCoreError, ValueError):
    """Two amounts in different currencies were combined."""

    code: ClassVar[str] = "currency_mismatch"

    def __init__(self, left: str, right: str, operation: str) -> None:
        self.left = left
        self.right = right
        self.operation = operation
        super().__init__(
            f"cannot {operation} {left} and {right}: amounts in different currencies "
            "never mix; convert explicitly first"
        )


class LedgerViolation(OrderCoreError, ValueError):
    """A quantity movement would break a ledger invariant (e.g. ship more than was allocated)."""

    code: ClassVar[str] = "ledger_violation"

    def __init__(
        self,
        line_id: str,
        field: str,
        attempted: Decimal,
        limit: Decimal,
        limit_name: str,
    ) -> None:
        self.line_id = line_id
        self.field = field
        self.attempted = attempted
        self.limit = limit
        self.limit_name = limit_name
        if attempted < 0:
            message = f"line {line_id}: {field} would become {attempted}, below zero"
        else:
            message = (
                f"line {line_id}: {field} would become {attempted}, "
                f"more than {limit_name} ({limit})"
            )
        super().__init__(message)


class InvalidTransition(OrderCoreError, ValueError):
    """A command is not allowed in the order's current status."""

    code: ClassVar[str] = "invalid_transition"

    def __init__(
        self,
        command: str,
        status: str,
        allowed: Sequence[str],
        order_id: str | None = None,
        subject: str = "order",
    ) -> None:
        self.command = command
        self.status = status
        self.allowed = tuple(allowed)
        self.order_id = order_id
        self.subject = subject
        who = f"{subject} {order_id}" if order_id else subject
        allowed_text = ", ".join(self.allowed) if self.allowed else "nothing"
        super().__init__(f"cannot {command} {who} in status {status}; allowed: {allowed_text}")

    def message(self, lang: str = "en") -> str:
        """The refusal as one sentence, in English (``"en"``) or Chinese (``"zh"``).

        The Chinese names the command, the status and the allowed commands by their Chinese
        labels (a host's own names as they are).

        Examples:
            >>> InvalidTransition("ship", "submitted", ("start_review", "cancel"), "SO-7").message("zh")
            '订单 SO-7 处于「已提交」状态，不能执行「发货」；可执行：开始审核、取消订单'
            >>> InvalidTransition("close", "closed (archived)", (), "SO-7").message("zh")
            '订单 SO-7 处于「已关闭」（已归档）状态，不能执行「关闭订单」；可执行：无'

        Raises:
            ValueError: If the language is neither English nor Chinese.
        """
        if not is_zh(lang):
            return str(self)
        case = self.subject != "order"
        what = "售后单" if case else "订单"
        who = f"{what} {self.order_id}" if self.order_id else what
        name = _case_zh if case else command_zh
        allowed = "、".join(name(a) for a in self.allowed) or "无"
        return (
            f"{who} 处于{_state_zh(self.status, case=case)}状态，不能执行「{name(self.command)}」；"
            f"可执行：{allowed}"
        )


def _state_zh(status: str, *, case: bool) -> str:
    """「status」 by its Chinese label (a host's sub-state by its name), archived marked."""
    archived = status.endswith(" (archived)")
    state = status.removesuffix(" (archived)")
    try:
        text = label(("CaseStatus" if case else "OrderStatus", state), "zh")
    except KeyError:
        text = state
    return f"「{text}」" + ("（已归档）" if archived else "")


def _case_zh(action: str) -> str:
    try:
        return label(("CaseAction", action), "zh")
    except KeyError:
        return action


class GuardRejected(OrderCoreError, ValueError):
    """A command is allowed in the status but one of its guards refused it.

    The message and `reasons` are English; `reasons_zh` and `message("zh")` give the same
    refusal in Chinese. A reason that is a `Refusal` (every canonical guard's) carries its
    Chinese text; a host guard's plain `str` reason shows in English in both.

    Attributes:
        command: The command refused (``"ship"``).
        guard: The guard that refused it, by its code name (``"not_held"``), in both languages.
        reasons: Why, in English.
        reasons_zh: Why, in Chinese (the English where a reason has no Chinese text).
        order_id: The order, if known.

    Examples:
        >>> from ordercore.lifecycle.guards import Refusal
        >>> error = GuardRejected(
        ...     "ship", "not_held", [Refusal("hold H-1 blocks ship", "冻结 H-1 阻止发货")], "SO-1"
        ... )
        >>> error.message("zh")
        '无法对订单 SO-1 执行「发货」：not_held 拒绝：冻结 H-1 阻止发货'
        >>> error.message("en") == str(error)
        True
    """

    code: ClassVar[str] = "guard_rejected"

    def __init__(
        self,
        command: str,
        guard: str,
        reasons: Sequence[str],
        order_id: str | None = None,
    ) -> None:
        self.command = command
        self.guard = guard
        self.reasons = tuple(str(reason) for reason in reasons)
        self.reasons_zh = tuple(zh_of(reason) for reason in reasons)
        self.order_id = order_id
        who = f"order {order_id}" if order_id else "order"
        super().__init__(f"cannot {command} {who}: {guard} refused: " + "; ".join(self.reasons))

    def message(self, lang: str = "en") -> str:
        """The whole refusal as one sentence, in English (``"en"``) or Chinese (``"zh"``).

        The Chinese names the command by its Chinese label (a host's own command by its
        name) and keeps the guard's code name.

        Raises:
            ValueError: If the language is neither English nor Chinese.
        """
        if not is_zh(lang):
            return str(self)
        who = f"订单 {self.order_id} " if self.order_id else "订单"
        return f"无法对{who}执行「{command_zh(self.command)}」：{self.guard} 拒绝：" + "；".join(
            self.reasons_zh
        )


class InvalidCommand(OrderCoreError, ValueError):
    """A command was built with a bad field: it names the command and every field refused.

    Raised while the command is built (from Python or JSON), before anything is decided.

    Attributes:
        command: The command class name (``"PlaceHold"``).
        problems: ``(field path, message)`` for every field refused.
    """

    code: ClassVar[str] = "invalid_command"

    def __init__(self, command: str, problems: Sequence[tuple[str, str]]) -> None:
        self.command = command
        self.problems = tuple(problems)
        listing = "; ".join(f"{path or '(command)'}: {message}" for path, message in self.problems)
        super().__init__(f"invalid {command} command: {listing}")


class InvalidArgument(OrderCoreError, TypeError, ValueError):
    """A function of the public API was called with an argument it cannot take.

    `None`, a value of the wrong type, a naive or out-of-range datetime: the message names
    the function and the argument. It is both a `TypeError` and a `ValueError`, so callers
    may catch either.

    Attributes:
        function: The function called (``"apply"``).
        argument: The argument refused (``"at"``).
    """

    code: ClassVar[str] = "invalid_argument"

    def __init__(self, function: str, argument: str, problem: str) -> None:
        self.function = function
        self.argument = argument
        self.problem = problem
        super().__init__(f"{function}(): {argument} {problem}")


class TrailError(OrderCoreError, ValueError):
    """An event cannot follow the order or the trail it is folded into.

    Duplicated, missing, reordered or foreign events, or events that move time backwards:
    the message names the event and what was expected.

    Attributes:
        event_id: The event refused.
        order_id: The order whose trail it was folded into.
    """

    code: ClassVar[str] = "trail_error"

    def __init__(self, event_id: str, order_id: str, problem: str) -> None:
        self.event_id = event_id
        self.order_id = order_id
        self.problem = problem
        super().__init__(f"order {order_id}: event {event_id!r} cannot follow: {problem}")


class ConcurrencyConflict(OrderCoreError, RuntimeError):
    """A save carried a stale expected version: someone else saved the order first."""

    code: ClassVar[str] = "concurrency_conflict"

    def __init__(self, order_id: str, expected_version: int, actual_version: int | None) -> None:
        self.order_id = order_id
        self.expected_version = expected_version
        self.actual_version = actual_version
        actual = "absent" if actual_version is None else f"at version {actual_version}"
        super().__init__(
            f"order {order_id}: expected version {expected_version} but the stored order is "
            f"{actual}; reload it and apply the command again"
        )


class OrderNotFound(OrderCoreError, KeyError):
    """No order with this id is stored."""

    code: ClassVar[str] = "order_not_found"

    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        super().__init__(f"no order with id {order_id!r}")

    def __str__(self) -> str:
        # KeyError quotes its argument; a person should read the sentence as written.
        return str(self.args[0])


class OrderAlreadyExists(OrderCoreError, ValueError):
    """An order was added under an id that is already stored."""

    code: ClassVar[str] = "order_already_exists"

    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        super().__init__(
            f"order {order_id!r} is already stored; use save() with its expected version to "
            "change it"
        )


class CorruptRecord(OrderCoreError, ValueError):
    """A stored record could not be read back (bad JSON, a failed validation, a wrong id)."""

    code: ClassVar[str] = "corrupt_record"

    def __init__(self, kind: str, key: str, detail: str) -> None:
        self.kind = kind
        self.key = key
        self.detail = detail
        super().__init__(f"stored {kind} {key!r} cannot be read: {detail}")


class ConfigurationError(OrderCoreError, ValueError):
    """Something a rule, policy or calculator needs was not supplied or is inconsistent."""

    code: ClassVar[str] = "configuration_error"

    def __init__(self, message: str, *, component: str | None = None) -> None:
        self.component = component
        super().__init__(f"{component}: {message}" if component else message)


class UnsoundMachine(ConfigurationError):
    """A lifecycle specification fails a soundness check (unreachable or trap states, ...)."""

    code: ClassVar[str] = "unsound_machine"

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("lifecycle specification is not sound: " + "; ".join(self.problems))


@dataclasses.dataclass(frozen=True)
class FrameProblem:
    """One problem of a data frame: the column, what is wrong, how many rows, and some of them.

    Attributes:
        message: The sentence shown in the error (``"cancelled_by: 2 value(s) outside
            customer, seller, e.g. order_id=SO-3 (cancelled_by='Customer')"``).
        column: The column concerned (the key columns, comma-separated, for duplicate keys),
            or `None` for a problem of the frame as a whole.
        problem: What is wrong, in a few words (``"value outside customer, seller"``).
        count: How many rows (or keys) have the problem, when it is about rows.
        examples: A few of those rows: their key columns and the offending value.
    """

    message: str
    column: str | None = None
    problem: str = ""
    count: int | None = None
    examples: tuple[Mapping[str, object], ...] = ()

    def __str__(self) -> str:
        return self.message


class FrameSchemaError(OrderCoreError, ValueError):
    """A data frame does not match the canonical schema; lists every problem at once.

    Attributes:
        frame: The canonical frame (``orders``, ``lines``, ...).
        problems: One message per problem.
        details: The same problems as [`FrameProblem`][ordercore.errors.FrameProblem] values
            (column, problem, count, example rows).
        columns: The columns named by the problems, in order.
    """

    code: ClassVar[str] = "frame_schema_error"

    def __init__(self, frame: str, problems: Sequence[str | FrameProblem]) -> None:
        self.frame = frame
        self.details = tuple(
            p if isinstance(p, FrameProblem) else FrameProblem(p, problem=p) for p in problems
        )
        self.problems = tuple(p.message for p in self.details)
        self.columns = tuple(dict.fromkeys(p.column for p in self.details if p.column))
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{frame} frame has {len(self.problems)} problem(s):\n{listing}")


class UnsupportedBackend(OrderCoreError, TypeError):
    """A data frame of a library ordercore does not support was passed in."""

    code: ClassVar[str] = "unsupported_backend"

    def __init__(self, got: object, supported: Sequence[str]) -> None:
        self.got = type(got).__module__ + "." + type(got).__qualname__
        self.supported = tuple(supported)
        super().__init__(
            f"unsupported frame type {self.got}; supported: {', '.join(self.supported)}"
        )


class AmountOutOfRange(OrderCoreError, ValueError):
    """A money or quantity computation would leave the limits every entity keeps.

    Money holds at most `MAX_AMOUNT` either way with at most 8 decimal places, a quantity at
    most `MAX_QUANTITY` with at most 6; nothing is ever rounded to fit.

    Attributes:
        operation: What was computed (``"add 1 CNY to 100000000000000 CNY"``).
        attempted: The result, or the operand, that does not fit.
        limit: The largest magnitude allowed.
        places: The most decimal places allowed.
    """

    code: ClassVar[str] = "amount_out_of_range"

    def __init__(self, operation: str, attempted: Decimal, limit: Decimal, places: int) -> None:
        self.operation = operation
        self.attempted = attempted
        self.limit = limit
        self.places = places
        if not attempted.is_finite():
            problem = f"{attempted} is not a finite number"
        elif attempted.copy_abs() > limit:
            problem = f"{attempted} is beyond the limit of {limit} either way"
        else:
            problem = f"{attempted} has more than {places} decimal places"
        super().__init__(f"cannot {operation}: {problem}; nothing is rounded to fit")
