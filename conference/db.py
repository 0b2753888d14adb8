"""Database engine, session factory and the declarative Base; models live with their domain."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from sqlalchemy import BigInteger, DateTime, Dialect, Integer, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

# A stopped or restarting PostgreSQL refuses a connect at once; this bounds one that does not answer
# at all (a dead network link), and leaves room for a busy machine to fork backends for a burst.
CONNECT_TIMEOUT_S = 5.0
POOL_TIMEOUT_S = 5.0  # every connection busy this long is a stall worth an answer (503) instead

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer, "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both backends (SQLite forgets the zone on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        # Connections are kept open (each aiosqlite connection is a thread; reopening one costs more
        # than the query) and not reset on return, since sessions already roll back on close.
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, pool_size=20, max_overflow=0, pool_reset_on_return=None
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # No pre-ping: it doubles the round trips of every session; stale connections are recycled instead,
    # and the first one found broken marks every older one for replacement (SQLAlchemy invalidates the
    # pool on a disconnect). Deadlines keep an outage from hanging requests: an unanswered connect fails
    # within CONNECT_TIMEOUT_S and a request waits POOL_TIMEOUT_S at most for a connection; both end as
    # 503 database_unavailable (errors.database_is_down).
    return create_async_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_recycle=1800,
        pool_timeout=POOL_TIMEOUT_S,
        connect_args={"timeout": CONNECT_TIMEOUT_S},
    )


@contextlib.asynccontextmanager
async def single_read(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for one SELECT that needs no transaction around it (the token path's cache
    refreshes): on PostgreSQL it runs in autocommit, which spares the BEGIN and ROLLBACK round trips,
    two of its three statements. SQLite's driver starts no transaction for a SELECT anyway."""
    async with sessions() as session:
        bind = session.bind
        if bind is not None and bind.dialect.name == "postgresql":
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session


def import_models() -> None:
    """Import every domain's models so Base.metadata knows all tables (migrations autogenerate against it)."""
    from conference.accounts import models as _accounts  # noqa: F401
    from conference.calls import models as _calls  # noqa: F401
    from conference.chat import models as _chat  # noqa: F401
    from conference.groups import models as _groups  # noqa: F401
    from conference.integrations import models as _integrations  # noqa: F401
    from conference.realtime import models as _realtime  # noqa: F401
    from conference.recordings import models as _recordings  # noqa: F401
    from conference.rooms import models as _rooms  # noqa: F401
    from conference.uploads import models as _uploads  # noqa: F401
