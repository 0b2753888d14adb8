"""The retention sweep: deletes rows nobody can use any more, so the tables that grow with traffic stop growing.

What goes, and after how long:
- events older than EVENT_RETENTION_DAYS (default 7), except the newest: a resume from before that
  cannot be replayed and gets a `resync` (realtime/replay.py);
- processed webhook ids after a day: LiveKit redelivers within minutes, not days;
- integrators' webhook messages delivered or given up for longer than WEBHOOK_MESSAGES_KEPT (their
  attempts go with them); pending ones stay, however old;
- refresh tokens expired for longer than an access token lives (spent but unexpired ones stay,
  reuse detection needs them);
- sign-ins revoked longer ago than the refresh lifetime, and sign-ins with no refresh token left that
  could still be used (every access token of theirs has expired too). Deleting one ends nothing new:
  its access tokens already fail, since they need an unrevoked sign-in row. A guest's sign-in has no
  refresh token at all: it goes once its session token can no longer be valid (GUEST_SESSION_TTL_S).

It reaches into several domains' tables on purpose: it is the one place that decides how long data lives.
One replica sweeps at a time: on PostgreSQL each batch takes a transaction-scoped advisory try-lock
and a replica that misses it leaves the round to the holder; SQLite is one process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import ColumnElement, Delete, and_, delete, exists, func, or_, select
from sqlalchemy.engine import CursorResult, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from conference.accounts.models import LoginSession, RefreshToken, User
from conference.calls.models import ProcessedWebhook
from conference.db import utcnow
from conference.deps import DEPS
from conference.integrations.models import WebhookMessage
from conference.realtime.models import Event
from conference.settings import Settings

log = logging.getLogger("conference.retention")
SWEEP_EVERY_S = 3600.0
FIRST_SWEEP_AFTER_S = 60.0  # not in the middle of a (re)start, when replicas are busiest
BATCH = 5000  # rows per delete: short transactions, no long lock on a busy table
WEBHOOK_IDS_KEPT = timedelta(days=1)
WEBHOOK_MESSAGES_KEPT = timedelta(days=3)
# pg_try_advisory_xact_lock key of the sweep ("rete" in ASCII); migrations use another.
POSTGRES_SWEEP_LOCK = 0x72657465


@dataclass
class Pruned:
    """Rows deleted by one sweep, per table; `skipped` when another replica held the sweep."""

    counts: dict[str, int] = field(default_factory=dict)
    skipped: bool = False


@dataclass(frozen=True)
class _Prune:
    table: str
    key: InstrumentedAttribute[str] | InstrumentedAttribute[int]
    condition: ColumnElement[bool]


def _prunes(settings: Settings, now: datetime) -> list[_Prune]:
    access_lifetime = timedelta(seconds=settings.access_token_ttl_s)
    usable_refresh_token = exists().where(
        RefreshToken.session_id == LoginSession.id, RefreshToken.expires_at > now - access_lifetime
    )
    guest = exists().where(User.id == LoginSession.user_id, User.guest_room_id.is_not(None))
    guest_lifetime = timedelta(seconds=settings.guest_session_ttl_s)
    return [
        _Prune(
            "events",
            Event.id,
            # The newest event stays, however old: SQLite gives an emptied table's next row id 1, which
            # every replica's stream (and every client's `after`) would take for an event already seen.
            (Event.created_at < now - timedelta(days=settings.event_retention_days))
            & (Event.id < select(func.max(Event.id)).scalar_subquery()),
        ),
        _Prune("processed_webhooks", ProcessedWebhook.event_id, ProcessedWebhook.received_at < now - WEBHOOK_IDS_KEPT),
        # Sign-ins before their tokens: "no usable token left" must see the tokens that are about to go.
        _Prune(
            "login_sessions",
            LoginSession.id,
            or_(
                LoginSession.revoked_at < now - timedelta(seconds=settings.refresh_token_ttl_s),
                and_(~guest, ~usable_refresh_token),
                and_(guest, LoginSession.created_at < now - guest_lifetime),
            ),
        ),
        _Prune("refresh_tokens", RefreshToken.token_hash, RefreshToken.expires_at < now - access_lifetime),
        _Prune(
            "webhook_messages",
            WebhookMessage.id,
            and_(WebhookMessage.status != "pending", WebhookMessage.finished_at < now - WEBHOOK_MESSAGES_KEPT),
        ),
    ]


async def sweep(db: async_sessionmaker[AsyncSession], settings: Settings, now: datetime | None = None) -> Pruned:
    postgres = make_url(settings.database_url).get_backend_name() == "postgresql"
    pruned = Pruned()
    for prune in _prunes(settings, now or utcnow()):
        statement = (
            delete(prune.key.class_)
            .where(prune.key.in_(select(prune.key).where(prune.condition).limit(BATCH)))
            .execution_options(synchronize_session=False)
        )
        deleted = await _delete_in_batches(db, statement, postgres)
        if deleted is None:
            pruned.skipped = True
            return pruned
        pruned.counts[prune.table] = deleted
    return pruned


async def _delete_in_batches(db: async_sessionmaker[AsyncSession], statement: Delete, postgres: bool) -> int | None:
    total = 0
    while True:
        async with db() as session:
            if postgres and not await session.scalar(select(func.pg_try_advisory_xact_lock(POSTGRES_SWEEP_LOCK))):
                return None
            result: CursorResult[Any] = await session.execute(statement)  # type: ignore[assignment]
            deleted = result.rowcount
            await session.commit()
        total += deleted
        if deleted < BATCH:
            return total


async def sweeper(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: sweeps a minute after start, then hourly, for the app's lifetime."""
    task = asyncio.create_task(_sweep_forever(app))
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _sweep_forever(app: web.Application) -> None:
    await asyncio.sleep(FIRST_SWEEP_AFTER_S)
    while True:
        deps = app[DEPS]
        try:
            pruned = await sweep(deps.db, deps.settings)
        except asyncio.CancelledError:
            raise
        except Exception:  # a database outage must not end the sweeping for good
            log.exception("retention sweep failed; retrying in %.0f s", SWEEP_EVERY_S)
        else:
            if pruned.skipped:
                log.debug("retention sweep left to another replica")
            elif any(pruned.counts.values()):
                log.info("retention sweep deleted %s", pruned.counts)
        await asyncio.sleep(SWEEP_EVERY_S)
