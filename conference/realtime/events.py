"""Recording events inside a domain's transaction and publishing them once committed."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from conference.realtime.models import Event


async def record_event(db: AsyncSession, type_: str, data: dict, *, room_id: str | None = None,
                       user_id: str | None = None) -> Event:
    """Adds the event to the caller's transaction; publish it with `frame_of` after commit."""
    event = Event(type=type_, data=data, room_id=room_id, user_id=user_id)
    db.add(event)
    await db.flush()
    return event


def frame_of(event: Event) -> dict:
    """The hub's envelope: the client frame plus its audience."""
    return {"id": str(event.id), "type": event.type, "data": event.data,
            "room_id": event.room_id, "user_id": event.user_id}
