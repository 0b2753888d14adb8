"""Baseline: the schema `create_all` made before migrations existed (main at 0cefd1d), table for table.

The tables are written out here, not imported from the models, so this revision stays what it was
when the models move on. `conference migrate` also compares an unversioned database against
`baseline_metadata()` before adopting it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import CreateIndex, CreateTable

revision = "0001_baseline"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets BIGSERIAL.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def baseline_metadata() -> sa.MetaData:
    metadata = sa.MetaData()

    def user_ref(ondelete: str) -> sa.ForeignKey:
        return sa.ForeignKey("users.id", ondelete=ondelete)

    sa.Table(
        "users",
        metadata,
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("login", sa.String(32), nullable=False, unique=True),
        sa.Column("email", sa.String(254), unique=True),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(100), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("last_seen_at", TIME),
    )
    sa.Table(
        "login_sessions",
        metadata,
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(32), user_ref("CASCADE"), nullable=False, index=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("revoked_at", TIME),
    )
    sa.Table(
        "refresh_tokens",
        metadata,
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "session_id",
            sa.String(32),
            sa.ForeignKey("login_sessions.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("spent_at", TIME),
    )
    sa.Table(
        "api_keys",
        metadata,
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("revoked_at", TIME),
    )
    sa.Table(
        "contacts",
        metadata,
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("owner_id", sa.String(32), user_ref("CASCADE"), nullable=False),
        sa.Column("peer_id", sa.String(32), user_ref("CASCADE"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.UniqueConstraint("owner_id", "peer_id"),
        sa.Index("ix_contacts_peer", "peer_id"),
    )
    sa.Table(
        "rooms",
        metadata,
        sa.Column("id", sa.String(12), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("host_id", sa.String(32), user_ref("SET NULL"), index=True),
        sa.Column("api_key_id", sa.String(16), sa.ForeignKey("api_keys.id", ondelete="SET NULL")),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("max_participants", sa.Integer(), nullable=False),
        sa.Column("waiting_room", sa.Boolean(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("ended_at", TIME),
    )
    sa.Table(
        "room_members",
        metadata,
        sa.Column("room_id", sa.String(12), sa.ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.String(32), user_ref("CASCADE"), primary_key=True, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("joined_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
    )
    sa.Table(
        "chat_messages",
        metadata,
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("room_id", sa.String(12), sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sender_id", sa.String(32), user_ref("SET NULL")),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(64)),
        sa.Column("created_at", TIME, nullable=False),
        sa.Index("ix_chat_messages_room_id_id", "room_id", "id"),
    )
    sa.Table(
        "direct_messages",
        metadata,
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(32), user_ref("CASCADE"), nullable=False),
        sa.Column("recipient_id", sa.String(32), user_ref("CASCADE"), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(64)),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("delivered_at", TIME),
        sa.Column("read_at", TIME),
        sa.Index("ix_direct_messages_pair", "sender_id", "recipient_id", "id"),
        sa.Index("ix_direct_messages_recipient", "recipient_id", "id"),
    )
    sa.Table(
        "call_sessions",
        metadata,
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("room_id", sa.String(64), nullable=False, index=True),
        sa.Column("livekit_sid", sa.String(64), nullable=False, unique=True),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("ended_at", TIME),
    )
    sa.Table(
        "call_participants",
        metadata,
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("session_id", BIG_ID, sa.ForeignKey("call_sessions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("identity", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(32), user_ref("SET NULL"), index=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("participant_sid", sa.String(64), nullable=False),
        sa.Column("joined_at", TIME, nullable=False),
        sa.Column("left_at", TIME),
        sa.Column("duration_s", sa.Float()),
        sa.Index("ix_call_participants_session", "session_id", "identity"),
    )
    sa.Table(
        "processed_webhooks",
        metadata,
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("received_at", TIME, nullable=False),
    )
    sa.Table(
        "direct_calls",
        metadata,
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("room_id", sa.String(12), sa.ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("caller_id", sa.String(32), user_ref("CASCADE"), nullable=False, index=True),
        sa.Column("callee_id", sa.String(32), user_ref("CASCADE"), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("answered_at", TIME),
        sa.Column("ended_at", TIME),
    )
    sa.Table(
        "events",
        metadata,
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("room_id", sa.String(12), sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True),
        sa.Column("user_id", sa.String(32), user_ref("CASCADE"), index=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
    )
    return metadata


def upgrade() -> None:
    # The same statements create_all emitted, in its order (indexes sorted by name so the SQL is stable).
    for table in baseline_metadata().sorted_tables:
        op.execute(CreateTable(table))
        for index in sorted(table.indexes, key=lambda index: str(index.name)):
            op.execute(CreateIndex(index))


def downgrade() -> None:
    for table in reversed(baseline_metadata().sorted_tables):
        op.drop_table(table.name)
