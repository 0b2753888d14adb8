"""Direct calls: one user rings another; the media goes through a locked room of kind "call",
which the rooms domain opens and closes on the calls domain's behalf.

ringing → accepted (callee) | declined (callee) | cancelled (caller) | missed (nobody answered
within `call_ring_timeout_s`). Every transition is a conditional update of a ringing row, so
two replicas (or a click racing the timeout) cannot both win; the winner tells both sides.

A callee is busy while in an answered call, not while a call rings for them: rings from several
callers may wait at once, so nobody can keep a person "busy" by ringing them over and over. A
caller rings a given callee once at a time and `calls_per_minute` times a minute at most.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conference import throttles
from conference.accounts.models import User
from conference.accounts.service import other_user
from conference.calls.models import DirectCall
from conference.calls.schemas import Call, CallMedia, CallStatus
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import Busy, Conflict, Forbidden, NotFound, database_is_down
from conference.realtime.events import record_event
from conference.rooms.joining import join_call_room
from conference.rooms.service import end_call_room, open_call_room, room_is_active

log = logging.getLogger("conference.calls")
ANSWERED_GRACE_S = 60  # an accepted call counts as busy this long even before anyone joins the media


async def start_call(deps: Deps, caller: User, callee_id: str) -> Call:
    await throttles.call(deps, caller.id)
    async with deps.db() as db:
        callee = await other_user(db, caller.id, callee_id)
        if await _ringing_between(db, caller.id, callee.id, deps.settings.call_ring_timeout_s):
            raise Conflict("you are already ringing this person; cancel that call to ring again")
    if await _busy(deps, callee.id):
        raise Busy()
    room = await open_call_room(deps, caller, callee)
    async with deps.db() as db:
        call = DirectCall(
            id=uuid.uuid4().hex,
            room_id=room.id,
            caller_id=caller.id,
            callee_id=callee.id,
            status="ringing",
            created_at=utcnow(),
        )
        db.add(call)
        await db.flush()
        ring = Call.of(call, caller, callee, deps.settings.call_ring_timeout_s)
        event = await record_event(db, "call.ring", ring, user_id=callee.id)
        await db.commit()
    await deps.publish(event)
    return ring


async def ring_members(deps: Deps, caller: User, room_id: str, callee_ids: list[str]) -> list[Call]:
    """Rings people into a room that is already open (a group's call): one call per callee, each answered,
    declined or missed on its own like a direct call. Those already ringing in this room are skipped;
    the caller's throttle is counted by whoever asks for the rings."""
    async with deps.db() as db:
        ringing_now = set(
            await db.scalars(
                select(DirectCall.callee_id).where(DirectCall.room_id == room_id, DirectCall.status == "ringing")
            )
        )
        callees = list(
            await db.scalars(
                select(User).where(User.id.in_([c for c in callee_ids if c != caller.id and c not in ringing_now]))
            )
        )
        rings, events = [], []
        for callee in sorted(callees, key=lambda user: user.id):
            call = DirectCall(
                id=uuid.uuid4().hex,
                room_id=room_id,
                caller_id=caller.id,
                callee_id=callee.id,
                status="ringing",
                created_at=utcnow(),
            )
            db.add(call)
            await db.flush()
            ring = Call.of(call, caller, callee, deps.settings.call_ring_timeout_s)
            rings.append(ring)
            events.append(await record_event(db, "call.ring", ring, user_id=callee.id))
        await db.commit()
    await deps.publish(*events)
    return rings


async def _ringing_between(db: AsyncSession, caller_id: str, callee_id: str, timeout_s: float) -> bool:
    since = utcnow() - timedelta(seconds=timeout_s)
    ringing = await db.scalar(
        select(DirectCall.id).where(
            DirectCall.caller_id == caller_id,
            DirectCall.callee_id == callee_id,
            DirectCall.status == "ringing",
            DirectCall.created_at > since,  # an older one is about to end as missed
        )
    )
    return ringing is not None


async def _busy(deps: Deps, user_id: str) -> bool:
    """In an answered call that still has someone in its media room (or was answered just now).
    LiveKit is asked with no database connection held; calls found empty are closed afterwards."""
    async with deps.db() as db:
        calls = list(
            await db.scalars(
                select(DirectCall).where(
                    or_(DirectCall.caller_id == user_id, DirectCall.callee_id == user_id),
                    DirectCall.status == "accepted",
                )
            )
        )
        active = {call.id for call in calls if await room_is_active(db, call.room_id)}
    over = []
    for call in calls:
        if call.id in active:
            if call.answered_at and (utcnow() - call.answered_at).total_seconds() < ANSWERED_GRACE_S:
                return True
            if await deps.livekit.list_participants(call.room_id):
                return True
        over.append(call.id)
    if over:
        async with deps.db() as db:
            await db.execute(
                update(DirectCall)
                .where(DirectCall.id.in_(over), DirectCall.status == "accepted")
                .values(status="ended", ended_at=utcnow())
            )
            await db.commit()
    return False


async def _load(deps: Deps, call_id: str) -> DirectCall:
    async with deps.db() as db:
        call = await db.get(DirectCall, call_id)
    if call is None:
        raise NotFound("no call with this id")
    return call


async def accept(deps: Deps, call_id: str, user: User) -> CallMedia:
    """Joins the call's room first and marks the call accepted after: a join that fails (LiveKit away,
    503) leaves the call ringing, so accepting again works. Accepting a call already accepted (the
    answer was lost on the way) joins again and answers the same, with no second `call.accepted`."""
    call = await _load(deps, call_id)
    if call.callee_id != user.id:
        raise Forbidden("only the person called can accept")
    if call.status not in ("ringing", "accepted"):
        raise Conflict("this call is no longer ringing")
    joined = await join_call_room(deps, call.room_id, user)
    if call.status == "ringing" and await _finish(deps, call.id, "accepted", "call.accepted") is None:
        if (await _load(deps, call.id)).status != "accepted":  # not a twin request of mine that won
            raise Conflict("this call is no longer ringing")  # cancelled, missed or declined meanwhile
    return CallMedia(
        token=joined.token,
        livekit_url=joined.livekit_url,
        identity=joined.identity,
        expires_at=joined.expires_at,
        room_id=call.room_id,
        call_id=call.id,
    )


async def decline(deps: Deps, call_id: str, user: User) -> Call:
    call = await _load(deps, call_id)
    if call.callee_id != user.id:
        raise Forbidden("only the person called can decline")
    return await _end_ringing(deps, call, "declined", "call.declined")


async def cancel(deps: Deps, call_id: str, user: User) -> Call:
    call = await _load(deps, call_id)
    if call.caller_id != user.id:
        raise Forbidden("only the caller can cancel")
    return await _end_ringing(deps, call, "cancelled", "call.cancelled")


async def _end_ringing(deps: Deps, call: DirectCall, status: CallStatus, event_type: str) -> Call:
    ended = await _finish(deps, call.id, status, event_type)
    if ended is None:
        raise Conflict("this call is no longer ringing")
    return ended


async def _finish(deps: Deps, call_id: str, status: CallStatus, event_type: str) -> Call | None:
    """Moves a ringing call to `status` and tells both sides; None when it was not ringing."""
    now = utcnow()
    when = {"answered_at": now} if status == "accepted" else {"ended_at": now}
    async with deps.db() as db:
        call = await db.scalar(
            update(DirectCall)
            .where(DirectCall.id == call_id, DirectCall.status == "ringing")
            .values(status=status, **when)
            .returning(DirectCall)
        )
        if call is None:
            return None
        if status != "accepted":
            await end_call_room(db, call.room_id)
        users = {u.id: u for u in await db.scalars(select(User).where(User.id.in_([call.caller_id, call.callee_id])))}
        outcome = Call.of(call, users.get(call.caller_id), users.get(call.callee_id), deps.settings.call_ring_timeout_s)
        # Both sides: the other party learns the outcome, the callee's other devices stop ringing.
        events = [
            await record_event(db, event_type, outcome, user_id=call.caller_id),
            await record_event(db, event_type, outcome, user_id=call.callee_id),
        ]
        await db.commit()
    await deps.publish(*events)
    return outcome


async def expire_overdue(deps: Deps) -> int:
    """Ends calls nobody answered in time as missed; any replica may run this."""
    cutoff = utcnow() - timedelta(seconds=deps.settings.call_ring_timeout_s)
    async with deps.db() as db:
        overdue = list(
            await db.scalars(
                select(DirectCall.id).where(DirectCall.status == "ringing", DirectCall.created_at <= cutoff)
            )
        )
    for call_id in overdue:
        await _finish(deps, call_id, "missed", "call.cancelled")
    return len(overdue)


async def watch_rings(deps: Deps) -> None:
    """Runs for the app's lifetime (app.py's ring_sweeper): rings end within a fraction of their timeout."""
    every = min(2.0, max(0.1, deps.settings.call_ring_timeout_s / 5))
    while True:
        await asyncio.sleep(every)
        try:
            await expire_overdue(deps)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if database_is_down(error):
                log.warning("could not expire unanswered calls: the database is unreachable")
            else:
                log.exception("could not expire unanswered calls")


async def ringing_for(db: AsyncSession, callee_id: str) -> tuple[set[str], datetime | None]:
    """Ids of the calls ringing for this user, and when the oldest of them started."""
    rows = (
        await db.execute(
            select(DirectCall.id, DirectCall.created_at).where(
                DirectCall.callee_id == callee_id, DirectCall.status == "ringing"
            )
        )
    ).all()
    return {row.id for row in rows}, min((row.created_at for row in rows), default=None)
