"""What hosts do to people: admit or deny from the lobby, mute, remove, change roles.
Every action is checked against the caller's role here, before LiveKit hears of it."""

from __future__ import annotations

from sqlalchemy import select

from conference.accounts.models import User
from conference.db import iso, utcnow
from conference.deps import Deps
from conference.errors import Conflict, Forbidden, NotFound, RoomEnded
from conference.livekit import source_name
from conference.realtime.events import record_event
from conference.rooms.models import Room, RoomMember
from conference.rooms.service import person_json, require_host, room_json, tell_hosts, token_metadata

# Which LiveKit track sources a mute of each kind silences.
MUTE_SOURCES = {"audio": {"microphone"}, "video": {"camera"}, "screen": {"screen_share", "screen_share_audio"}}


async def lobby(deps: Deps, raw_id: str, host_id: str) -> list[dict]:
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
    return [{"user": person_json(user), "requested_at": iso(member.updated_at)} for member, user in rows]


async def _waiting(db, room: Room, user_id: str) -> tuple[RoomMember, User]:
    member = await db.get(RoomMember, (room.id, user_id))
    if member is None or member.state != "waiting":
        raise NotFound("this person is not waiting in the lobby")
    return member, await db.get(User, user_id)


async def admit(deps: Deps, raw_id: str, host_id: str, user_id: str) -> dict:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        if room.status == "ended":
            raise RoomEnded()
        member, user = await _waiting(db, room, user_id)
        member.state, member.updated_at = "joined", utcnow()
        token = deps.livekit.mint_token(
            room=room.id, identity=user.id, name=user.display_name, role=member.role, metadata=token_metadata(user)
        )
        admitted = {
            "room": room_json(room, deps.settings.public_url),
            "role": member.role,
            "token": token.token,
            "livekit_url": deps.livekit.url,
            "identity": user.id,
            "expires_at": iso(token.expires_at),
        }
        events = [
            await record_event(db, "lobby.admitted", admitted, user_id=user.id),
            *await tell_hosts(
                db, room, "lobby.resolved", {"room_id": room.id, "user": person_json(user), "outcome": "admitted"}
            ),
        ]
        await db.commit()
    await deps.publish(*events)
    return {"user": person_json(user), "state": "joined"}


async def deny(deps: Deps, raw_id: str, host_id: str, user_id: str) -> dict:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        member, user = await _waiting(db, room, user_id)
        member.state, member.updated_at = "denied", utcnow()
        events = [
            await record_event(db, "lobby.denied", {"room_id": room.id}, user_id=user.id),
            *await tell_hosts(
                db, room, "lobby.resolved", {"room_id": room.id, "user": person_json(user), "outcome": "denied"}
            ),
        ]
        await db.commit()
    await deps.publish(*events)
    return {"user": person_json(user), "state": "denied"}


async def _target(db, room: Room, user_id: str) -> RoomMember:
    if user_id == room.host_id:
        raise Forbidden("the room's owner cannot be moderated")
    member = await db.get(RoomMember, (room.id, user_id))
    if member is None or member.state not in ("joined", "left"):
        raise NotFound("this person is not a member of the room")
    return member


async def mute(deps: Deps, raw_id: str, host_id: str, user_id: str, kind: str) -> dict:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
    participant = await deps.livekit.get_participant(room.id, user_id)
    if participant is None:
        raise NotFound("this person is not in the call")
    sources = MUTE_SOURCES[kind]
    tracks = [track for track in participant.tracks if source_name(track.source) in sources]
    if not tracks:
        raise Conflict(f"this person has no {kind} track to mute")
    for track in tracks:
        await deps.livekit.mute_track(room.id, user_id, track.sid)
    async with deps.db() as db:
        event = await record_event(
            db, "participant.muted", {"room_id": room.id, "kind": kind, "by": host_id}, user_id=user_id
        )
        await db.commit()
    await deps.publish(event)
    return {"muted": [track.sid for track in tracks], "kind": kind}


async def remove(deps: Deps, raw_id: str, host_id: str, user_id: str) -> None:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        member = await _target(db, room, user_id)
        member.state, member.updated_at = "removed", utcnow()
        event = await record_event(db, "participant.removed", {"room_id": room.id, "user_id": user_id}, user_id=user_id)
        await db.commit()
    await deps.livekit.remove_participant(room.id, user_id)
    await deps.publish(event)


async def change_role(deps: Deps, raw_id: str, host_id: str, user_id: str, role: str) -> dict:
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        member = await _target(db, room, user_id)
        user = await db.get(User, user_id)
        member.role = role
        event = await record_event(
            db, "participant.updated", {"room_id": room.id, "user_id": user_id, "role": role}, room_id=room.id
        )
        await db.commit()
    if room.status == "active":
        # Grants change in LiveKit at once; no reconnect. Missing participants are fine.
        await deps.livekit.update_permission(room.id, user_id, role, token_metadata(user))
    await deps.publish(event)
    return {"user": person_json(user), "role": role}


async def enforce_admission(deps: Deps, room_name: str, identity: str) -> bool:
    """Called when LiveKit reports a join: someone removed (or a room ended) who comes back with an
    old, still-valid token is disconnected again. Returns True when they were put out."""
    async with deps.db() as db:
        room = await db.get(Room, room_name)
        if room is None:
            return False
        member = await db.get(RoomMember, (room.id, identity))
    if room.status == "ended" or (member is not None and member.state in ("removed", "denied", "waiting")):
        await deps.livekit.remove_participant(room.id, identity)
        return True
    return False
