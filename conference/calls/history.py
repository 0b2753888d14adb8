"""Call history read back from the sessions the webhooks built."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conference.accounts.models import User
from conference.calls import models
from conference.calls.models import CallParticipant
from conference.calls.schemas import Attendance, CallSession, CallSessionList
from conference.db import utcnow
from conference.deps import Deps
from conference.rooms.service import hosted_room_ids, require_member, room_names


async def room_sessions(deps: Deps, raw_room_id: str, user_id: str, limit: int) -> CallSessionList:
    async with deps.db() as db:
        room, _ = await require_member(db, raw_room_id, user_id)
        sessions = await db.scalars(
            select(models.CallSession)
            .where(models.CallSession.room_id == room.id)
            .order_by(models.CallSession.started_at.desc())
            .limit(limit)
        )
        return await _with_attendance(db, list(sessions), {room.id: room.name})


async def user_history(deps: Deps, user_id: str, limit: int) -> CallSessionList:
    async with deps.db() as db:
        attended = select(CallParticipant.session_id).where(CallParticipant.user_id == user_id)
        sessions = list(
            await db.scalars(
                select(models.CallSession)
                .where(
                    or_(models.CallSession.id.in_(attended), models.CallSession.room_id.in_(hosted_room_ids(user_id)))
                )
                .order_by(models.CallSession.started_at.desc())
                .limit(limit)
            )
        )
        names = await room_names(db, {session.room_id for session in sessions})
        return await _with_attendance(db, sessions, names)


async def _with_attendance(
    db: AsyncSession, sessions: list[models.CallSession], room_names: dict[str, str]
) -> CallSessionList:
    if not sessions:
        return CallSessionList(items=[])
    rows = await db.execute(
        select(CallParticipant, User.display_name, User.guest_room_id)
        .outerjoin(User, User.id == CallParticipant.user_id)
        .where(CallParticipant.session_id.in_([s.id for s in sessions]))
        .order_by(CallParticipant.joined_at)
    )
    by_session: dict[int, list[Attendance]] = {}
    now = utcnow()
    for stretch, display_name, guest_room_id in rows:
        live = stretch.left_at is None
        by_session.setdefault(stretch.session_id, []).append(
            Attendance(
                user_id=stretch.user_id,
                identity=stretch.identity,
                display_name=display_name or stretch.name,
                guest=guest_room_id is not None,
                joined_at=stretch.joined_at,
                left_at=stretch.left_at,
                duration_s=round((now - stretch.joined_at).total_seconds(), 3) if live else stretch.duration_s,
            )
        )
    return CallSessionList(
        items=[
            CallSession(
                id=session.id,
                room_id=session.room_id,
                room_name=room_names.get(session.room_id),
                started_at=session.started_at,
                ended_at=session.ended_at,
                duration_s=round(((session.ended_at or now) - session.started_at).total_seconds(), 3),
                participants=by_session.get(session.id, []),
            )
            for session in sessions
        ]
    )


async def open_attendance_count(sessions: async_sessionmaker[AsyncSession], room_id: str) -> int:
    async with sessions() as db:
        return (
            await db.scalar(
                select(func.count(func.distinct(CallParticipant.identity)))
                .join(models.CallSession, models.CallSession.id == CallParticipant.session_id)
                .where(
                    models.CallSession.room_id == room_id,
                    models.CallSession.ended_at.is_(None),
                    CallParticipant.left_at.is_(None),
                )
            )
            or 0
        )
