"""0005_guests: rooms made before guests existed stay closed to them; keys get an empty origin list."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from conference.migrations import migrate
from tests.migrations.legacy import fresh_database

BEFORE = "0004_in_call"


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_existing_rooms_migrate_to_guests_off(kind, tmp_path, request):
    url = fresh_database(kind, tmp_path, request.getfixturevalue("postgres") if kind == "postgres" else None)
    await migrate(url, BEFORE)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO rooms (id, name, kind, status, max_participants, waiting_room, locked, created_at) "
                    "VALUES ('abc-defg-hij', 'Old', 'room', 'active', 50, false, false, CURRENT_TIMESTAMP)"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO api_keys (id, name, secret_hash, created_at) "
                    "VALUES ('k1', 'old', 'x', CURRENT_TIMESTAMP)"
                )
            )
        await migrate(url)
        async with engine.connect() as connection:
            access = await connection.scalar(text("SELECT guest_access FROM rooms WHERE id = 'abc-defg-hij'"))
            origins = await connection.scalar(text("SELECT allowed_origins FROM api_keys WHERE id = 'k1'"))
    finally:
        await engine.dispose()
    assert access == "off"
    assert origins in ([], "[]")
