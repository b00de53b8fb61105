"""The errors of the promise engine: a snapshot that does not hold together, an unknown reference.

Both are [`OrderCoreError`][ordercore.errors.OrderCoreError]s and the builtin a caller would
expect (`ValueError`, `KeyError`). Arguments of the wrong type or out of range raise the core's
[`InvalidArgument`][ordercore.errors.InvalidArgument].

Examples:
    >>> error = SnapshotError("PromiseSnapshot", [("receipts[0].sku", "unknown SKU 'BOLT'")])
    >>> str(error)
    "invalid PromiseSnapshot: receipts[0].sku: unknown SKU 'BOLT'"
    >>> isinstance(error, ValueError), error.code
    (True, 'promise_snapshot_error')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ordercore.errors import OrderCoreError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["SnapshotError", "UnknownReference"]


class SnapshotError(OrderCoreError, ValueError):
    """A promise snapshot (or one of its parts) was built with bad or inconsistent data.

    Raised while the value is built, from Python or JSON: a field of the wrong type or out
    of range, a duplicate key, a reference to a SKU or resource the snapshot does not hold,
    allocations beyond the stock on hand. Every problem found is listed at once.

    Attributes:
        model: The class being built (``"PromiseSnapshot"``, ``"Item"``).
        problems: ``(path, message)`` for every problem; the path is a field path such as
            ``"orders[3].lines[0].sku"``.
    """

    code: ClassVar[str] = "promise_snapshot_error"

    def __init__(self, model: str, problems: Sequence[tuple[str, str]]) -> None:
        self.model = model
        self.problems = tuple(problems)
        listing = "; ".join(f"{path or '(value)'}: {message}" for path, message in self.problems)
        super().__init__(f"invalid {model}: {listing}")


class UnknownReference(OrderCoreError, KeyError):
    """An event or a question names something the snapshot or the plan does not hold.

    Attributes:
        kind: What was looked up (``"receipt"``, ``"resource"``, ``"order"``).
        key: The id that was not found.
        known: How many of that kind there are (to tell an empty snapshot from a typo).
    """

    code: ClassVar[str] = "promise_unknown_reference"

    def __init__(self, kind: str, key: str, known: int) -> None:
        self.kind = kind
        self.key = key
        self.known = known
        super().__init__(f"no {kind} {key!r} in the snapshot ({known} {kind}(s) known)")

    def __str__(self) -> str:
        return str(self.args[0])
