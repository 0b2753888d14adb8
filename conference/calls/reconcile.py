"""The periodic reconcile of call history with LiveKit, so lost or late webhooks (LiveKit restarted, the
app was away when it posted) do not leave calls open forever.

Every `livekit_reconcile_s` one replica (a lease in the limiter, shared through Redis when configured)
reads the sessions still open, asks LiveKit which of their rooms it has (ListRooms) and who is in each
(ListParticipants) with no database connection held, then closes what LiveKit does not show: a session
whose room LiveKit no longer has, or has under another sid (it was recreated: a new session follows from
its webhooks), with all its attendance; and each stretch whose participant LiveKit no longer lists. The
time of closing is when LiveKit answered, at most one period after the real leave. Rooms the app ended
that LiveKit still has (someone got back in while `end` ran) are deleted again.

What began within `GRACE_S` (or two periods, when shorter) of LiveKit's answer is left for a later
round: its webhook may still be on its way. When LiveKit cannot be asked, nothing is closed: an outage
says nothing about who left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import select, update

from conference.calls.models import CallParticipant, CallSession
from conference.db import utcnow
from conference.deps import DEPS, Deps
from conference.errors import LiveKitUnavailable
from conference.rooms.service import ended_rooms

log = logging.getLogger("conference.reconcile")
GRACE_S = 10.0
LEASE = "lease:livekit-reconcile"


@dataclass
class Reconciled:
    sessions_closed: int = 0
    stretches_closed: int = 0
    rooms_deleted: int = 0
    skipped: bool = False  # another replica holds this round, or LiveKit could not be asked


@dataclass(frozen=True)
class _Open:
    """What the database believes is live."""

    sessions: list[CallSession]
    stretches: list[CallParticipant]
    ended: set[str]  # rooms among them that the app ended


async def _open_calls(deps: Deps) -> _Open:
    async with deps.db() as db:
        sessions = list(await db.scalars(select(CallSession).where(CallSession.ended_at.is_(None))))
        stretches = list(
            await db.scalars(
                select(CallParticipant).where(
                    CallParticipant.session_id.in_([s.id for s in sessions]), CallParticipant.left_at.is_(None)
                )
            )
        )
        ended = await ended_rooms(db, {s.room_id for s in sessions})
    return _Open(sessions, stretches, ended)


async def reconcile(deps: Deps) -> Reconciled:
    lease_s = max(1, int(deps.settings.livekit_reconcile_s * 0.8))
    if not await deps.limiter.hold(LEASE, lease_s):
        return Reconciled(skipped=True)
    known = await _open_calls(deps)
    if not known.sessions:
        return Reconciled()
    try:
        live = await deps.livekit.list_rooms(sorted({s.room_id for s in known.sessions}))
        asked_at = utcnow()
        present: dict[str, set[str]] = {}  # room -> participant sids and identities LiveKit lists
        for room_id in live:
            participants = await deps.livekit.list_participants(room_id)
            present[room_id] = {p.sid for p in participants} | {p.identity for p in participants}
        deleted = 0
        for room_id in sorted(known.ended & set(live)):
            await deps.livekit.delete_room(room_id)
            deps.occupancy.forget(room_id)
            deleted += 1
    except LiveKitUnavailable:
        log.warning("LiveKit could not be asked; call history is reconciled next round")
        return Reconciled(skipped=True)
    done = await _close(deps, known, live, present, asked_at)
    done.rooms_deleted = deleted
    if done.sessions_closed or done.stretches_closed or deleted:
        log.info("reconciled call history with LiveKit: %s", done)
    return done


async def _close(
    deps: Deps, known: _Open, live: dict[str, str], present: dict[str, set[str]], asked_at: datetime
) -> Reconciled:
    settled = asked_at - timedelta(seconds=min(GRACE_S, 2 * deps.settings.livekit_reconcile_s))
    gone_sessions = {s.id for s in known.sessions if live.get(s.room_id) != s.livekit_sid and s.started_at < settled}
    room_of = {s.id: s.room_id for s in known.sessions}
    done = Reconciled()
    async with deps.db() as db:
        for session_id in gone_sessions:
            closed = await db.execute(
                update(CallSession)
                .where(CallSession.id == session_id, CallSession.ended_at.is_(None))
                .values(ended_at=asked_at)
            )
            done.sessions_closed += closed.rowcount  # type: ignore[attr-defined]
        for stretch in known.stretches:
            here = present.get(room_of[stretch.session_id], set())
            still_there = (stretch.participant_sid or stretch.identity) in here
            if stretch.session_id in gone_sessions or (not still_there and stretch.joined_at < settled):
                left_at = max(asked_at, stretch.joined_at)
                closed = await db.execute(
                    update(CallParticipant)
                    .where(CallParticipant.id == stretch.id, CallParticipant.left_at.is_(None))
                    .values(left_at=left_at, duration_s=round((left_at - stretch.joined_at).total_seconds(), 3))
                )
                done.stretches_closed += closed.rowcount  # type: ignore[attr-defined]
        await db.commit()
    return done


async def reconciler(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: reconciles every `livekit_reconcile_s` for the app's lifetime."""
    task = asyncio.create_task(_reconcile_forever(app), name="livekit-reconcile")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def _reconcile_forever(app: web.Application) -> None:
    while True:
        deps = app[DEPS]
        await asyncio.sleep(deps.settings.livekit_reconcile_s)
        try:
            await reconcile(deps)
        except asyncio.CancelledError:
            raise
        except Exception:  # the database or Redis away: the next round tries again
            log.warning("could not reconcile call history with LiveKit", exc_info=True)
