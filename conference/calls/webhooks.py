"""Turns LiveKit's webhooks into call sessions and attendance, each event applied once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from livekit.protocol.models import Room as LiveKitRoom
from livekit.protocol.webhook import WebhookEvent
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import User
from conference.calls.models import CallParticipant, CallSession, ProcessedWebhook
from conference.db import utcnow
from conference.deps import Deps
from conference.integrations.call_hooks import report_call
from conference.rooms.joining import INTEGRATOR_IDENTITY_PREFIX

log = logging.getLogger("conference.webhooks")
HANDLED = ("room_started", "room_finished", "participant_joined", "participant_left")


def _when(event: WebhookEvent) -> datetime:
    # LiveKit stamps events in whole seconds; the receipt time is finer, so it is used unless
    # the delivery was late (a retry), when the stamp is closer to the truth.
    now = utcnow()
    if not event.created_at:
        return now
    stamped = datetime.fromtimestamp(event.created_at, UTC)
    return stamped if (now - stamped).total_seconds() > 2 else now


async def apply_webhook(deps: Deps, event: WebhookEvent) -> bool:
    """Applies one verified event; False when it was seen before."""
    async with deps.db() as db:
        if event.id and await db.get(ProcessedWebhook, event.id) is not None:
            return False
        if event.id:
            db.add(ProcessedWebhook(event_id=event.id, event=event.event[:32]))
        hidden = event.participant.permission.hidden  # a recorder is nobody's attendance
        if event.event in HANDLED and event.room.sid and not hidden:
            await _apply(db, event, _when(event))
        try:
            await db.commit()
        except IntegrityError:  # the same event delivered twice at once: the other copy won
            return False
    return True


async def _session_of(db: AsyncSession, room: LiveKitRoom, when: datetime) -> tuple[CallSession, bool]:
    """The call session of this LiveKit room, and whether this event opened it."""
    session = await db.scalar(select(CallSession).where(CallSession.livekit_sid == room.sid))
    if session is not None:
        return session, False
    started = datetime.fromtimestamp(room.creation_time, UTC) if room.creation_time else when
    session = CallSession(room_id=room.name, livekit_sid=room.sid, started_at=min(started, when))
    db.add(session)
    await db.flush()
    return session, True


async def _apply(db: AsyncSession, event: WebhookEvent, when: datetime) -> None:
    session, opened = await _session_of(db, event.room, when)
    joined, left, ended = None, [], False
    if event.event == "room_finished":
        ended = session.ended_at is None
        session.ended_at = when
        left = await _open_stretches(db, session.id)
        for stretch in left:
            _close(stretch, when)
    elif event.event == "participant_joined":
        participant = event.participant
        user_id = None
        if not participant.identity.startswith(INTEGRATOR_IDENTITY_PREFIX):  # an integrator's user is not ours
            user_id = await db.scalar(select(User.id).where(User.id == participant.identity))
        joined = CallParticipant(
            session_id=session.id,
            identity=participant.identity,
            user_id=user_id,
            name=participant.name,
            participant_sid=participant.sid,
            joined_at=when,
        )
        db.add(joined)
    elif event.event == "participant_left":
        left = await _open_stretches(db, session.id, event.participant.identity)
        for stretch in left:
            _close(stretch, when)
    # Integrators hear of it in this same transaction (their rooms only).
    await report_call(db, session, started=opened, joined=joined, left=left, ended=ended)


async def _open_stretches(db: AsyncSession, session_id: int, identity: str | None = None) -> list[CallParticipant]:
    query = select(CallParticipant).where(CallParticipant.session_id == session_id, CallParticipant.left_at.is_(None))
    if identity is not None:
        query = query.where(CallParticipant.identity == identity)
    return list(await db.scalars(query))


def _close(stretch: CallParticipant, when: datetime) -> None:
    stretch.left_at = max(when, stretch.joined_at)
    stretch.duration_s = round((stretch.left_at - stretch.joined_at).total_seconds(), 3)
