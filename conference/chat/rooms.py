"""Room chat: members read the history and post; every post is stored, then pushed."""

from __future__ import annotations

from sqlalchemy import select

from conference.accounts.models import User
from conference.chat.models import ChatMessage
from conference.db import iso
from conference.deps import Deps
from conference.errors import RoomEnded, ValidationFailed
from conference.realtime.events import lock_event_log, record_event
from conference.rooms.service import require_member

MAX_CONTENT = 4000


def sender_json(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "login": user.login, "display_name": user.display_name}


def message_json(message: ChatMessage, sender: User | None) -> dict:
    return {
        "id": message.id,
        "room_id": message.room_id,
        "sender": sender_json(sender),
        "content": message.content,
        "client_id": message.client_id,
        "created_at": iso(message.created_at),
    }


async def list_messages(deps: Deps, raw_room_id: str, user_id: str, before: int | None, limit: int) -> dict:
    async with deps.db() as db:
        room, _ = await require_member(db, raw_room_id, user_id)
        query = (
            select(ChatMessage, User)
            .outerjoin(User, User.id == ChatMessage.sender_id)
            .where(ChatMessage.room_id == room.id)
        )
        if before is not None:
            query = query.where(ChatMessage.id < before)
        rows = (await db.execute(query.order_by(ChatMessage.id.desc()).limit(limit + 1))).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [message_json(message, sender) for message, sender in reversed(rows)]
    return {"items": items, "next_before": items[0]["id"] if more and items else None}


async def post_message(deps: Deps, raw_room_id: str, sender: User, content: str, client_id: str | None = None) -> dict:
    if not content.strip() or len(content) > MAX_CONTENT:
        raise ValidationFailed("message must be 1 to 4000 characters", fields={"content": "1 to 4000 characters"})
    async with deps.db() as db:
        room, _ = await require_member(db, raw_room_id, sender.id)
        if room.status == "ended":
            raise RoomEnded()
        await lock_event_log(db)  # message ids then follow the order of their events
        message = ChatMessage(room_id=room.id, sender_id=sender.id, content=content, client_id=client_id)
        db.add(message)
        await db.flush()
        payload = message_json(message, sender)
        event = await record_event(db, "chat.message", payload, room_id=room.id)
        await db.commit()  # stored before anyone is told
    await deps.publish(event)
    return payload
