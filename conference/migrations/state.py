"""The startup check: the app serves only a database at head (and creates an empty one in development)."""

from __future__ import annotations

import enum
import logging

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from conference.migrations.scripts import head_revision, known_revisions
from conference.migrations.upgrade import migrate

log = logging.getLogger("conference.migrations")
RUN_MIGRATE = "run: conference migrate"


class SchemaState(enum.Enum):
    CURRENT = "current"  # at head
    EMPTY = "empty"  # no tables at all
    UNVERSIONED = "unversioned"  # tables from before migrations, no alembic_version
    BEHIND = "behind"  # an older revision
    UNKNOWN = "unknown"  # a revision this code does not know: a newer version migrated it


class SchemaNotCurrent(Exception):
    """The database is not at the revision this code needs; the message names the command to run."""


async def schema_state(engine: AsyncEngine) -> tuple[SchemaState, str | None]:
    async with engine.connect() as connection:
        return await connection.run_sync(_state)


def _state(connection: Connection) -> tuple[SchemaState, str | None]:
    tables = inspect(connection).get_table_names()
    if "alembic_version" not in tables:
        return (SchemaState.UNVERSIONED if tables else SchemaState.EMPTY), None
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if revision is None:  # the table of an interrupted first migration: nothing was applied
        return (SchemaState.UNVERSIONED if len(tables) > 1 else SchemaState.EMPTY), None
    if revision == head_revision():
        return SchemaState.CURRENT, revision
    if revision in known_revisions():
        return SchemaState.BEHIND, revision
    return SchemaState.UNKNOWN, revision


async def ensure_schema(engine: AsyncEngine, url: str, *, create_when_empty: bool) -> None:
    """Raise SchemaNotCurrent unless the database is at head. An empty database is migrated here
    when create_when_empty (development), so `conference serve` on a laptop stays one command."""
    state, revision = await schema_state(engine)
    if state is SchemaState.EMPTY and create_when_empty:
        migrated = await migrate(url)
        log.info("created the schema in an empty database (revision %s)", migrated.after)
        return
    head = head_revision()
    if state is SchemaState.CURRENT:
        return
    if state is SchemaState.EMPTY:
        raise SchemaNotCurrent(f"the database has no tables yet; {RUN_MIGRATE}")
    if state is SchemaState.UNVERSIONED:
        raise SchemaNotCurrent(
            f"the database was created before migrations existed (no alembic_version table); {RUN_MIGRATE}"
        )
    if state is SchemaState.BEHIND:
        raise SchemaNotCurrent(
            f"the database schema is at revision {revision}, this version needs {head}; {RUN_MIGRATE}"
        )
    raise SchemaNotCurrent(
        f"the database is at revision {revision}, which this version of conference does not know "
        f"(a newer version migrated it; this one needs {head})"
    )
