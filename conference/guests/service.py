"""Joining as a guest: a user row marked as a guest of one room, a sign-in for it, and a membership
that waits in the lobby (guest_access lobby, or a room with a waiting room) or is let in at once
(open). Hosts admit, deny and remove guests exactly like members (rooms/moderation.py)."""

from __future__ import annotations

import time
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import LoginSession, User, new_id
from conference.accounts.schemas import Person
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import GuestsNotAllowed, LobbyDenied, RemovedFromRoom, RoomEnded, RoomLocked
from conference.guests.schemas import GuestJoined, GuestSession, GuestWaiting, RoomPreview
from conference.guests.sessions import GuestClaims, mint_guest_token
from conference.integrations.outbox import enqueue as report_to_integrator
from conference.realtime.models import Event
from conference.rooms.joining import member_token
from conference.rooms.models import Room as RoomRow
from conference.rooms.models import RoomMember
from conference.rooms.schedule import check_open
from conference.rooms.schemas import LobbyEntry, Room
from conference.rooms.service import load_room, tell_hosts

GUEST_LOGIN_PREFIX = "guest:"  # a character registration refuses, so no account can ever clash
NO_PASSWORD = "!"  # not a bcrypt hash: nothing ever matches it (and sign-in skips guests)


async def preview(deps: Deps, raw_id: str) -> RoomPreview:
    async with deps.db() as db:
        room = await load_room(db, raw_id)
    return RoomPreview(
        id=room.id,
        name=room.name if room.guest_access != "off" else None,
        status=room.status,
        guest_access=room.guest_access,
        e2ee=bool(room.e2ee),
        livekit_url=deps.settings.livekit_url,
        created_at=room.created_at,
    )


async def join_as_guest(
    deps: Deps, raw_id: str, display_name: str, known: Collection[str] = ()
) -> GuestJoined | GuestWaiting:
    """`known`: guest ids this browser was before (its old session token, its cookie); a removed or
    turned-away one keeps it out, and an open one comes back as itself."""
    events: list[Event] = []
    async with deps.db() as db:
        room = await load_room(db, raw_id)
        if room.status == "ended":
            raise RoomEnded()
        earlier = await _earlier_guest(db, room, known)
        if room.guest_access == "off":
            raise GuestsNotAllowed()
        check_open(room, host=False)
        guest, member, session = earlier or await _new_guest(db, room, display_name)
        guest.display_name = display_name
        admitted_before = member.state in ("joined", "left")  # like a member, who skips the lobby and the lock
        if room.locked and not admitted_before:
            raise RoomLocked()
        if admitted_before or (room.guest_access == "open" and not room.waiting_room):
            await _check_capacity(deps, room, guest.id)
            member.state = "joined"
        elif member.state != "waiting":  # knocking again while waiting keeps the place and rings nobody
            member.state, member.updated_at = "waiting", utcnow()
            entry = LobbyEntry(room_id=room.id, user=Person.model_validate(guest), requested_at=member.updated_at)
            events = await tell_hosts(db, room, "lobby.request", entry)
            await report_to_integrator(db, room.api_key_id, room.id, "lobby.requested", entry)
        await db.commit()
    await deps.publish(*events)
    session_answer = _session_answer(deps, room, guest, session)
    if member.state == "waiting":
        return GuestWaiting(room=Room.of(room, deps.settings.public_url), guest=session_answer)
    grant = member_token(deps, room.id, guest, member.role)
    return GuestJoined(
        room=Room.of(room, deps.settings.public_url), role="participant", guest=session_answer, **dict(grant)
    )


async def _earlier_guest(
    db: AsyncSession, room: RoomRow, known: Collection[str]
) -> tuple[User, RoomMember, LoginSession] | None:
    """Refuses a browser that was removed or turned away as a guest of this room; finds the guest it
    still is (an open sign-in and a place in the room), or None for a newcomer."""
    if not known:
        return None
    rows = (
        await db.execute(
            select(User, RoomMember)
            .join(RoomMember, (RoomMember.user_id == User.id) & (RoomMember.room_id == room.id))
            .where(User.id.in_(list(known)), User.guest_room_id == room.id)
        )
    ).all()
    states = {member.state for _, member in rows}
    if "removed" in states:
        raise RemovedFromRoom()
    if "denied" in states:
        raise LobbyDenied()
    for guest, member in rows:
        session = await db.scalar(
            select(LoginSession)
            .where(LoginSession.user_id == guest.id, LoginSession.revoked_at.is_(None))
            .order_by(LoginSession.created_at.desc())
            .limit(1)
        )
        if session is not None:
            return guest, member, session
    return None


async def _new_guest(db: AsyncSession, room: RoomRow, display_name: str) -> tuple[User, RoomMember, LoginSession]:
    guest_id = new_id()
    guest = User(
        id=guest_id,
        login=GUEST_LOGIN_PREFIX + guest_id[: 32 - len(GUEST_LOGIN_PREFIX)],
        display_name=display_name,
        password_hash=NO_PASSWORD,
        guest_room_id=room.id,
    )
    session = LoginSession(user_id=guest_id, created_at=utcnow())
    member = RoomMember(room_id=room.id, user_id=guest_id, role="participant", state="new")
    db.add(guest)
    await db.flush()  # the sign-in and the membership point at the user row
    db.add_all([session, member])
    return guest, member, session


def _session_answer(deps: Deps, room: RoomRow, guest: User, session: LoginSession) -> GuestSession:
    expires_at = int(time.time()) + deps.settings.guest_session_ttl_s
    token = mint_guest_token(deps.settings.jwt_secret, GuestClaims(guest.id, session.id, room.id, expires_at))
    return GuestSession(id=guest.id, display_name=guest.display_name, session_token=token)


async def _check_capacity(deps: Deps, room: RoomRow, guest_id: str) -> None:
    # Creates the LiveKit room when needed (it creates none by itself); asks LiveKit who is in it only
    # near the limit, counting members and guests this replica let in since (rooms/occupancy.py).
    await deps.occupancy.admit(room.id, room.max_participants, guest_id)
