"""Direct messages between two users: stored first, then pushed to both sides as `dm.message`;
`dm.receipt` tells the sender when a message reached a live connection of the recipient
(delivered) and when the recipient read it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import User
from conference.chat.models import DirectMessage
from conference.chat.rooms import MAX_CONTENT, sender_json
from conference.db import iso, utcnow
from conference.deps import Deps
from conference.errors import NotFound, ValidationFailed
from conference.realtime.events import lock_event_log, record_event


def dm_json(message: DirectMessage, sender: User | None) -> dict:
    return {
        "id": message.id,
        "sender": sender_json(sender),
        "recipient_id": message.recipient_id,
        "content": message.content,
        "client_id": message.client_id,
        "created_at": iso(message.created_at),
        "delivered_at": iso(message.delivered_at),
        "read_at": iso(message.read_at),
    }


async def _peer(db: AsyncSession, user_id: str, peer_id: str, field: str = "user_id") -> User:
    if peer_id == user_id:
        raise ValidationFailed("direct messages go to someone else", fields={field: "must be another user"})
    peer = await db.get(User, peer_id) if peer_id else None
    if peer is None:
        raise NotFound("no user with this id")
    return peer


def _between(a: str, b: str):
    return or_(
        and_(DirectMessage.sender_id == a, DirectMessage.recipient_id == b),
        and_(DirectMessage.sender_id == b, DirectMessage.recipient_id == a),
    )


async def send(
    deps: Deps, sender: User, to: str, content: str, client_id: str | None = None, field: str = "user_id"
) -> dict:
    if not content.strip() or len(content) > MAX_CONTENT:
        raise ValidationFailed("message must be 1 to 4000 characters", fields={"content": "1 to 4000 characters"})
    async with deps.db() as db:
        recipient = await _peer(db, sender.id, to, field)
        await lock_event_log(db)  # message ids then follow the order of their events
        message = DirectMessage(sender_id=sender.id, recipient_id=recipient.id, content=content, client_id=client_id)
        db.add(message)
        await db.flush()
        payload = dm_json(message, sender)
        events = [
            await record_event(db, "dm.message", payload, user_id=recipient.id),
            await record_event(db, "dm.message", payload, user_id=sender.id),
        ]
        await db.commit()  # stored before anyone is told
    await deps.publish(*events)
    return payload


async def list_messages(deps: Deps, user_id: str, peer_id: str, before: int | None, limit: int) -> dict:
    async with deps.db() as db:
        await _peer(db, user_id, peer_id)
        query = (
            select(DirectMessage, User)
            .outerjoin(User, User.id == DirectMessage.sender_id)
            .where(_between(user_id, peer_id))
        )
        if before is not None:
            query = query.where(DirectMessage.id < before)
        rows = (await db.execute(query.order_by(DirectMessage.id.desc()).limit(limit + 1))).all()
    more = len(rows) > limit
    items = [dm_json(message, sender) for message, sender in reversed(rows[:limit])]
    return {"items": items, "next_before": items[0]["id"] if more and items else None}


async def conversations(deps: Deps, user_id: str, limit: int = 100) -> list[dict]:
    mine = or_(DirectMessage.sender_id == user_id, DirectMessage.recipient_id == user_id)
    peer = case((DirectMessage.sender_id == user_id, DirectMessage.recipient_id), else_=DirectMessage.sender_id)
    async with deps.db() as db:
        last_ids = (
            await db.execute(
                select(peer.label("peer"), func.max(DirectMessage.id).label("last"))
                .where(mine)
                .group_by(peer)
                .order_by(func.max(DirectMessage.id).desc())
                .limit(limit)
            )
        ).all()
        if not last_ids:
            return []
        messages = {
            m.id: m
            for m in await db.scalars(select(DirectMessage).where(DirectMessage.id.in_([last for _, last in last_ids])))
        }
        peers = [peer_id for peer_id, _ in last_ids]
        users = {u.id: u for u in await db.scalars(select(User).where(User.id.in_([*peers, user_id])))}
        unread = dict(
            (
                await db.execute(
                    select(DirectMessage.sender_id, func.count())
                    .where(
                        DirectMessage.recipient_id == user_id,
                        DirectMessage.read_at.is_(None),
                        DirectMessage.sender_id.in_(peers),
                    )
                    .group_by(DirectMessage.sender_id)
                )
            ).all()
        )
    items = []
    for peer_id, last in last_ids:
        message = messages[last]
        items.append(
            {
                "user": sender_json(users.get(peer_id)),
                "last_message": dm_json(message, users.get(message.sender_id)),
                "unread": unread.get(peer_id, 0),
            }
        )
    return items


async def mark_delivered(deps: Deps, message_id: int, recipient_id: str) -> None:
    """Called once a live connection of the recipient was handed the message."""
    now = utcnow()
    async with deps.db() as db:
        changed = await db.execute(
            update(DirectMessage)
            .where(
                DirectMessage.id == message_id,
                DirectMessage.recipient_id == recipient_id,
                DirectMessage.delivered_at.is_(None),
            )
            .values(delivered_at=now)
        )
        if not changed.rowcount:
            return
        sender_id = await db.scalar(select(DirectMessage.sender_id).where(DirectMessage.id == message_id))
        event = await record_event(
            db, "dm.receipt", _receipt(recipient_id, [message_id], "delivered", now), user_id=sender_id
        )
        await db.commit()
    await deps.publish(event)


async def mark_read(deps: Deps, reader_id: str, *, peer_id: str | None = None, message_id: int | None = None) -> dict:
    """Marks messages to the reader as read: all from `peer_id`, or those up to `message_id`."""
    now = utcnow()
    async with deps.db() as db:
        if message_id is not None:
            message = await db.get(DirectMessage, message_id)
            if message is None or message.recipient_id != reader_id or peer_id not in (None, message.sender_id):
                raise NotFound("no message with this id was sent to you")
            peer_id = message.sender_id
        else:
            await _peer(db, reader_id, peer_id or "")
        query = select(DirectMessage.id).where(
            DirectMessage.sender_id == peer_id, DirectMessage.recipient_id == reader_id, DirectMessage.read_at.is_(None)
        )
        if message_id is not None:
            query = query.where(DirectMessage.id <= message_id)
        ids = list(await db.scalars(query.order_by(DirectMessage.id)))
        if not ids:
            return {"read": 0, "message_ids": []}
        await db.execute(
            update(DirectMessage)
            .where(DirectMessage.id.in_(ids))
            .values(read_at=now, delivered_at=func.coalesce(DirectMessage.delivered_at, now))
        )
        event = await record_event(db, "dm.receipt", _receipt(reader_id, ids, "read", now), user_id=peer_id)
        await db.commit()
    await deps.publish(event)
    return {"read": len(ids), "message_ids": ids}


def _receipt(user_id: str, message_ids: list[int], status: str, at) -> dict:
    return {"user_id": user_id, "message_ids": message_ids, "status": status, "at": iso(at)}


async def undelivered_to(db: AsyncSession, recipient_id: str) -> tuple[set[int], datetime | None]:
    """Ids of the messages waiting for the recipient, and when the oldest of them was sent."""
    rows = (
        await db.execute(
            select(DirectMessage.id, DirectMessage.created_at).where(
                DirectMessage.recipient_id == recipient_id, DirectMessage.delivered_at.is_(None)
            )
        )
    ).all()
    return {row.id for row in rows}, min((row.created_at for row in rows), default=None)


def is_undelivered_to(envelope: dict, user_id: str) -> bool:
    data = envelope.get("data") or {}
    return (
        envelope.get("type") == "dm.message"
        and data.get("recipient_id") == user_id
        and data.get("delivered_at") is None
    )
