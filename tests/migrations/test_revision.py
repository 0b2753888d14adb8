"""`conference revision` writes the revision a model change needs, and that revision runs."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from sqlalchemy import Column, Integer, String, Table

from conference.db import Base, UtcDateTime
from conference.migrations import head_revision, migrate, revisions, scripts
from conference.migrations.revisions import next_revision_id


@pytest.fixture
def scratch_migrations(tmp_path, monkeypatch):
    """A copy of conference/migrations to write into, so the real versions/ stays as committed."""
    copy = tmp_path / "migrations"
    shutil.copytree(scripts.MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(scripts, "MIGRATIONS_DIR", copy)
    monkeypatch.setattr(revisions, "MIGRATIONS_DIR", copy)
    scripts.script_directory.cache_clear()
    yield copy
    scripts.script_directory.cache_clear()


def next_number() -> str:
    return f"{int(head_revision()[:4]) + 1:04d}"


def test_revision_ids_are_numbered_and_named():
    assert next_revision_id("Rooms: topic & colour!") == f"{next_number()}_rooms_topic_colour"


async def test_a_model_change_becomes_a_revision_that_runs(scratch_migrations, tmp_path):
    head, new = head_revision(), f"{next_number()}_rehearsal_notes"
    table = Table(
        "rehearsal_notes",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        Column("text", String(200), nullable=False),
        Column("written_at", UtcDateTime, nullable=False),
    )
    try:
        path = await revisions.new_revision("rehearsal notes")
    finally:
        Base.metadata.remove(table)

    assert path == scratch_migrations / "versions" / f"{new}.py"
    source = path.read_text()
    assert "op.create_table(" in source and "'rehearsal_notes'" in source
    assert "sa.DateTime(timezone=True)" in source and "conference" not in source  # no import of the app
    assert f"down_revision: str | None = '{head}'" in source

    database = tmp_path / "upgraded.db"
    migrated = await migrate(f"sqlite+aiosqlite:///{database}")
    assert migrated.after == new
    with sqlite3.connect(database) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(rehearsal_notes)")]
    assert columns == ["id", "text", "written_at"]
