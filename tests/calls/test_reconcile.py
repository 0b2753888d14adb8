"""The reconcile closes the call history LiveKit no longer shows (lost webhooks), and nothing else."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from conference.calls import reconcile
from conference.calls.models import CallParticipant, CallSession
from conference.db import utcnow
from conference.deps import DEPS
from conference.rooms.models import Room
from tests.bots import bots
from tests.helpers import create_room, join, register

pytestmark = pytest.mark.livekit


async def eventually(check, timeout: float = 20):
    deadline = time.monotonic() + timeout
    while not (result := await check()):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.2)
    return result


async def test_attendance_livekit_no_longer_shows_is_closed_and_the_rest_stays(live_api):
    deps = live_api.server.app[DEPS]
    host = await register(live_api)
    room, gone_room = await create_room(live_api, host), await create_room(live_api, host)
    entry = await join(live_api, host, room["id"])
    await join(live_api, host, gone_room["id"])  # LiveKit has this room too (created before the token)
    long_ago = utcnow() - timedelta(minutes=5)

    async with bots("host") as (bot,):
        await bot.connect(entry["livekit_url"], entry["token"])

        async def live_session():
            async with deps.db() as db:
                return await db.scalar(
                    select(CallSession)
                    .join(CallParticipant, CallParticipant.session_id == CallSession.id)
                    .where(CallSession.room_id == room["id"], CallParticipant.identity == host.id)
                )

        session = await eventually(live_session)  # built by LiveKit's own webhooks

        async def other_session():
            async with deps.db() as db:
                return await db.scalar(select(CallSession).where(CallSession.room_id == gone_room["id"]))

        await eventually(other_session)  # room_started, though nobody came in
        async with deps.db() as db:
            stale = CallSession(room_id=room["id"], livekit_sid="RM_before_a_restart", started_at=long_ago)
            db.add(stale)
            await db.flush()
            db.add_all(
                [
                    CallParticipant(
                        session_id=session.id, identity="ghost", participant_sid="PA_ghost", joined_at=long_ago
                    ),
                    CallParticipant(
                        session_id=session.id, identity="late", participant_sid="PA_late", joined_at=utcnow()
                    ),
                    CallParticipant(
                        session_id=stale.id, identity=host.id, participant_sid="PA_old", joined_at=long_ago
                    ),
                ]
            )
            # The host ended the other room, but LiveKit kept it (someone got back in meanwhile).
            await db.execute(update(Room).where(Room.id == gone_room["id"]).values(status="ended", ended_at=utcnow()))
            await db.commit()

        done = await reconcile.reconcile(deps)
        assert (done.sessions_closed, done.stretches_closed, done.rooms_deleted) == (1, 2, 1)
        async with deps.db() as db:
            open_now = {
                (row.session_id, row.identity)
                for row in await db.scalars(select(CallParticipant).where(CallParticipant.left_at.is_(None)))
            }
            assert open_now == {(session.id, host.id), (session.id, "late")}  # the late one: next round
            assert (await db.get(CallSession, stale.id)).ended_at is not None
            assert (await db.get(CallSession, session.id)).ended_at is None
            ghost = await db.scalar(select(CallParticipant).where(CallParticipant.identity == "ghost"))
            assert ghost.left_at > ghost.joined_at and ghost.duration_s > 250
        assert await deps.livekit.list_rooms([gone_room["id"]]) == {}
        assert (await reconcile.reconcile(deps)).skipped  # one replica per round: the lease is taken
