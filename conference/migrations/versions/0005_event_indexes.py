"""events (user_id, id) and (room_id, id) indexes: a resume reads one audience's events from `after` on in
id order through them, instead of walking the log from `after` and filtering. They replace the
single-column indexes on user_id and room_id, which they cover (same leading column)."""

from __future__ import annotations

from alembic import op

revision = "0005_event_indexes"
down_revision: str | None = "0004_in_call"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # New ones first: the foreign keys' cascades and replay always have an index to use.
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_room_id_id", ["room_id", "id"], unique=False)
        batch_op.create_index("ix_events_user_id_id", ["user_id", "id"], unique=False)
        batch_op.drop_index(batch_op.f("ix_events_room_id"))
        batch_op.drop_index(batch_op.f("ix_events_user_id"))


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_room_id"), ["room_id"], unique=False)
        batch_op.drop_index("ix_events_user_id_id")
        batch_op.drop_index("ix_events_room_id_id")
