"""Direct messages between two users: stored first, then pushed to both sides as `dm.message`;
`dm.receipt` tells the sender when a message reached a live connection of the recipient
(delivered) and when the recipient read it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conference import throttles
from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.accounts.service import other_user
from conference.chat.extras import NO_EXTRAS, Extras, extras_of, require_original
from conference.chat.models import DirectMessage as DirectMessageRow
from conference.chat.paging import PageCursor, window
from conference.chat.rooms import require_content
from conference.chat.schemas import (
    Conversation,
    ConversationList,
    DirectMessage,
    DirectMessagePage,
    ReadPosition,
    ReadReceipt,
    ReadResult,
)
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import NotFound
from conference.realtime.events import lock_event_log, record_event
from conference.realtime.hub import Envelope
from conference.uploads import service as uploads


def direct_message_of(row: DirectMessageRow, sender: User, extras: Extras = NO_EXTRAS) -> DirectMessage:
    return DirectMessage(
        id=row.id,
        sender=Person.model_validate(sender),
        recipient_id=row.recipient_id,
        content=row.content,
        client_id=row.client_id,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        read_at=row.read_at,
        edited_at=row.edited_at,
        deleted=row.deleted_at is not None,
        reply_to=extras.quote_for(row),
        reactions=extras.reactions_for(row),
        attachments=extras.attachments_for(row),
    )


def is_between(row: DirectMessageRow, a: str, b: str) -> bool:
    return {row.sender_id, row.recipient_id} == {a, b}


def _between(a: str, b: str) -> ColumnElement[bool]:
    return or_(
        and_(DirectMessageRow.sender_id == a, DirectMessageRow.recipient_id == b),
        and_(DirectMessageRow.sender_id == b, DirectMessageRow.recipient_id == a),
    )


async def send(
    deps: Deps,
    sender: User,
    to: str,
    content: str,
    client_id: str | None = None,
    field: str = "user_id",
    attachments: Sequence[str] = (),
    reply_to: int | None = None,
) -> DirectMessage:
    require_content(content, attachments)
    await throttles.message(deps, sender.id)
    async with deps.db() as db:
        recipient = await other_user(db, sender.id, to, field)
        if reply_to is not None:
            original = await db.get(DirectMessageRow, reply_to)
            require_original(original, original is not None and is_between(original, sender.id, recipient.id))
        await lock_event_log(db)  # message ids then follow the order of their events
        row = DirectMessageRow(
            sender_id=sender.id, recipient_id=recipient.id, content=content, client_id=client_id, reply_to_id=reply_to
        )
        db.add(row)
        await db.flush()
        await uploads.attach(db, "dm", row.id, sender.id, attachments)
        message = direct_message_of(row, sender, await extras_of(db, "dm", [row]))
        events = [
            await record_event(db, "dm.message", message, user_id=recipient.id),
            await record_event(db, "dm.message", message, user_id=sender.id),
        ]
        await db.commit()  # stored before anyone is told
    await deps.publish(*events)
    return message


async def list_messages(deps: Deps, user_id: str, peer_id: str, cursor: PageCursor) -> DirectMessagePage:
    async with deps.db() as db:
        await other_user(db, user_id, peer_id)
        query = (
            select(DirectMessageRow, User)
            .join(User, User.id == DirectMessageRow.sender_id)
            .where(_between(user_id, peer_id))
        )
        page = await window(db, query, DirectMessageRow.id, cursor)
        extras = await extras_of(db, "dm", [row for row, _ in page.rows])
    items = [direct_message_of(row, sender, extras) for row, sender in page.rows]
    return DirectMessagePage(items=items, next_before=page.next_before, next_after=page.next_after)


async def conversations(deps: Deps, user_id: str, limit: int = 100) -> ConversationList:
    mine = or_(DirectMessageRow.sender_id == user_id, DirectMessageRow.recipient_id == user_id)
    peer = case(
        (DirectMessageRow.sender_id == user_id, DirectMessageRow.recipient_id), else_=DirectMessageRow.sender_id
    )
    async with deps.db() as db:
        last_ids = (
            await db.execute(
                select(peer.label("peer"), func.max(DirectMessageRow.id).label("last"))
                .where(mine)
                .group_by(peer)
                .order_by(func.max(DirectMessageRow.id).desc())
                .limit(limit)
            )
        ).all()
        if not last_ids:
            return ConversationList(items=[])
        last_rows = await db.scalars(
            select(DirectMessageRow).where(DirectMessageRow.id.in_([last for _, last in last_ids]))
        )
        messages = {row.id: row for row in last_rows}
        peers = [peer_id for peer_id, _ in last_ids]
        users = {u.id: u for u in await db.scalars(select(User).where(User.id.in_([*peers, user_id])))}
        unread_counts = await db.execute(
            select(DirectMessageRow.sender_id, func.count())
            .where(
                DirectMessageRow.recipient_id == user_id,
                DirectMessageRow.read_at.is_(None),
                DirectMessageRow.deleted_at.is_(None),
                DirectMessageRow.sender_id.in_(peers),
            )
            .group_by(DirectMessageRow.sender_id)
        )
        unread = {sender_id: count for sender_id, count in unread_counts}
        extras = await extras_of(db, "dm", list(messages.values()))
    items = []
    for peer_id, last in last_ids:
        if peer_id not in users:  # deleted between the queries; their messages are going too
            continue
        row = messages[last]
        items.append(
            Conversation(
                user=Person.model_validate(users[peer_id]),
                last_message=direct_message_of(row, users[row.sender_id], extras),
                unread=unread.get(peer_id, 0),
            )
        )
    return ConversationList(items=items)


async def mark_delivered(deps: Deps, message_id: int, recipient_id: str) -> None:
    """Called once a live connection of the recipient was handed the message."""
    now = utcnow()
    async with deps.db() as db:
        changed = await db.execute(
            update(DirectMessageRow)
            .where(
                DirectMessageRow.id == message_id,
                DirectMessageRow.recipient_id == recipient_id,
                DirectMessageRow.delivered_at.is_(None),
            )
            .values(delivered_at=now)
        )
        if not cast(CursorResult[Any], changed).rowcount:
            return
        sender_id = await db.scalar(select(DirectMessageRow.sender_id).where(DirectMessageRow.id == message_id))
        receipt = ReadReceipt(user_id=recipient_id, message_ids=[message_id], status="delivered", at=now)
        event = await record_event(db, "dm.receipt", receipt, user_id=sender_id)
        await db.commit()
    await deps.publish(event)


async def mark_read(
    deps: Deps, reader_id: str, *, peer_id: str | None = None, message_id: int | None = None
) -> ReadResult:
    """Marks messages to the reader as read: all from `peer_id`, or those up to `message_id`."""
    now = utcnow()
    async with deps.db() as db:
        if message_id is not None:
            message = await db.get(DirectMessageRow, message_id)
            if message is None or message.recipient_id != reader_id or peer_id not in (None, message.sender_id):
                raise NotFound("no message with this id was sent to you")
            sender_id = message.sender_id
        else:
            sender_id = (await other_user(db, reader_id, peer_id or "")).id
        query = select(DirectMessageRow.id).where(
            DirectMessageRow.sender_id == sender_id,
            DirectMessageRow.recipient_id == reader_id,
            DirectMessageRow.read_at.is_(None),
        )
        if message_id is not None:
            query = query.where(DirectMessageRow.id <= message_id)
        ids = list(await db.scalars(query.order_by(DirectMessageRow.id)))
        if not ids:
            return ReadResult(read=0, message_ids=[])
        await db.execute(
            update(DirectMessageRow)
            .where(DirectMessageRow.id.in_(ids))
            .values(read_at=now, delivered_at=func.coalesce(DirectMessageRow.delivered_at, now))
        )
        receipt = ReadReceipt(user_id=reader_id, message_ids=ids, status="read", at=now)
        position = ReadPosition(
            kind="dm", conversation_id=sender_id, message_id=ids[-1], unread=await unread_from(db, reader_id, sender_id)
        )
        events = [
            await record_event(db, "dm.receipt", receipt, user_id=sender_id),
            await record_event(db, "read.position", position, user_id=reader_id),  # the reader's other devices
        ]
        await db.commit()
    await deps.publish(*events)
    return ReadResult(read=len(ids), message_ids=ids)


async def unread_from(db: AsyncSession, reader_id: str, sender_id: str) -> int:
    count = await db.scalar(
        select(func.count()).where(
            DirectMessageRow.sender_id == sender_id,
            DirectMessageRow.recipient_id == reader_id,
            DirectMessageRow.read_at.is_(None),
            DirectMessageRow.deleted_at.is_(None),
        )
    )
    return int(count or 0)


async def undelivered_to(db: AsyncSession, recipient_id: str) -> tuple[set[int], datetime | None]:
    """Ids of the messages waiting for the recipient, and when the oldest of them was sent."""
    rows = (
        await db.execute(
            select(DirectMessageRow.id, DirectMessageRow.created_at).where(
                DirectMessageRow.recipient_id == recipient_id, DirectMessageRow.delivered_at.is_(None)
            )
        )
    ).all()
    return {row.id for row in rows}, min((row.created_at for row in rows), default=None)


def is_undelivered_to(envelope: Envelope, user_id: str) -> bool:
    """Reads the stored JSON of an event (replayed or live), not a model."""
    data = envelope.get("data") or {}
    return (
        envelope.get("type") == "dm.message"
        and data.get("recipient_id") == user_id
        and data.get("delivered_at") is None
    )
