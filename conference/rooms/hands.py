"""Raised hands: each room's queue, kept in the database (so it outlives a reconnect) and pushed
to the room as `hands.changed` whenever it moves. First raised, first in line."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.deps import Deps
from conference.errors import Conflict, Forbidden, RoomEnded
from conference.realtime.events import record_event
from conference.realtime.models import Event
from conference.rooms.models import RaisedHand as HandRow
from conference.rooms.models import Room as RoomRow
from conference.rooms.models import RoomMember
from conference.rooms.schemas import HandChange, HandQueue, HandsChanged, RaisedHand
from conference.rooms.service import require_host, require_member

# Raising and lowering is a click; more than this a minute is a stuck key or a script.
HAND_CHANGES_PER_MINUTE = 60


async def _items(db: AsyncSession, room_id: str) -> list[RaisedHand]:
    """The queue of people in the call now (someone who left or was removed drops out of it)."""
    rows = await db.execute(
        select(HandRow, User)
        .join(User, User.id == HandRow.user_id)
        .join(RoomMember, (RoomMember.room_id == HandRow.room_id) & (RoomMember.user_id == HandRow.user_id))
        .where(HandRow.room_id == room_id, RoomMember.state == "joined")
        .order_by(HandRow.id)
    )
    return [RaisedHand(user=Person.model_validate(user), raised_at=hand.raised_at) for hand, user in rows.all()]


async def queue(deps: Deps, raw_id: str, user_id: str) -> HandQueue:
    async with deps.db() as db:
        room, _ = await require_member(db, raw_id, user_id)
        return HandQueue(room_id=room.id, items=await _items(db, room.id))


async def _changed(
    db: AsyncSession, room: RoomRow, change: HandChange, user_id: str | None, by: str
) -> tuple[HandQueue, Event]:
    items = await _items(db, room.id)
    news = HandsChanged(room_id=room.id, items=items, change=change, user_id=user_id, by=by)
    event = await record_event(db, "hands.changed", news, room_id=room.id)
    await db.commit()
    return HandQueue(room_id=room.id, items=items), event


async def raise_hand(deps: Deps, raw_id: str, user_id: str) -> HandQueue:
    """Puts the caller's hand up; raising it again keeps its place in the line."""
    await deps.limiter.hit(f"hand:{user_id}", HAND_CHANGES_PER_MINUTE)
    async with deps.db() as db:
        room, _ = await require_member(db, raw_id, user_id)
        if room.status == "ended":
            raise RoomEnded()
        member = await db.get(RoomMember, (room.id, user_id))
        if member is None or member.state != "joined":
            raise Conflict("join the call before raising your hand")
        if await db.scalar(select(HandRow.id).where(HandRow.room_id == room.id, HandRow.user_id == user_id)):
            return HandQueue(room_id=room.id, items=await _items(db, room.id))
        db.add(HandRow(room_id=room.id, user_id=user_id))
        await db.flush()
        answer, event = await _changed(db, room, "raised", user_id, user_id)
    await deps.publish(event)
    return answer


async def lower_hand(deps: Deps, raw_id: str, caller_id: str, user_id: str) -> HandQueue:
    """Lowers one hand: one's own, or anyone's for a host. A hand already down changes nothing."""
    await deps.limiter.hit(f"hand:{caller_id}", HAND_CHANGES_PER_MINUTE)
    async with deps.db() as db:
        room, role = await require_member(db, raw_id, caller_id)
        if caller_id != user_id and role != "host":
            raise Forbidden("only a host can lower someone else's hand")
        gone = await db.execute(delete(HandRow).where(HandRow.room_id == room.id, HandRow.user_id == user_id))
        if not getattr(gone, "rowcount", 0):
            return HandQueue(room_id=room.id, items=await _items(db, room.id))
        answer, event = await _changed(db, room, "lowered", user_id, caller_id)
    await deps.publish(event)
    return answer


async def lower_all(deps: Deps, raw_id: str, host_id: str) -> HandQueue:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        gone = await db.execute(delete(HandRow).where(HandRow.room_id == room.id))
        if not getattr(gone, "rowcount", 0):
            return HandQueue(room_id=room.id, items=[])
        answer, event = await _changed(db, room, "cleared", None, host_id)
    await deps.publish(event)
    return answer


async def drop_on_leave(db: AsyncSession, room: RoomRow, user_id: str) -> list[Event]:
    """Someone left the call: their hand goes down, in the leaving transaction (which commits)."""
    gone = await db.execute(delete(HandRow).where(HandRow.room_id == room.id, HandRow.user_id == user_id))
    if not getattr(gone, "rowcount", 0):
        return []
    items = await _items(db, room.id)
    news = HandsChanged(room_id=room.id, items=items, change="lowered", user_id=user_id, by=user_id)
    return [await record_event(db, "hands.changed", news, room_id=room.id)]
