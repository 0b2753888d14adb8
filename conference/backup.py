"""SQLite backups: an online copy through sqlite3's backup API, and a restore that refuses a database in use.

PostgreSQL is backed up with its own tools (pg_dump / pg_restore, see docs/operations.md).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from conference.migrations.scripts import head_revision, known_revisions


class BackupRefused(Exception):
    """The backup or restore cannot be done as asked; the message says why and what to do instead."""


@dataclass(frozen=True)
class Copied:
    path: Path
    size: int
    revision: str | None  # the schema revision the copy is at


def sqlite_file(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(
            "backup and restore are for the SQLite default; back up PostgreSQL with pg_dump and restore it "
            "with pg_restore (docs/operations.md)"
        )
    if not url.database or url.database == ":memory:":
        raise BackupRefused("an in-memory database has nothing to back up")
    return Path(url.database)


def backup(database_url: str, target: Path) -> Copied:
    """A consistent copy while the app keeps serving (the backup API copies a snapshot, page by page)."""
    source_path = sqlite_file(database_url)
    if not source_path.is_file():
        raise BackupRefused(f"there is no database at {source_path}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(source_path, timeout=30)) as source, closing(sqlite3.connect(partial)) as copy:
        source.backup(copy)
        # One self-contained file, whatever journal mode the live database uses.
        copy.execute("PRAGMA journal_mode=DELETE")
        revision = _revision(copy)
    os.replace(partial, target)  # a reader of target never sees half a copy
    return Copied(path=target, size=target.stat().st_size, revision=revision)


def restore(database_url: str, source_path: Path) -> Copied:
    """Replace the database with a backup. The app must be stopped: its open connections are detected
    (a WAL database cannot leave WAL mode while another connection has it open) and the restore refused."""
    target_path = sqlite_file(database_url)
    if not source_path.is_file():
        raise BackupRefused(f"there is no backup at {source_path}")
    with closing(sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)) as source:
        revision = _check_backup(source, source_path)
        with closing(sqlite3.connect(target_path, timeout=0.5, isolation_level=None)) as target:
            try:
                mode = target.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
            except sqlite3.OperationalError as error:
                raise BackupRefused(
                    f"{target_path} is in use ({error}): stop every conference process using it, then restore"
                ) from error
            if mode != "delete":
                raise BackupRefused(f"{target_path} is in use: stop every conference process using it, then restore")
            source.backup(target)
    return Copied(path=target_path, size=target_path.stat().st_size, revision=revision)


def _check_backup(source: sqlite3.Connection, path: Path) -> str:
    try:
        verdict = source.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{path} is not a SQLite database ({error})") from error
    if verdict != "ok":
        raise BackupRefused(f"{path} is damaged: {verdict}")
    revision = _revision(source)
    if revision is None:
        raise BackupRefused(f"{path} is not a conference database (no alembic_version)")
    if revision not in known_revisions():
        raise BackupRefused(f"{path} is at revision {revision}, newer than this version of conference knows")
    return revision


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table
        return None
    return None if row is None else str(row[0])


def behind_head(copied: Copied) -> bool:
    return copied.revision != head_revision()
