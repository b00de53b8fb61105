"""Collisions of the order-id fingerprints on demand, for the KPI tests (`fingerprints`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import narwhals.stable.v2 as nw

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest


class Fingerprints:
    """Forces collisions of the 64-bit order-id fingerprints polars groups events by.

    Each method patches `ordercore.kpi._extra.keyed` and, from then on, records in `seen`
    what `ordercore.kpi._extra.collided` answered, call by call (a collision found, then
    the analysis grouped by the ids themselves: ``[True, False]``).
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from ordercore.kpi import _extra  # noqa: PLC0415 - the seam under test

        self.seen: list[bool] = []
        self._patch, self._extra = monkeypatch, _extra

    def _rekey(self, key: Callable[[nw.Expr], nw.Expr]) -> None:
        real_keyed, real_collided = self._extra.keyed, self._extra.collided

        def rekeyed(lf: Any, *, fingerprint: bool, **more: Any) -> Any:
            out = real_keyed(lf, fingerprint=fingerprint, **more)
            return out.with_columns(_k=key(nw.col("_k"))) if fingerprint else out

        def spied(lf: Any, *, fingerprint: bool) -> bool:
            self.seen.append(real_collided(lf, fingerprint=fingerprint))
            return self.seen[-1]

        self._patch.setattr(self._extra, "keyed", rekeyed)
        self._patch.setattr(self._extra, "collided", spied)

    def crowd(self) -> None:
        """Squeeze every fingerprint into two values: nearly every order collides."""
        self._rekey(lambda k: k % 2)

    def share(self, *ids: str) -> None:
        """Give the orders `ids` (in orders and events alike) one fingerprint."""
        shared = nw.col("order_id").is_in(list(ids))
        self._rekey(lambda k: nw.when(shared).then(nw.lit(7, nw.UInt64)).otherwise(k))
