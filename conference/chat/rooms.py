"""Room chat: members read the history and post; every post is stored, then pushed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from conference import throttles
from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.chat.models import ChatMessage
from conference.chat.schemas import MAX_CONTENT, Message, MessagePage
from conference.deps import Deps
from conference.errors import RoomEnded, ValidationFailed
from conference.integrations.outbox import enqueue as report_to_integrator
from conference.realtime.events import lock_event_log, record_event
from conference.rooms.service import require_member
from conference.uploads import service as uploads
from conference.uploads.schemas import Attachment


def require_content(content: str, attachments: Sequence[str] = ()) -> None:
    """Bodies and frames check the length already; a message of only spaces (and no files) is refused here."""
    if len(content) > MAX_CONTENT or not (content.strip() or attachments):
        raise ValidationFailed("message must be 1 to 4000 characters", fields={"content": "1 to 4000 characters"})


def person_or_none(user: User | None) -> Person | None:
    return Person.model_validate(user) if user is not None else None


def message_of(row: ChatMessage, sender: User | None, attachments: list[Attachment] | None = None) -> Message:
    return Message(
        id=row.id,
        room_id=row.room_id,
        sender=person_or_none(sender),
        content=row.content,
        client_id=row.client_id,
        created_at=row.created_at,
        attachments=attachments or [],
    )


async def list_messages(deps: Deps, raw_room_id: str, user_id: str, before: int | None, limit: int) -> MessagePage:
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
        files = await uploads.attachments_of(db, "room", [row.id for row, _ in rows[:limit]])
    items = [message_of(row, sender, files.get(row.id)) for row, sender in reversed(rows[:limit])]
    return MessagePage(items=items, next_before=items[0].id if len(rows) > limit and items else None)


async def post_message(
    deps: Deps,
    raw_room_id: str,
    sender: User,
    content: str,
    client_id: str | None = None,
    attachments: Sequence[str] = (),
) -> Message:
    require_content(content, attachments)
    await throttles.message(deps, sender.id)
    async with deps.db() as db:
        room, _ = await require_member(db, raw_room_id, sender.id)
        if room.status == "ended":
            raise RoomEnded()
        await lock_event_log(db)  # message ids then follow the order of their events
        row = ChatMessage(room_id=room.id, sender_id=sender.id, content=content, client_id=client_id)
        db.add(row)
        await db.flush()
        files = await uploads.attach(db, "room", row.id, sender.id, attachments)
        message = message_of(row, sender, files)
        event = await record_event(db, "chat.message", message, room_id=room.id)
        await report_to_integrator(db, room.api_key_id, room.id, "chat.message", message)
        await db.commit()  # stored before anyone is told
    await deps.publish(event)
    return message
