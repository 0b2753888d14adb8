"""The recordings table: one row per recording, also the job the recorder workers claim."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_recordings"
down_revision: str | None = "0002_events_created_at_index"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("id", sa.String(length=24), nullable=False),
        sa.Column("room_id", sa.String(length=12), nullable=False),
        sa.Column("started_by", sa.String(length=32), nullable=True),
        sa.Column("layout", sa.String(length=8), nullable=False),
        sa.Column("audio_only", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("backend", sa.String(length=8), nullable=False),
        sa.Column("worker_id", sa.String(length=64), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stop_requested", sa.Boolean(), nullable=False),
        sa.Column("file_key", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("egress_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["started_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recordings_room_id"), ["room_id"], unique=False)
        batch_op.create_index("ix_recordings_status_heartbeat", ["status", "heartbeat_at"], unique=False)
        batch_op.create_index(
            "uq_recordings_room_active",
            ["room_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('starting', 'recording', 'processing')"),
            postgresql_where=sa.text("status IN ('starting', 'recording', 'processing')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_recordings_room_active",
            sqlite_where=sa.text("status IN ('starting', 'recording', 'processing')"),
            postgresql_where=sa.text("status IN ('starting', 'recording', 'processing')"),
        )
        batch_op.drop_index("ix_recordings_status_heartbeat")
        batch_op.drop_index(batch_op.f("ix_recordings_room_id"))

    op.drop_table("recordings")
