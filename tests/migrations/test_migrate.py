"""`conference migrate` and the startup check: the baseline is main's schema exactly, the models match
head, several migrators at once are safe, and the app refuses a database behind head."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from conference.db import Base, import_models
from conference.migrations import BASELINE, head_revision, migrate
from conference.migrations.scripts import made_by_hand
from tests.migrations.legacy import (
    conference_cli,
    create_main_schema,
    fresh_database,
)
from tests.servers import REPO


def sqlite_schema(path: str) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name != 'alembic_version'")
        return {row[0] for row in rows}


async def test_the_baseline_on_sqlite_is_what_main_created(tmp_path):
    baseline, from_main = tmp_path / "baseline.db", tmp_path / "main.db"
    await migrate(f"sqlite+aiosqlite:///{baseline}", BASELINE)
    await create_main_schema(f"sqlite+aiosqlite:///{from_main}")
    assert sqlite_schema(str(baseline)) == sqlite_schema(str(from_main))


async def postgres_catalog(dsn: str) -> dict[str, set[tuple]]:
    """Columns, constraints and indexes as PostgreSQL itself describes them."""
    connection = await asyncpg.connect(dsn)
    try:
        columns = await connection.fetch(
            "SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length "
            "FROM information_schema.columns WHERE table_schema = 'public' AND table_name != 'alembic_version'"
        )
        constraints = await connection.fetch(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text != 'alembic_version'"
        )
        indexes = await connection.fetch(
            "SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = 'public' AND tablename != 'alembic_version'"
        )
    finally:
        await connection.close()
    return {
        "columns": {tuple(row) for row in columns},
        "constraints": {tuple(row) for row in constraints},
        "indexes": {tuple(row) for row in indexes},
    }


async def test_the_baseline_on_postgres_is_what_main_created(postgres):
    from_main = postgres.create_database("t_main_schema")
    await create_main_schema(from_main)
    baseline = postgres.create_database("t_baseline")
    await migrate(baseline, BASELINE)
    dsn = postgres.dsn.rsplit("/", 1)[0]
    assert await postgres_catalog(f"{dsn}/t_baseline") == await postgres_catalog(f"{dsn}/t_main_schema")


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_the_models_match_head(kind, tmp_path, request):
    """Fails when a model changed without a migration: `conference revision "what changed"` writes it."""
    url = fresh_database(kind, tmp_path, request.getfixturevalue("postgres") if kind == "postgres" else None)
    await migrate(url)
    import_models()
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True, "include_name": made_by_hand}),
                    Base.metadata,
                )
            )
    finally:
        await engine.dispose()
    assert [d for d in differences if not (isinstance(d, tuple) and d[1].name == "alembic_version")] == [], (
        'the models differ from the migrations\' head: run `conference revision "<what changed>"`'
    )


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_replicas_migrating_at_once_agree(kind, tmp_path, request):
    url = fresh_database(kind, tmp_path, request.getfixturevalue("postgres") if kind == "postgres" else None)
    if kind == "postgres":
        await create_main_schema(url)  # the slower path: compare, stamp, upgrade
    env = {"DATABASE_URL": url}
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "conference",
            "migrate",
            cwd=REPO,
            env={**__import__("os").environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    results = [await process.communicate() for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, [err.decode() for _, err in results]
    outputs = [out.decode() for out, _ in results]
    assert sum(f"to {head_revision()}" in out for out in outputs) == 1, outputs
    assert sum(f"already at {head_revision()}" in out for out in outputs) == 3, outputs


async def test_an_unversioned_database_that_differs_from_the_baseline_is_left_alone(tmp_path):
    path = tmp_path / "odd.db"
    url = f"sqlite+aiosqlite:///{path}"
    await create_main_schema(url)
    with sqlite3.connect(path) as connection:
        connection.executescript("DROP INDEX ix_events_room_id; ALTER TABLE rooms ADD COLUMN topic TEXT;")
    before = sqlite_schema(str(path))

    result = conference_cli("migrate", database_url=url)
    assert result.returncode == 1
    assert "differ from the schema conference had before migrations" in result.stderr
    assert "missing index ix_events_room_id on events" in result.stderr
    assert "unexpected column rooms.topic" in result.stderr
    assert sqlite_schema(str(path)) == before
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'alembic_version'").fetchall() == []


def serve(url: str, **env: str) -> subprocess.CompletedProcess:
    return conference_cli("serve", database_url=url, env={"PORT": "0", "HOST": "127.0.0.1", **env})


async def test_serve_refuses_a_database_behind_head_and_names_the_command(tmp_path):
    behind = f"sqlite+aiosqlite:///{tmp_path / 'behind.db'}"
    await migrate(behind, BASELINE)
    result = serve(behind)
    assert result.returncode == 2
    assert f"at revision {BASELINE}, this version needs {head_revision()}; run: conference migrate" in result.stderr

    unversioned = f"sqlite+aiosqlite:///{tmp_path / 'unversioned.db'}"
    await create_main_schema(unversioned)
    result = serve(unversioned)
    assert result.returncode == 2 and "created before migrations" in result.stderr
    assert "run: conference migrate" in result.stderr


def test_production_does_not_create_the_schema_by_itself(tmp_path):
    production = {
        "APP_ENV": "production",
        "JWT_SECRET": "j" * 40,
        "LIVEKIT_API_KEY": "k",
        "LIVEKIT_API_SECRET": "s" * 32,
    }
    result = serve(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", **production)
    assert result.returncode == 2
    assert "no tables yet; run: conference migrate" in result.stderr


async def test_a_database_migrated_by_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "newer.db"
    url = f"sqlite+aiosqlite:///{path}"
    await migrate(url)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0999_from_the_future'")
    result = conference_cli("migrate", database_url=url)
    assert result.returncode == 1 and "0999_from_the_future" in result.stderr and "newer version" in result.stderr
    result = serve(url)
    assert result.returncode == 2 and "does not know" in result.stderr
