"""Indexes for the two lookups the first schema scanned: an order's events, and held orders.

- `ordercore_events_order` on (`order_id`, `position`): `events(order_id)` reads one order's
  trail in append order. The first schema found those rows through the unique trail
  constraint (`order_id`, `order_version`, `seq`) and then sorted them by position; this
  index hands them out already in order.
- `ordercore_orders_held`, a partial index on `order_id` of the orders whose
  `active_holds` is not empty: `with_active_hold` scanned every order to find the few that
  are held; it now reads only those, already by id.

Both are indexes only: no row changes, and every row of the first schema is kept as it is.
Downgrading drops them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_HELD = sa.text("active_holds <> ''")


def upgrade() -> None:
    """Create `ordercore_events_order` and `ordercore_orders_held`."""
    op.create_index("ordercore_events_order", "ordercore_events", ["order_id", "position"])
    op.create_index(
        "ordercore_orders_held",
        "ordercore_orders",
        ["order_id"],
        postgresql_where=_HELD,
        sqlite_where=_HELD,
    )


def downgrade() -> None:
    """Drop both indexes (the rows stay)."""
    op.drop_index("ordercore_orders_held", table_name="ordercore_orders")
    op.drop_index("ordercore_events_order", table_name="ordercore_events")
