"""INSERT … ON CONFLICT DO NOTHING on either database: the insert a concurrent twin may have made first."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def insert_unless_there(db: AsyncSession, table: Any, **values: Any) -> PgInsert | SqliteInsert:
    """Execute it; its rowcount is 0 when a row with the same key was there already."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(table).values(**values).on_conflict_do_nothing()
