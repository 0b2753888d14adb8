"""Scheduled rooms: rooms.starts_at (only hosts before it) and rooms.expires_at (the room ends itself then;
indexed for the sweep that finds them)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_schedule"
down_revision: str | None = "0007_webhooks"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_rooms_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rooms_expires_at"))
        batch_op.drop_column("expires_at")
        batch_op.drop_column("starts_at")
