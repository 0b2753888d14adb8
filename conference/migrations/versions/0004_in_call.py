"""In the call: raised hands (raised_hands, ordered by id) and the rooms.e2ee flag."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_in_call"
down_revision: str | None = "0003_recordings"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "raised_hands",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("room_id", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("room_id", "user_id"),
    )
    with op.batch_alter_table("raised_hands", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_raised_hands_room_id"), ["room_id"], unique=False)

    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("e2ee", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("rooms", schema=None) as batch_op:
        batch_op.drop_column("e2ee")

    with op.batch_alter_table("raised_hands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_raised_hands_room_id"))

    op.drop_table("raised_hands")
