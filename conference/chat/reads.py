"""Read positions and unread counts. A room's chat keeps one position per reader (read_positions);
direct messages keep `read_at` on each message (direct.mark_read); a group keeps each member's position
on their membership (group_members.last_read_id, groups.messages.mark_read). When a position moves, the reader's
own devices hear `read.position`, so every one of them shows the same counts."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, or_, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession

from conference import throttles
from conference.chat.models import ChatMessage, ReadPosition
from conference.chat.models import DirectMessage as DirectMessageRow
from conference.chat.schemas import ReadPosition as ReadPositionAnswer
from conference.chat.schemas import Unread, UnreadDm, UnreadGroup, UnreadRoom
from conference.chat.upsert import insert_unless_there
from conference.deps import Deps
from conference.errors import NotFound
from conference.groups.models import GroupMember, GroupMessage
from conference.realtime.events import record_event
from conference.rooms.models import Room, RoomMember
from conference.rooms.service import MEMBER_STATES, require_member

MAX_LISTED = 200


async def mark_room_read(deps: Deps, raw_room_id: str, reader_id: str, message_id: int) -> ReadPositionAnswer:
    """Moves the reader's position in a room's chat up to `message_id` (never back)."""
    await throttles.read_mark(deps, reader_id)
    async with deps.db() as db:
        room, _ = await require_member(db, raw_room_id, reader_id)
        message = await db.get(ChatMessage, message_id)
        if message is None or message.room_id != room.id:
            raise NotFound("no message with this id in this room")
        position, moved = await move_position(db, reader_id, "room", room.id, message_id)
        answer = ReadPositionAnswer(
            kind="room",
            conversation_id=room.id,
            message_id=position,
            unread=await room_unread(db, room.id, reader_id, position),
        )
        if not moved:
            return answer
        event = await record_event(db, "read.position", answer, user_id=reader_id)
        await db.commit()
    await deps.publish(event)
    return answer


async def move_position(
    db: AsyncSession, user_id: str, kind: str, conversation_id: str, message_id: int
) -> tuple[int, bool]:
    """Moves a read position forward to `message_id`: where it stands now, and whether it moved.
    Two devices reading at once both succeed; the further one wins."""
    key = (
        ReadPosition.user_id == user_id,
        ReadPosition.kind == kind,
        ReadPosition.conversation_id == conversation_id,
    )
    values = {"user_id": user_id, "kind": kind, "conversation_id": conversation_id, "message_id": message_id}
    if _changed(await db.execute(insert_unless_there(db, ReadPosition, **values))):
        return message_id, True
    forward = update(ReadPosition).where(*key, ReadPosition.message_id < message_id).values(message_id=message_id)
    if _changed(await db.execute(forward)):
        return message_id, True
    return int(await db.scalar(select(ReadPosition.message_id).where(*key)) or 0), False


def _changed(result: object) -> bool:
    return bool(cast(CursorResult[Any], result).rowcount)


async def room_unread(db: AsyncSession, room_id: str, reader_id: str, after: int) -> int:
    count = await db.scalar(
        select(func.count()).where(
            ChatMessage.room_id == room_id,
            ChatMessage.id > after,
            or_(ChatMessage.sender_id.is_(None), ChatMessage.sender_id != reader_id),
            ChatMessage.deleted_at.is_(None),
        )
    )
    return int(count or 0)


async def _rooms(db: AsyncSession, user_id: str) -> list[UnreadRoom]:
    mine = union(
        select(Room.id).where(Room.host_id == user_id),
        select(RoomMember.room_id).where(RoomMember.user_id == user_id, RoomMember.state.in_(MEMBER_STATES)),
    ).subquery()
    position = and_(
        ReadPosition.user_id == user_id,
        ReadPosition.kind == "room",
        ReadPosition.conversation_id == ChatMessage.room_id,
    )
    rows = await db.execute(
        select(ChatMessage.room_id, func.count(), ReadPosition.message_id)
        .outerjoin(ReadPosition, position)
        .where(
            ChatMessage.room_id.in_(select(mine.c.id)),
            ChatMessage.id > func.coalesce(ReadPosition.message_id, 0),
            or_(ChatMessage.sender_id.is_(None), ChatMessage.sender_id != user_id),
            ChatMessage.deleted_at.is_(None),
        )
        .group_by(ChatMessage.room_id, ReadPosition.message_id)
        .order_by(func.max(ChatMessage.id).desc())
        .limit(MAX_LISTED)
    )
    return [UnreadRoom(room_id=room_id, unread=count, last_read_id=last) for room_id, count, last in rows]


async def _dms(db: AsyncSession, user_id: str) -> list[UnreadDm]:
    rows = await db.execute(
        select(DirectMessageRow.sender_id, func.count())
        .where(
            DirectMessageRow.recipient_id == user_id,
            DirectMessageRow.read_at.is_(None),
            DirectMessageRow.deleted_at.is_(None),
        )
        .group_by(DirectMessageRow.sender_id)
        .order_by(func.max(DirectMessageRow.id).desc())
        .limit(MAX_LISTED)
    )
    return [UnreadDm(user_id=sender_id, unread=count) for sender_id, count in rows]


async def _groups(db: AsyncSession, user_id: str) -> list[UnreadGroup]:
    mine = and_(GroupMember.group_id == GroupMessage.group_id, GroupMember.user_id == user_id)
    rows = await db.execute(
        select(GroupMessage.group_id, func.count(), GroupMember.last_read_id)
        .join(GroupMember, mine)
        .where(
            GroupMessage.id > func.coalesce(GroupMember.last_read_id, 0),
            GroupMessage.sender_id.is_distinct_from(user_id),
            GroupMessage.deleted_at.is_(None),
        )
        .group_by(GroupMessage.group_id, GroupMember.last_read_id)
        .order_by(func.max(GroupMessage.id).desc())
        .limit(MAX_LISTED)
    )
    return [UnreadGroup(group_id=group_id, unread=count, last_read_id=last) for group_id, count, last in rows]


async def unread(deps: Deps, user_id: str) -> Unread:
    async with deps.db() as db:
        rooms, dms, groups = await _rooms(db, user_id), await _dms(db, user_id), await _groups(db, user_id)
    total = sum(r.unread for r in rooms) + sum(d.unread for d in dms) + sum(g.unread for g in groups)
    return Unread(total=total, rooms=rooms, dms=dms, groups=groups)
