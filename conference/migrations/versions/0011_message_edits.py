"""Message edits: edited_at, deleted_at and reply_to_id on room and direct messages (reply_to_id without a
foreign key: a gone original quotes as null), message_reactions, read_positions."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_message_edits"
down_revision: str | None = "0010_groups_search"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "message_reactions",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("emoji", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kind", "message_id", "user_id", "emoji"),
    )
    op.create_table(
        "read_positions",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "kind", "conversation_id"),
    )
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("reply_to_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )

    with op.batch_alter_table("direct_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("reply_to_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("direct_messages", schema=None) as batch_op:
        batch_op.drop_column("reply_to_id")
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("edited_at")

    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.drop_column("reply_to_id")
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("edited_at")

    op.drop_table("read_positions")
    op.drop_table("message_reactions")
