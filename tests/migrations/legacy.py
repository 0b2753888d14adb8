"""Databases as main made them before migrations (schema dumps of 0cefd1d), filled with one of everything."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import bcrypt
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from conference.migrations.scripts import baseline_metadata
from tests.servers import REPO

HERE = Path(__file__).resolve().parent
MAIN_SQLITE_SCHEMA = HERE / "main_0cefd1d_sqlite.sql"
MAIN_POSTGRES_SCHEMA = HERE / "main_0cefd1d_postgres.sql"
PASSWORD = "legacy-password-1"
REFRESH_TOKEN = "legacy-refresh-token"
ROOM_ID = "old-room-abc"
CALL_ROOM_ID = "cal-lroo-mxy"


def fresh_database(kind: str, tmp_path: Path, postgres) -> str:
    if kind == "postgres":
        return postgres.create_database("t_" + uuid.uuid4().hex[:12])
    return f"sqlite+aiosqlite:///{tmp_path / ('legacy-' + uuid.uuid4().hex[:8] + '.db')}"


async def create_main_schema(url: str) -> None:
    """The tables exactly as main's create_all made them: no alembic_version."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split("///", 1)[1]) as connection:
            connection.executescript(MAIN_SQLITE_SCHEMA.read_text())
        return
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(MAIN_POSTGRES_SCHEMA.read_text())
    finally:
        await connection.close()


@dataclass(frozen=True)
class Filled:
    alice_id: str
    bob_id: str
    counts: dict[str, int]


async def fill_like_main(url: str) -> Filled:
    """One or two rows in every table, through the frozen baseline tables (not today's models)."""
    now = datetime.now(UTC).replace(microsecond=0)
    alice, bob, signin = uuid.uuid4().hex, uuid.uuid4().hex, uuid.uuid4().hex
    password_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    rows: dict[str, list[dict[str, object]]] = {
        "users": [
            dict(
                id=alice,
                login="alice",
                email="alice@example.com",
                display_name="Alice Old",
                password_hash=password_hash,
                created_at=now - timedelta(days=30),
                last_seen_at=now,
            ),
            dict(
                id=bob,
                login="bob",
                email=None,
                display_name="Bob Old",
                password_hash=password_hash,
                created_at=now - timedelta(days=20),
                last_seen_at=None,
            ),
        ],
        "api_keys": [dict(id="k1", name="portal", secret_hash="0" * 64, created_at=now, revoked_at=None)],
        "login_sessions": [dict(id=signin, user_id=alice, created_at=now - timedelta(hours=1), revoked_at=None)],
        "refresh_tokens": [
            dict(
                token_hash=hashlib.sha256(REFRESH_TOKEN.encode()).hexdigest(),
                session_id=signin,
                expires_at=now + timedelta(days=29),
                spent_at=None,
            )
        ],
        "contacts": [
            dict(id=uuid.uuid4().hex, owner_id=alice, peer_id=bob, status="accepted", created_at=now),
            dict(id=uuid.uuid4().hex, owner_id=bob, peer_id=alice, status="accepted", created_at=now),
        ],
        "rooms": [
            dict(
                id=ROOM_ID,
                name="Weekly sync",
                kind="room",
                host_id=alice,
                api_key_id=None,
                status="active",
                max_participants=50,
                waiting_room=False,
                locked=False,
                created_at=now - timedelta(days=2),
                ended_at=None,
            ),
            dict(
                id=CALL_ROOM_ID,
                name="Call",
                kind="call",
                host_id=alice,
                api_key_id=None,
                status="ended",
                max_participants=2,
                waiting_room=False,
                locked=False,
                created_at=now - timedelta(days=1),
                ended_at=now - timedelta(days=1),
            ),
        ],
        "room_members": [
            dict(room_id=ROOM_ID, user_id=alice, role="host", state="joined", joined_at=now, updated_at=now),
            dict(room_id=ROOM_ID, user_id=bob, role="participant", state="left", joined_at=now, updated_at=now),
        ],
        "chat_messages": [
            dict(
                id=1,
                room_id=ROOM_ID,
                sender_id=alice,
                content="hello from before",
                client_id="c1",
                created_at=now - timedelta(days=2),
            ),
            dict(
                id=2,
                room_id=ROOM_ID,
                sender_id=bob,
                content="still here?",
                client_id=None,
                created_at=now - timedelta(days=1),
            ),
        ],
        "direct_messages": [
            dict(
                id=1,
                sender_id=bob,
                recipient_id=alice,
                content="a direct word",
                client_id=None,
                created_at=now - timedelta(days=1),
                delivered_at=now,
                read_at=None,
            )
        ],
        "call_sessions": [
            dict(
                id=1,
                room_id=ROOM_ID,
                livekit_sid="RM_old",
                started_at=now - timedelta(days=2),
                ended_at=now - timedelta(days=2) + timedelta(minutes=30),
            )
        ],
        "call_participants": [
            dict(
                id=1,
                session_id=1,
                identity=alice,
                user_id=alice,
                name="Alice Old",
                participant_sid="PA_old",
                joined_at=now - timedelta(days=2),
                left_at=now - timedelta(days=2) + timedelta(minutes=30),
                duration_s=1800.0,
            )
        ],
        "processed_webhooks": [dict(event_id="EV_old", event="room_finished", received_at=now)],
        "direct_calls": [
            dict(
                id=uuid.uuid4().hex,
                room_id=CALL_ROOM_ID,
                caller_id=alice,
                callee_id=bob,
                status="ended",
                created_at=now - timedelta(days=1),
                answered_at=now - timedelta(days=1),
                ended_at=now - timedelta(days=1),
            )
        ],
        "events": [
            dict(
                id=1,
                type="chat.message",
                room_id=ROOM_ID,
                user_id=None,
                data={"id": 2, "room_id": ROOM_ID, "content": "still here?"},
                created_at=now - timedelta(days=1),
            )
        ],
    }
    tables = baseline_metadata().tables
    assert set(rows) == set(tables), "fill every table the baseline has"
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for table in baseline_metadata().sorted_tables:
                await connection.execute(tables[table.name].insert(), rows[table.name])
            if not url.startswith("sqlite"):  # rows given explicit ids: move the sequences past them
                for name in ("chat_messages", "direct_messages", "call_sessions", "call_participants", "events"):
                    await connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"
                    )
    finally:
        await engine.dispose()
    return Filled(alice_id=alice, bob_id=bob, counts={name: len(table_rows) for name, table_rows in rows.items()})


async def table_counts(url: str) -> dict[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return {
                name: await connection.scalar(select(func.count()).select_from(table))
                for name, table in baseline_metadata().tables.items()
            }
    finally:
        await engine.dispose()


def conference_cli(*args: str, database_url: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real command line, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "conference", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": database_url, **(env or {})},
        timeout=120,
    )
