"""What the calls domain reports to integrators as it applies LiveKit's webhooks: calls that start and end,
people who join and leave, in the same transaction (conference/calls/webhooks.py calls `report_call`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import User
from conference.calls.models import CallParticipant, CallSession
from conference.integrations.outbox import enqueue
from conference.integrations.schemas import CallEnded, CallStarted, ParticipantJoined, ParticipantLeft
from conference.rooms.models import Room

INTEGRATOR_PREFIX = "ext:"  # rooms/joining.py gives integrators' users this prefix


async def _joined(db: AsyncSession, session: CallSession, stretch: CallParticipant) -> ParticipantJoined:
    user = await db.get(User, stretch.user_id) if stretch.user_id else None
    external = stretch.identity.removeprefix(INTEGRATOR_PREFIX)
    return ParticipantJoined(
        room_id=session.room_id,
        session_id=session.id,
        identity=stretch.identity,
        external_id=external if stretch.identity.startswith(INTEGRATOR_PREFIX) else None,
        user_id=stretch.user_id,
        guest=bool(user and user.guest),
        name=stretch.name,
        joined_at=stretch.joined_at,
    )


async def report_call(
    db: AsyncSession,
    session: CallSession,
    *,
    started: bool = False,
    joined: CallParticipant | None = None,
    left: list[CallParticipant] | None = None,
    ended: bool = False,
) -> None:
    """Adds the webhook messages of one applied LiveKit event, in the order things happened."""
    room = await db.get(Room, session.room_id)
    if room is None or room.api_key_id is None:
        return
    key = room.api_key_id
    opened = CallStarted(room_id=room.id, room_name=room.name, session_id=session.id, started_at=session.started_at)
    if started:
        await enqueue(db, key, room.id, "room.started", opened, at=session.started_at)
    if joined is not None:
        await enqueue(db, key, room.id, "participant.joined", await _joined(db, session, joined), at=joined.joined_at)
    for stretch in left or []:
        if stretch.left_at is None:
            continue
        data = ParticipantLeft(
            **(await _joined(db, session, stretch)).model_dump(),
            left_at=stretch.left_at,
            duration_s=stretch.duration_s or 0.0,
        )
        await enqueue(db, key, room.id, "participant.left", data, at=stretch.left_at)
    if ended and session.ended_at is not None:
        duration = round((session.ended_at - session.started_at).total_seconds(), 3)
        closed = CallEnded(
            **opened.model_dump(), ended_at=session.ended_at, duration_s=duration, room_status=room.status
        )
        await enqueue(db, key, room.id, "room.ended", closed, at=session.ended_at)
