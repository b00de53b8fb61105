"""The first schema: orders with their lookup columns, and the events with their feed position.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ordercore_sqlalchemy.schema import JsonBody, UtcTimestamp

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    """Create `ordercore_orders` and `ordercore_events`."""
    op.create_table(
        "ordercore_orders",
        sa.Column("order_id", _id(), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("customer_id", _id(), nullable=False),
        sa.Column("received_at", UtcTimestamp(), nullable=False),
        sa.Column("active_holds", sa.Text, nullable=False),
        sa.Column("body", JsonBody(), nullable=False),
    )
    op.create_index("ordercore_orders_status", "ordercore_orders", ["status", "order_id"])
    op.create_index("ordercore_orders_customer", "ordercore_orders", ["customer_id", "order_id"])
    op.create_index("ordercore_orders_received", "ordercore_orders", ["received_at"])
    op.create_table(
        "ordercore_events",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            sa.Identity(always=False),
            primary_key=True,
        ),
        sa.Column("event_id", sa.String, nullable=False),
        sa.Column("order_id", _id(), nullable=False),
        sa.Column("order_version", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(60), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("at", UtcTimestamp(), nullable=False),
        sa.Column("body", JsonBody(), nullable=False),
        sa.UniqueConstraint("event_id", name="ordercore_events_event_id"),
        sa.UniqueConstraint("order_id", "order_version", "seq", name="ordercore_events_trail"),
    )


def downgrade() -> None:
    """Drop both tables (and every order and event in them)."""
    op.drop_table("ordercore_events")
    op.drop_index("ordercore_orders_received", table_name="ordercore_orders")
    op.drop_index("ordercore_orders_customer", table_name="ordercore_orders")
    op.drop_index("ordercore_orders_status", table_name="ordercore_orders")
    op.drop_table("ordercore_orders")
