"""init.sql is head of the migrations; compose's PostgreSQL may load exactly that file."""

from pathlib import Path

import asyncpg

from conference.db import create_engine
from conference.migrations import SchemaState, head_revision, postgres_sql, schema_state

INIT_SQL = Path(__file__).resolve().parent.parent / "init.sql"


def test_committed_init_sql_matches_the_migrations():
    assert INIT_SQL.read_text() == postgres_sql(), (
        "init.sql drifted from the migrations: run `conference schema > init.sql`"
    )


async def test_a_postgres_loaded_with_init_sql_is_at_head(postgres):
    url = postgres.create_database("t_initsql")
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(INIT_SQL.read_text())
        tables = {
            row["tablename"]
            for row in await connection.fetch("select tablename from pg_tables where schemaname = 'public'")
        }
        revision = await connection.fetchval("select version_num from alembic_version")
    finally:
        await connection.close()
    assert revision == head_revision()
    engine = create_engine(url)
    try:
        assert await schema_state(engine) == (SchemaState.CURRENT, head_revision())
    finally:
        await engine.dispose()
    assert {
        "users",
        "login_sessions",
        "refresh_tokens",
        "rooms",
        "room_members",
        "chat_messages",
        "direct_messages",
        "call_sessions",
        "call_participants",
        "processed_webhooks",
        "api_keys",
        "events",
    } <= tables
