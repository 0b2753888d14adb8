"""Guests: rooms.guest_access (rooms made before stay off), users.guest_room_id marks a guest and its
room, api_keys.allowed_origins lists who may frame the key's rooms (/embed/<id>)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_guests"
down_revision: str | None = "0005_event_indexes"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guest_access", sa.String(length=8), server_default="off", nullable=False))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("guest_room_id", sa.String(length=12), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_guest_room_id"), ["guest_room_id"], unique=False)
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allowed_origins", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("allowed_origins")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_guest_room_id"))
        batch_op.drop_column("guest_room_id")
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_column("guest_access")
