"""Command line for durable data: migrate, revision, backup, restore (registered by __main__).

They need only the database, so they read DATABASE_URL alone: a one-shot `conference migrate`
job does not have to carry the app's secrets.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from conference.settings import Settings

COMMANDS = ("migrate", "revision", "backup", "restore")


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    commands.add_parser(
        "migrate", help="upgrade the database to the newest schema (idempotent; replicas may run it at once)"
    )
    revision = commands.add_parser("revision", help="write the next migration: what takes head to the models")
    revision.add_argument("message", help="what the change does, e.g. 'rooms topic'")
    revision.add_argument("--database-url", help="compare against this scratch database (default: SQLite)")
    revision.add_argument("--empty", action="store_true", help="no autogenerate: an empty revision to fill in")
    backup = commands.add_parser("backup", help="copy the SQLite database to PATH, while the app runs")
    backup.add_argument("path", type=Path)
    restore = commands.add_parser("restore", help="replace the SQLite database with the backup at PATH (app stopped)")
    restore.add_argument("path", type=Path)


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or Settings.database_url


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError  # here: `conference init` runs on a bare Python without it

    from conference.backup import BackupRefused
    from conference.migrations import MigrationRefused

    try:
        if args.command == "migrate":
            return asyncio.run(_migrate())
        if args.command == "revision":
            return asyncio.run(_revision(args.message, args.database_url, args.empty))
        if args.command == "backup":
            return _backup(args.path)
        return _restore(args.path)
    except (MigrationRefused, BackupRefused) as error:
        print(f"conference: {error}", file=sys.stderr)
        return 1
    except (OSError, DBAPIError) as error:
        print(f"conference: cannot reach the database: {error}", file=sys.stderr)
        return 1


async def _migrate() -> int:
    from conference.migrations import BASELINE, migrate

    _show_alembic_steps()
    migrated = await migrate(database_url())
    if migrated.adopted:
        print(f"adopted a database created before migrations as {BASELINE}: its tables match")
    if migrated.before == migrated.after:
        print(f"database already at {migrated.after}")
    else:
        before = migrated.before or (BASELINE if migrated.adopted else "an empty database")
        print(f"database migrated from {before} to {migrated.after}")
    return 0


def _show_alembic_steps() -> None:
    """Alembic's "Running upgrade a -> b" lines on stderr (scripts.py filters out its other chatter)."""
    handler = logging.StreamHandler()
    alembic_log = logging.getLogger("alembic.runtime.migration")
    alembic_log.addHandler(handler)
    alembic_log.setLevel(logging.INFO)


async def _revision(message: str, scratch_url: str | None, empty: bool) -> int:
    from conference.migrations import new_revision

    path = await new_revision(message, database_url=scratch_url, empty=empty)
    print(f"wrote {path}: read it, run `ruff format` on it, and test it (docs/operations.md)")
    return 0


def _backup(path: Path) -> int:
    from conference.backup import backup

    copied = backup(database_url(), path)
    print(f"backed up to {copied.path} ({copied.size} bytes, revision {copied.revision})")
    return 0


def _restore(path: Path) -> int:
    from conference.backup import behind_head, restore

    copied = restore(database_url(), path)
    print(f"restored {copied.path} from {path} (revision {copied.revision})")
    if behind_head(copied):
        print("the backup is older than this version's schema; run: conference migrate")
    return 0
