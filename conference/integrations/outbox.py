"""The webhook outbox: a message per subscribed endpoint, added to the transaction of the change it reports,
so a change is reported exactly when it is committed (a rollback takes its messages along, a crash after
the commit loses none). The deliverer (delivery.py) sends them; this replica's is woken at the commit."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from conference.accounts.models import ApiKey
from conference.db import iso, utcnow
from conference.integrations.models import WebhookEndpoint, WebhookMessage
from conference.integrations.schemas import WEBHOOK_EVENTS
from conference.realtime.events import lock_event_log

_WROTE = "webhook_messages_written"


def new_webhook_id() -> str:
    return "msg_" + uuid.uuid4().hex


async def enqueue(
    db: AsyncSession, api_key_id: str | None, room_id: str, type_: str, data: BaseModel, at: datetime | None = None
) -> int:
    """Adds `type_` with `data` for every endpoint of the API key that created the room and asked for it.
    Rooms of users (no API key) cost nothing. Returns how many messages were added."""
    if api_key_id is None:
        return 0
    if type(data) is not WEBHOOK_EVENTS.get(type_):
        raise TypeError(f"webhook {type_} cannot carry {type(data).__name__}")
    endpoints = [
        endpoint
        for endpoint in await db.scalars(
            select(WebhookEndpoint)
            .join(ApiKey, ApiKey.id == WebhookEndpoint.api_key_id)
            .where(WebhookEndpoint.api_key_id == api_key_id, ApiKey.revoked_at.is_(None))
            .order_by(WebhookEndpoint.created_at)
        )
        if type_ in endpoint.events
    ]
    if not endpoints:
        return 0
    # Message ids then follow commit order (the event log's lock), so "older" means committed first.
    await lock_event_log(db)
    payload: dict[str, Any] = {"type": type_, "timestamp": iso(at or utcnow()), "data": data.model_dump(mode="json")}
    for endpoint in endpoints:
        db.add(
            WebhookMessage(
                endpoint_id=endpoint.id,
                room_id=room_id,
                event_type=type_,
                webhook_id=new_webhook_id(),
                payload=payload,
                next_attempt_at=utcnow(),
            )
        )
    db.info[_WROTE] = True
    return len(endpoints)


async def enqueue_for_room(db: AsyncSession, room_id: str, type_: str, data: BaseModel) -> int:
    """`enqueue` for a caller that holds the room's id only (the recorder's jobs)."""
    from conference.rooms.models import Room  # rooms own the table; the id is all the caller has

    room = await db.get(Room, room_id)
    return await enqueue(db, room.api_key_id if room else None, room_id, type_, data)


class OutboxSignal:
    """Set when a transaction of this app that wrote messages commits; the deliverer waits on it."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def watch(self, session_class: type[Session]) -> None:
        @event.listens_for(session_class, "after_commit")
        def _committed(session: Session) -> None:
            if session.info.pop(_WROTE, False):
                self.event.set()

        @event.listens_for(session_class, "after_rollback")
        def _rolled_back(session: Session) -> None:
            session.info.pop(_WROTE, None)
