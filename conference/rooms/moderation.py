"""What hosts do to people: admit or deny from the lobby, mute, remove, change roles.
Every action is checked against the caller's role here, before LiveKit hears of it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import Conflict, Forbidden, NotFound, RoomEnded
from conference.guests.sessions import announce_ended, end_guest_sessions
from conference.livekit import source_name
from conference.realtime.events import record_event
from conference.rooms.joining import token_metadata
from conference.rooms.models import Room as RoomRow
from conference.rooms.models import RoomMember
from conference.rooms.schemas import (
    Admitted,
    LobbyEntry,
    LobbyList,
    LobbyResolved,
    MuteKind,
    ParticipantMuted,
    ParticipantRemoved,
    ParticipantRole,
    Role,
    Room,
    RoomRef,
)
from conference.rooms.service import require_host, tell_hosts
from conference.rooms.standing import StandingChanged

# Which LiveKit track sources a mute of each kind silences.
MUTE_SOURCES = {"audio": {"microphone"}, "video": {"camera"}, "screen": {"screen_share", "screen_share_audio"}}


async def lobby(deps: Deps, raw_id: str, host_id: str) -> LobbyList:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        rows = (
            await db.execute(
                select(RoomMember, User)
                .join(User, User.id == RoomMember.user_id)
                .where(RoomMember.room_id == room.id, RoomMember.state == "waiting")
                .order_by(RoomMember.updated_at)
            )
        ).all()
    return LobbyList(
        items=[
            LobbyEntry(room_id=room.id, user=Person.model_validate(user), requested_at=member.updated_at)
            for member, user in rows
        ]
    )


async def _waiting(db: AsyncSession, room: RoomRow, user_id: str) -> tuple[RoomMember, User]:
    member = await db.get(RoomMember, (room.id, user_id))
    user = await db.get(User, user_id)
    if member is None or member.state != "waiting" or user is None:
        raise NotFound("this person is not waiting in the lobby")
    return member, user


async def admit(deps: Deps, raw_id: str, host_id: str, user_id: str) -> LobbyResolved:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        if room.status == "ended":
            raise RoomEnded()
        member, user = await _waiting(db, room, user_id)
        member.state, member.updated_at = "joined", utcnow()
        resolved = LobbyResolved(room_id=room.id, user=Person.model_validate(user), outcome="admitted")
        admitted = Admitted(room=Room.of(room, deps.settings.public_url), role=member.role)
        events = [
            await record_event(db, "lobby.admitted", admitted, user_id=user.id),
            *await tell_hosts(db, room, "lobby.resolved", resolved),
        ]
        await db.commit()
    await _standing_changed(deps, room.id, user_id)  # no replica remembers them as waiting
    await deps.publish(*events)
    return resolved


async def deny(deps: Deps, raw_id: str, host_id: str, user_id: str) -> LobbyResolved:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        member, user = await _waiting(db, room, user_id)
        member.state, member.updated_at = "denied", utcnow()
        resolved = LobbyResolved(room_id=room.id, user=Person.model_validate(user), outcome="denied")
        events = [
            await record_event(db, "lobby.denied", RoomRef(room_id=room.id), user_id=user.id),
            *await tell_hosts(db, room, "lobby.resolved", resolved),
        ]
        guests_out = await end_guest_sessions(db, room.id, user.id)  # a guest turned away has no more use for it
        await db.commit()
    await deps.publish(*events)
    await announce_ended(deps, guests_out)
    return resolved


def _not_the_owner(room: RoomRow, user_id: str) -> None:
    if user_id == room.host_id:
        raise Forbidden("the room's owner cannot be moderated")


async def _target(
    db: AsyncSession, room: RoomRow, user_id: str, states: tuple[str, ...] = ("joined", "left")
) -> tuple[RoomMember, User]:
    _not_the_owner(room, user_id)
    member = await db.get(RoomMember, (room.id, user_id))
    user = await db.get(User, user_id)
    if member is None or member.state not in states or user is None:
        raise NotFound("this person is not a member of the room")
    return member, user


async def _standing_changed(deps: Deps, room_id: str, user_id: str) -> None:
    """Every replica forgets the person's cached standing now (a demoted co-host is no host anywhere)."""
    await deps.hub.notify(StandingChanged(room_id=room_id, user_id=user_id))


async def mute(deps: Deps, raw_id: str, host_id: str, user_id: str, kind: MuteKind) -> ParticipantMuted:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
    _not_the_owner(room, user_id)
    participant = await deps.livekit.get_participant(room.id, user_id)
    if participant is None:
        raise NotFound("this person is not in the call")
    sources = MUTE_SOURCES[kind]
    tracks = [track for track in participant.tracks if source_name(track.source) in sources]
    if not tracks:
        raise Conflict(f"this person has no {kind} track to mute")
    for track in tracks:
        await deps.livekit.mute_track(room.id, user_id, track.sid)
    muted = ParticipantMuted(room_id=room.id, user_id=user_id, kind=kind, by=host_id, muted=[t.sid for t in tracks])
    async with deps.db() as db:
        event = await record_event(db, "participant.muted", muted, user_id=user_id)
        await db.commit()
    await deps.publish(event)
    return muted


async def remove(deps: Deps, raw_id: str, host_id: str, user_id: str) -> ParticipantRemoved:
    """Marks the person removed, then has LiveKit disconnect them. When LiveKit fails (503) they
    stay removed, and calling this again asks LiveKit again until it confirms."""
    event = None
    guests_out: list[str] = []
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        member, _ = await _target(db, room, user_id, states=("joined", "left", "removed"))
        removed = ParticipantRemoved(room_id=room.id, user_id=user_id)
        if member.state != "removed":
            member.state, member.updated_at = "removed", utcnow()
            event = await record_event(db, "participant.removed", removed, user_id=user_id)
            guests_out = await end_guest_sessions(db, room.id, user_id)  # a removed guest's session dies
            await db.commit()
    if event is not None:
        await deps.publish(event)
        await _standing_changed(deps, room.id, user_id)
        await announce_ended(deps, guests_out)
    await deps.livekit.remove_participant(room.id, user_id)
    return removed


async def change_role(deps: Deps, raw_id: str, host_id: str, user_id: str, role: Role) -> ParticipantRole:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        member, user = await _target(db, room, user_id)
        member.role = role
        changed = ParticipantRole(room_id=room.id, user=Person.model_validate(user), role=role)
        event = await record_event(db, "participant.updated", changed, room_id=room.id)
        await db.commit()
    await _standing_changed(deps, room.id, user_id)
    if room.status == "active":
        # Grants change in LiveKit at once; no reconnect. Missing participants are fine.
        await deps.livekit.update_permission(room.id, user_id, role, token_metadata(user))
    await deps.publish(event)
    return changed


async def enforce_admission(deps: Deps, room_name: str, identity: str) -> bool:
    """Called when LiveKit reports a join: someone removed (or a room ended) who comes back with an
    old, still-valid token is disconnected again. Returns True when they were put out."""
    async with deps.db() as db:
        room = await db.get(RoomRow, room_name)
        if room is None:
            return False
        member = await db.get(RoomMember, (room.id, identity))
    if room.status == "ended" or (member is not None and member.state in ("removed", "denied", "waiting")):
        await deps.livekit.remove_participant(room.id, identity)
        return True
    return False
