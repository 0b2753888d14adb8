"""Direct calls: one user rings another; the media goes through a locked room of kind "call".

ringing → accepted (callee) | declined (callee) | cancelled (caller) | missed (nobody answered
within `call_ring_timeout_s`). Every transition is a conditional update of a ringing row, so
two replicas (or a click racing the timeout) cannot both win; the winner tells both sides.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from conference.accounts.models import User
from conference.calls.models import DirectCall
from conference.chat.rooms import sender_json
from conference.db import iso, utcnow
from conference.deps import Deps
from conference.errors import Busy, Conflict, Forbidden, NotFound, ValidationFailed
from conference.realtime.events import record_event
from conference.rooms.models import Room, RoomMember
from conference.rooms.service import create_room, join_room

log = logging.getLogger("conference.calls")
ANSWERED_GRACE_S = 60  # an accepted call counts as busy this long even before anyone joins the media


def call_json(call: DirectCall, caller: User | None, callee: User | None, ring_timeout_s: float) -> dict:
    return {
        "id": call.id,
        "call_id": call.id,
        "room_id": call.room_id,
        "status": call.status,
        "caller": sender_json(caller),
        "callee": sender_json(callee),
        "created_at": iso(call.created_at),
        "expires_at": iso(call.created_at + timedelta(seconds=ring_timeout_s)),
        "answered_at": iso(call.answered_at),
        "ended_at": iso(call.ended_at),
    }


async def start_call(deps: Deps, caller: User, callee_id: str) -> dict:
    if callee_id == caller.id:
        raise ValidationFailed("you cannot call yourself", fields={"user_id": "must be another user"})
    async with deps.db() as db:
        callee = await db.get(User, callee_id)
        if callee is None:
            raise NotFound("no user with this id")
        if await _busy(deps, callee.id):
            raise Busy()
    name = f"{caller.display_name} · {callee.display_name}"[:100]
    room = await create_room(deps, name=name, max_participants=2, waiting_room=False, host_id=caller.id, kind="call")
    async with deps.db() as db:
        room = await db.get(Room, room.id)
        room.locked = True  # only the two of them; both are members, so both may join
        db.add(RoomMember(room_id=room.id, user_id=callee.id, role="participant", state="left"))
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
        payload = call_json(call, caller, callee, deps.settings.call_ring_timeout_s)
        event = await record_event(db, "call.ring", payload, user_id=callee.id)
        await db.commit()
    await deps.publish(event)
    return payload


async def _busy(deps: Deps, user_id: str) -> bool:
    """In a call that still rings, or was answered and still has someone in its media room."""
    timeout = timedelta(seconds=deps.settings.call_ring_timeout_s)
    async with deps.db() as db:
        calls = list(
            await db.scalars(
                select(DirectCall).where(
                    or_(DirectCall.caller_id == user_id, DirectCall.callee_id == user_id),
                    DirectCall.status.in_(("ringing", "accepted")),
                )
            )
        )
        for call in calls:
            if call.status == "ringing":
                if utcnow() - call.created_at < timeout:
                    return True
                continue  # the sweeper ends it any moment
            room = await db.get(Room, call.room_id)
            if room is not None and room.status != "ended":
                if call.answered_at and (utcnow() - call.answered_at).total_seconds() < ANSWERED_GRACE_S:
                    return True
                if await deps.livekit.list_participants(room.id):
                    return True
            call.status, call.ended_at = "ended", utcnow()
        await db.commit()
    return False


async def _load(deps: Deps, call_id: str) -> DirectCall:
    async with deps.db() as db:
        call = await db.get(DirectCall, call_id)
    if call is None:
        raise NotFound("no call with this id")
    return call


async def accept(deps: Deps, call_id: str, user: User) -> dict:
    call = await _load(deps, call_id)
    if call.callee_id != user.id:
        raise Forbidden("only the person called can accept")
    if not await _finish(deps, call.id, "accepted", "call.accepted"):
        raise Conflict("this call is no longer ringing")
    joined = await join_room(deps, call.room_id, user)
    return {
        "token": joined["token"],
        "livekit_url": joined["livekit_url"],
        "room_id": call.room_id,
        "identity": joined["identity"],
        "expires_at": joined["expires_at"],
        "call_id": call.id,
    }


async def decline(deps: Deps, call_id: str, user: User) -> dict:
    call = await _load(deps, call_id)
    if call.callee_id != user.id:
        raise Forbidden("only the person called can decline")
    return await _end_ringing(deps, call, "declined", "call.declined")


async def cancel(deps: Deps, call_id: str, user: User) -> dict:
    call = await _load(deps, call_id)
    if call.caller_id != user.id:
        raise Forbidden("only the caller can cancel")
    return await _end_ringing(deps, call, "cancelled", "call.cancelled")


async def _end_ringing(deps: Deps, call: DirectCall, status: str, event_type: str) -> dict:
    payload = await _finish(deps, call.id, status, event_type)
    if payload is None:
        raise Conflict("this call is no longer ringing")
    return payload


async def _finish(deps: Deps, call_id: str, status: str, event_type: str) -> dict | None:
    """Moves a ringing call to `status` and tells both sides; None when it was not ringing."""
    now = utcnow()
    values = {"status": status, "answered_at": now} if status == "accepted" else {"status": status, "ended_at": now}
    async with deps.db() as db:
        changed = await db.execute(
            update(DirectCall).where(DirectCall.id == call_id, DirectCall.status == "ringing").values(**values)
        )
        if not changed.rowcount:
            return None
        call = await db.get(DirectCall, call_id)
        await db.refresh(call)
        if status != "accepted":
            room = await db.get(Room, call.room_id)
            if room is not None and room.status != "ended":
                room.status, room.ended_at = "ended", now
        users = {u.id: u for u in await db.scalars(select(User).where(User.id.in_([call.caller_id, call.callee_id])))}
        payload = call_json(
            call, users.get(call.caller_id), users.get(call.callee_id), deps.settings.call_ring_timeout_s
        )
        # Both sides: the other party learns the outcome, the callee's other devices stop ringing.
        events = [
            await record_event(db, event_type, payload, user_id=call.caller_id),
            await record_event(db, event_type, payload, user_id=call.callee_id),
        ]
        await db.commit()
    await deps.publish(*events)
    return payload


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
    """Runs for the app's lifetime: rings end within a fraction of their timeout."""
    every = min(2.0, max(0.1, deps.settings.call_ring_timeout_s / 5))
    while True:
        await asyncio.sleep(every)
        try:
            await expire_overdue(deps)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not expire unanswered calls")


async def ringing_for(db, callee_id: str) -> tuple[set[str], datetime | None]:
    """Ids of the calls ringing for this user, and when the oldest of them started."""
    rows = (
        await db.execute(
            select(DirectCall.id, DirectCall.created_at).where(
                DirectCall.callee_id == callee_id, DirectCall.status == "ringing"
            )
        )
    ).all()
    return {row.id for row in rows}, min((row.created_at for row in rows), default=None)
