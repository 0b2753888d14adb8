"""Alembic migrations of the schema (versions/), and what the app and the CLI need to apply them.

`migrate(url)` brings a database to head (`conference migrate`); `ensure_schema` is the startup
check; `postgres_sql()` prints head as SQL (init.sql); `new_revision` writes the next revision.
"""

from conference.migrations.revisions import new_revision
from conference.migrations.scripts import BASELINE, head_revision, postgres_sql
from conference.migrations.state import SchemaNotCurrent, SchemaState, ensure_schema, schema_state
from conference.migrations.upgrade import Migrated, MigrationRefused, migrate

__all__ = [
    "BASELINE",
    "Migrated",
    "MigrationRefused",
    "SchemaNotCurrent",
    "SchemaState",
    "ensure_schema",
    "head_revision",
    "migrate",
    "new_revision",
    "postgres_sql",
    "schema_state",
]
