"""Alembic environment: runs the revisions in versions/ on a connection `conference.migrations` hands over.

`conference migrate` opens the (async) engine itself, takes the lock and passes the synchronous face
of its connection in `config.attributes["connection"]` (from inside `AsyncConnection.run_sync`).
Offline mode prints SQL (`conference schema`). Run by plain `alembic` with a URL, it opens its own
async engine and goes through `run_sync` the same way.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from conference.db import Base, UtcDateTime, import_models
from conference.migrations.scripts import made_by_hand

import_models()
config = context.config


def render_item(kind: str, item: Any, _context: AutogenContext) -> str | Literal[False]:
    # A revision must not import the app (the models move on, the revision must not): UtcDateTime
    # is written as the plain column type it stores.
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection: Connection) -> None:
    # Autogenerate compares against the models; batch mode renders ALTERs that SQLite can run too.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        include_name=made_by_hand,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_with_own_engine() -> None:
    engine = create_async_engine(config.get_main_option("sqlalchemy.url", ""), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(run_on)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    run_offline()
elif isinstance(given := config.attributes.get("connection"), Connection):
    run_on(given)
else:
    asyncio.run(run_with_own_engine())
