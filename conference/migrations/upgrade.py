"""`conference migrate`: bring a database to head, one migrator at a time, adopting pre-migration databases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from conference.migrations.scripts import BASELINE, alembic_config, baseline_metadata, known_revisions

# pg_advisory_xact_lock key shared by every `conference migrate` of any replica ("conf" in ASCII).
POSTGRES_MIGRATION_LOCK = 0x636F6E66


class MigrationRefused(Exception):
    """The database is in a state migrate must not touch; the message says what and what to do."""


@dataclass(frozen=True)
class Migrated:
    before: str | None  # revision found (None: an empty or pre-migration database)
    after: str
    adopted: bool  # a pre-migration database matched the baseline and was stamped with it


async def migrate(url: str, target: str = "head") -> Migrated:
    """Upgrade to head (or target) inside one lock: on PostgreSQL a transaction-scoped advisory lock around
    transactional DDL, on SQLite BEGIN EXCLUSIVE. A second migrator waits, then finds head: nothing to do."""
    sqlite = url.startswith("sqlite")
    engine = create_async_engine(url, poolclass=pool.NullPool, connect_args={"timeout": 60} if sqlite else {})
    try:
        async with engine.connect() as connection:
            await _take_lock(connection, sqlite)
            migrated = await connection.run_sync(_upgrade, target)
            await connection.commit()
            return migrated
    finally:
        await engine.dispose()


async def _take_lock(connection: AsyncConnection, sqlite: bool) -> None:
    if sqlite:
        # The sqlite3 module starts no transaction for DDL by itself; this one holds the write lock
        # until commit, and a second migrator's BEGIN EXCLUSIVE waits on it (busy timeout above).
        await connection.exec_driver_sql("BEGIN EXCLUSIVE")
    else:
        await connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_MIGRATION_LOCK})")


def _upgrade(connection: Connection, target: str) -> Migrated:
    before = MigrationContext.configure(connection).get_current_revision()
    adopted = False
    if before is None and _has_tables(connection):
        differences = baseline_differences(connection)
        if differences:
            listed = "\n  ".join(differences[:20])
            raise MigrationRefused(
                "the database has tables but no alembic_version, and they differ from the schema "
                f"conference had before migrations ({BASELINE}), so it is left untouched:\n  {listed}"
            )
        command.stamp(alembic_config(connection=connection), BASELINE)
        adopted = True
    elif before is not None and before not in known_revisions():
        raise MigrationRefused(
            f"the database is at revision {before}, which this version of conference does not know "
            "(a newer version migrated it): run that version, or restore a backup taken before the upgrade"
        )
    command.upgrade(alembic_config(connection=connection), target)
    after = MigrationContext.configure(connection).get_current_revision()
    assert after is not None
    return Migrated(before=before, after=after, adopted=adopted)


def _has_tables(connection: Connection) -> bool:
    ours = set(baseline_metadata().tables)
    return bool(ours & set(inspect(connection).get_table_names()))


def baseline_differences(connection: Connection) -> list[str]:
    """How the database differs from the baseline tables; tables of other software are ignored."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [
        _describe(difference)
        for difference in compare_metadata(context, baseline_metadata())
        if not (isinstance(difference, tuple) and difference[0] == "remove_table")
    ]


def _describe(difference: Any) -> str:
    # compare_metadata yields ("add_table", Table), ("add_column", schema, table, Column), ("add_index", Index)
    # ... where add_ means the baseline has it and the database lacks it; column changes come as a list
    # of ("modify_type", schema, table, column, info, found, expected).
    if isinstance(difference, list):
        return "; ".join(_describe(part) for part in difference)
    kind, *rest = difference
    if kind.startswith("modify_"):
        _schema, table, column, _info, found, expected = rest
        return f"{table}.{column}: {kind.removeprefix('modify_')} is {found!r}, expected {expected!r}"
    verb, _, what = kind.partition("_")
    status = "missing" if verb == "add" else "unexpected"
    if what == "column":
        _schema, table, column = rest
        return f"{status} column {table}.{column.name}"
    item = rest[-1]
    table = getattr(item, "table", None)
    where = f" on {table.name}" if what != "table" and table is not None else ""
    return f"{status} {what} {getattr(item, 'name', None) or '(unnamed)'}{where}"
