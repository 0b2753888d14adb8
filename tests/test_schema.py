"""init.sql is what the models produce; compose's PostgreSQL loads exactly that file."""

from pathlib import Path

import asyncpg

from conference.schema import postgres_schema

INIT_SQL = Path(__file__).resolve().parent.parent / "init.sql"


def test_committed_init_sql_matches_the_models():
    assert INIT_SQL.read_text() == postgres_schema(), (
        "init.sql drifted from the models: run `conference schema > init.sql`"
    )


async def test_init_sql_loads_into_a_real_postgres(postgres):
    url = postgres.create_database("t_initsql")
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(INIT_SQL.read_text())
        tables = {
            row["tablename"]
            for row in await connection.fetch("select tablename from pg_tables where schemaname = 'public'")
        }
    finally:
        await connection.close()
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
