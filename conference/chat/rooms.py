"""Room chat: members read the history and post; every post is stored, then pushed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from conference import throttles
from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.chat.extras import NO_EXTRAS, Extras, extras_of, require_original
from conference.chat.models import ChatMessage
from conference.chat.paging import PageCursor, window
from conference.chat.schemas import MAX_CONTENT, Message, MessagePage
from conference.deps import Deps
from conference.errors import RoomEnded, ValidationFailed
from conference.integrations.outbox import enqueue as report_to_integrator
from conference.realtime.events import lock_event_log, record_event
from conference.rooms.service import require_member
from conference.uploads import service as uploads


def require_content(content: str, attachments: Sequence[str] = ()) -> None:
    """Bodies and frames check the length already; a message of only spaces (and no files) is refused here."""
    if len(content) > MAX_CONTENT or not (content.strip() or attachments):
        raise ValidationFailed("message must be 1 to 4000 characters", fields={"content": "1 to 4000 characters"})


def person_or_none(user: User | None) -> Person | None:
    return Person.model_validate(user) if user is not None else None


def message_of(row: ChatMessage, sender: User | None, extras: Extras = NO_EXTRAS) -> Message:
    return Message(
        id=row.id,
        room_id=row.room_id,
        sender=person_or_none(sender),
        content=row.content,
        client_id=row.client_id,
        created_at=row.created_at,
        edited_at=row.edited_at,
        deleted=row.deleted_at is not None,
        reply_to=extras.quote_for(row),
        reactions=extras.reactions_for(row),
        attachments=extras.attachments_for(row),
    )


async def list_messages(deps: Deps, raw_room_id: str, user_id: str, cursor: PageCursor) -> MessagePage:
    async with deps.db() as db:
        room, _ = await require_member(db, raw_room_id, user_id)
        query = (
            select(ChatMessage, User)
            .outerjoin(User, User.id == ChatMessage.sender_id)
            .where(ChatMessage.room_id == room.id)
        )
        page = await window(db, query, ChatMessage.id, cursor)
        extras = await extras_of(db, "room", [row for row, _ in page.rows])
    items = [message_of(row, sender, extras) for row, sender in page.rows]
    return MessagePage(items=items, next_before=page.next_before, next_after=page.next_after)


async def post_message(
    deps: Deps,
    raw_room_id: str,
    sender: User,
    content: str,
    client_id: str | None = None,
    attachments: Sequence[str] = (),
    reply_to: int | None = None,
) -> Message:
    require_content(content, attachments)
    await throttles.message(deps, sender.id)
    async with deps.db() as db:
        room, _ = await require_member(db, raw_room_id, sender.id)
        if room.status == "ended":
            raise RoomEnded()
        if reply_to is not None:
            original = await db.get(ChatMessage, reply_to)
            require_original(original, original is not None and original.room_id == room.id)
        await lock_event_log(db)  # message ids then follow the order of their events
        row = ChatMessage(
            room_id=room.id, sender_id=sender.id, content=content, client_id=client_id, reply_to_id=reply_to
        )
        db.add(row)
        await db.flush()
        await uploads.attach(db, "room", row.id, sender.id, attachments)
        message = message_of(row, sender, await extras_of(db, "room", [row]))
        event = await record_event(db, "chat.message", message, room_id=room.id)
        await report_to_integrator(db, room.api_key_id, room.id, "chat.message", message)
        await db.commit()  # stored before anyone is told
    await deps.publish(event)
    return message
