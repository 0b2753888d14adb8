"""Writing the next revision: autogenerate against a database migrated to head (`conference revision`)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from conference.migrations.scripts import MIGRATIONS_DIR, alembic_config, known_revisions
from conference.migrations.upgrade import migrate


def next_revision_id(message: str) -> str:
    """0003_add_rooms_topic: numbered so files sort in order, named so a reader knows what it does."""
    numbers = [int(revision.split("_", 1)[0]) for revision in known_revisions() if revision[:4].isdigit()]
    slug = "_".join(re.findall(r"[a-z0-9]+", message.lower()))[:40].strip("_") or "change"
    return f"{max(numbers, default=0) + 1:04d}_{slug}"


async def new_revision(message: str, *, database_url: str | None = None, empty: bool = False) -> Path:
    """Write versions/<id>.py with the operations that take head to the models (or none when empty).

    Without database_url the comparison runs against a scratch SQLite database migrated to head; pass a
    PostgreSQL URL (a scratch database, it is migrated to head first) for PostgreSQL-only types.
    Read and edit the file before committing: autogenerate misses renames and data moves."""
    revision_id = next_revision_id(message)
    with tempfile.TemporaryDirectory(prefix="conference-revision-") as scratch:
        url = database_url or f"sqlite+aiosqlite:///{Path(scratch) / 'head.db'}"
        await migrate(url)
        engine = create_async_engine(url, poolclass=pool.NullPool)
        try:
            async with engine.connect() as connection:

                def write(sync_connection: Connection) -> None:
                    config = alembic_config(url, connection=sync_connection)
                    command.revision(config, message=message, autogenerate=not empty, rev_id=revision_id)

                await connection.run_sync(write)
        finally:
            await engine.dispose()
    return MIGRATIONS_DIR / "versions" / f"{revision_id}.py"
