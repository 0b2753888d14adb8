"""Call history read back from the sessions the webhooks built."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from conference.accounts.models import User
from conference.calls.models import CallParticipant, CallSession
from conference.db import iso, utcnow
from conference.deps import Deps
from conference.rooms.models import Room
from conference.rooms.service import require_member


async def room_sessions(deps: Deps, raw_room_id: str, user_id: str, limit: int) -> list[dict]:
    async with deps.db() as db:
        room, _ = await require_member(db, raw_room_id, user_id)
        sessions = list(
            await db.scalars(
                select(CallSession)
                .where(CallSession.room_id == room.id)
                .order_by(CallSession.started_at.desc())
                .limit(limit)
            )
        )
        return await _sessions_json(db, sessions, {room.id: room.name})


async def user_history(deps: Deps, user_id: str, limit: int) -> list[dict]:
    async with deps.db() as db:
        attended = select(CallParticipant.session_id).where(CallParticipant.user_id == user_id)
        hosted = select(Room.id).where(Room.host_id == user_id)
        sessions = list(
            await db.scalars(
                select(CallSession)
                .where(or_(CallSession.id.in_(attended), CallSession.room_id.in_(hosted)))
                .order_by(CallSession.started_at.desc())
                .limit(limit)
            )
        )
        names = (
            dict((await db.execute(select(Room.id, Room.name).where(Room.id.in_({s.room_id for s in sessions})))).all())
            if sessions
            else {}
        )
        return await _sessions_json(db, sessions, names)


async def _sessions_json(db, sessions: list[CallSession], room_names: dict) -> list[dict]:
    if not sessions:
        return []
    rows = (
        await db.execute(
            select(CallParticipant, User.display_name)
            .outerjoin(User, User.id == CallParticipant.user_id)
            .where(CallParticipant.session_id.in_([s.id for s in sessions]))
            .order_by(CallParticipant.joined_at)
        )
    ).all()
    by_session: dict[int, list] = {}
    now = utcnow()
    for stretch, display_name in rows:
        live = stretch.left_at is None
        by_session.setdefault(stretch.session_id, []).append(
            {
                "user_id": stretch.user_id,
                "identity": stretch.identity,
                "display_name": display_name or stretch.name,
                "joined_at": iso(stretch.joined_at),
                "left_at": iso(stretch.left_at),
                "duration_s": round((now - stretch.joined_at).total_seconds(), 3) if live else stretch.duration_s,
            }
        )
    items = []
    for session in sessions:
        end = session.ended_at or now
        items.append(
            {
                "id": session.id,
                "room_id": session.room_id,
                "room_name": room_names.get(session.room_id),
                "started_at": iso(session.started_at),
                "ended_at": iso(session.ended_at),
                "duration_s": round((end - session.started_at).total_seconds(), 3),
                "participants": by_session.get(session.id, []),
            }
        )
    return items


async def open_attendance_count(sessions: async_sessionmaker, room_id: str) -> int:
    async with sessions() as db:
        return (
            await db.scalar(
                select(func.count(func.distinct(CallParticipant.identity)))
                .join(CallSession, CallSession.id == CallParticipant.session_id)
                .where(
                    CallSession.room_id == room_id, CallSession.ended_at.is_(None), CallParticipant.left_at.is_(None)
                )
            )
            or 0
        )
