"""Room rules: creating, joining, leaving and ending rooms, and who may do what in them."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import User
from conference.db import iso, utcnow
from conference.deps import Deps
from conference.errors import (
    Conflict,
    Forbidden,
    LobbyDenied,
    NotFound,
    RemovedFromRoom,
    RoomEnded,
    RoomFull,
    RoomLocked,
)
from conference.livekit import source_name
from conference.realtime.events import record_event
from conference.rooms.codes import new_room_code, normalize_room_code
from conference.rooms.models import Room, RoomMember

MEMBER_STATES = ("joined", "left")  # people who were let in; waiting/denied/removed are not members


def room_json(room: Room, public_url: str) -> dict:
    return {
        "id": room.id,
        "name": room.name,
        "host_id": room.host_id,
        "status": room.status,
        "max_participants": room.max_participants,
        "waiting_room": room.waiting_room,
        "locked": room.locked,
        "kind": room.kind,
        "created_at": iso(room.created_at),
        "ended_at": iso(room.ended_at),
        "join_url": f"{public_url}/r/{room.id}",
    }


async def load_room(db: AsyncSession, raw_id: str) -> Room:
    code = normalize_room_code(raw_id)
    room = await db.get(Room, code) if code else None
    if room is None:
        raise NotFound("no room with this ID; check the code and try again")
    return room


async def create_room(
    deps: Deps,
    *,
    name: str,
    max_participants: int,
    waiting_room: bool,
    host_id: str | None = None,
    api_key_id: str | None = None,
    kind: str = "room",
) -> Room:
    async with deps.db() as db:
        for _ in range(5):  # 26^10 codes; a clash is rare but possible
            room = Room(
                id=new_room_code(),
                name=name,
                max_participants=max_participants,
                waiting_room=waiting_room,
                host_id=host_id,
                api_key_id=api_key_id,
                kind=kind,
            )
            db.add(room)
            try:
                await db.commit()
                return room
            except IntegrityError:
                await db.rollback()
    raise Conflict("could not allocate a room code; try again")


async def list_rooms(deps: Deps, user_id: str, limit: int = 100) -> list[Room]:
    async with deps.db() as db:
        joined = select(RoomMember.room_id).where(RoomMember.user_id == user_id, RoomMember.state.in_(MEMBER_STATES))
        rooms = await db.scalars(
            select(Room)
            .where(or_(Room.host_id == user_id, Room.id.in_(joined)))
            .order_by(Room.created_at.desc())
            .limit(limit)
        )
        return list(rooms)


def role_of(room: Room, member: RoomMember | None, user_id: str) -> str | None:
    if room.host_id == user_id:
        return "host"
    if member is not None and member.state in MEMBER_STATES:
        return member.role
    return None


async def require_member(db: AsyncSession, raw_id: str, user_id: str) -> tuple[Room, str]:
    """The room and the caller's role in it, or 403 for people who were never let in."""
    room = await load_room(db, raw_id)
    member = await db.get(RoomMember, (room.id, user_id))
    role = role_of(room, member, user_id)
    if role is None:
        raise Forbidden("you are not a member of this room")
    return room, role


async def require_host(db: AsyncSession, raw_id: str, user_id: str) -> Room:
    room, role = await require_member(db, raw_id, user_id)
    if role != "host":
        raise Forbidden("only a host of this room can do that")
    return room


def token_metadata(user: User) -> dict:
    return {"login": user.login}


async def join_room(deps: Deps, raw_id: str, user: User) -> dict:
    """Lets the user in (200 with a token), queues them in the lobby (202), or says why not."""
    async with deps.db() as db:
        room = await load_room(db, raw_id)
        member = await db.get(RoomMember, (room.id, user.id))
        if room.status == "ended":
            raise RoomEnded()
        if member is not None and member.state == "removed":
            raise RemovedFromRoom()
        role = role_of(room, member, user.id)
        if role is None and room.locked:
            raise RoomLocked()
        if role is None and room.waiting_room:
            return await _enter_lobby(deps, db, room, member, user)
        await _check_capacity(deps, room, user.id)
        if member is None:
            member = RoomMember(room_id=room.id, user_id=user.id, role=role or "participant")
            db.add(member)
        member.state = "joined"
        if room.host_id == user.id:
            member.role = "host"
        await db.commit()
        role = member.role
    token = deps.livekit.mint_token(
        room=room.id, identity=user.id, name=user.display_name, role=role, metadata=token_metadata(user)
    )
    return {
        "room": room_json(room, deps.settings.public_url),
        "role": role,
        "token": token.token,
        "livekit_url": deps.livekit.url,
        "identity": user.id,
        "expires_at": iso(token.expires_at),
    }


async def _check_capacity(deps: Deps, room: Room, user_id: str) -> None:
    await deps.livekit.ensure_room(room.id, room.max_participants)
    present = await deps.livekit.list_participants(room.id)
    identities = {participant.identity for participant in present}
    if user_id not in identities and len(identities) >= room.max_participants:
        raise RoomFull()


async def _enter_lobby(deps: Deps, db: AsyncSession, room: Room, member: RoomMember | None, user: User) -> dict:
    if member is not None and member.state == "denied":
        raise LobbyDenied()
    if member is None:
        member = RoomMember(room_id=room.id, user_id=user.id, role="participant", state="waiting")
        db.add(member)
    member.state = "waiting"
    member.updated_at = utcnow()
    events = await tell_hosts(
        db,
        room,
        "lobby.request",
        {"room_id": room.id, "user": person_json(user), "requested_at": iso(member.updated_at)},
    )
    await db.commit()
    await deps.publish(*events)
    return {"status": "waiting", "room": room_json(room, deps.settings.public_url)}


async def host_ids(db: AsyncSession, room: Room) -> list[str]:
    cohosts = await db.scalars(
        select(RoomMember.user_id).where(
            RoomMember.room_id == room.id, RoomMember.role == "host", RoomMember.state.in_(MEMBER_STATES)
        )
    )
    return sorted({*cohosts, *([room.host_id] if room.host_id else [])})


async def media_token(deps: Deps, raw_id: str, user: User) -> dict:
    # The hot path of the token endpoint: the room and the caller's membership in one query
    # (bench/token_bench.py measures it), only the columns the answer needs, remembered briefly.
    code = normalize_room_code(raw_id)
    row = deps.standings.get(code, user.id) if code else None
    if code and row is None:
        async with deps.db() as db:
            row = (
                await db.execute(
                    select(Room.status, RoomMember.state, RoomMember.role, Room.max_participants)
                    .select_from(Room)
                    .outerjoin(RoomMember, (RoomMember.room_id == Room.id) & (RoomMember.user_id == user.id))
                    .where(Room.id == code)
                )
            ).first()
        if row is not None:
            row = tuple(row)
            deps.standings.put(code, user.id, row)
    if row is None:
        raise NotFound("no room with this ID; check the code and try again")
    status, state, role, max_participants = row
    if status == "ended":
        raise RoomEnded()
    if state != "joined":
        raise Forbidden("join the room first")
    await deps.livekit.ensure_room(code, max_participants)  # LiveKit creates no room by itself
    token = deps.livekit.mint_token(
        room=code, identity=user.id, name=user.display_name, role=role, metadata=token_metadata(user)
    )
    return {
        "token": token.token,
        "livekit_url": deps.livekit.url,
        "identity": user.id,
        "expires_at": iso(token.expires_at),
    }


async def integrator_token(
    deps: Deps, api_key_id: str, raw_id: str, *, identity: str, name: str, role: str, metadata: dict, ttl_s: int
) -> dict:
    """A token for an integrator's own user, in a room that the same API key created."""
    async with deps.db() as db:
        room = await load_room(db, raw_id)
    if room.api_key_id != api_key_id:
        raise Forbidden("this API key did not create that room")
    if room.status == "ended":
        raise RoomEnded()
    await deps.livekit.ensure_room(room.id, room.max_participants)  # LiveKit creates no room by itself
    token = deps.livekit.mint_token(
        room=room.id, identity=identity, name=name, role=role, metadata={"app": metadata}, ttl_s=ttl_s
    )
    return {
        "token": token.token,
        "livekit_url": deps.livekit.url,
        "identity": identity,
        "expires_at": iso(token.expires_at),
    }


async def leave_room(deps: Deps, raw_id: str, user: User) -> None:
    async with deps.db() as db:
        room = await load_room(db, raw_id)
        member = await db.get(RoomMember, (room.id, user.id))
        if member is None or member.state not in ("joined", "waiting"):
            raise Forbidden("you are not in this room")
        if member.state == "waiting":
            # Withdrawing from the lobby leaves no standing behind; hosts' queues drop the person.
            await db.delete(member)
            events = await tell_hosts(
                db, room, "lobby.resolved", {"room_id": room.id, "user": person_json(user), "outcome": "withdrawn"}
            )
            await db.commit()
            await deps.publish(*events)
            return
        member.state = "left"
        await db.commit()
    if room.status == "active":
        await deps.livekit.remove_participant(room.id, user.id)


def person_json(user: User) -> dict:
    return {"id": user.id, "login": user.login, "display_name": user.display_name}


async def tell_hosts(db: AsyncSession, room: Room, type_: str, data: dict) -> list:
    return [await record_event(db, type_, data, user_id=host) for host in await host_ids(db, room)]


async def end_room(deps: Deps, raw_id: str, user_id: str) -> Room:
    async with deps.db() as db:
        room = await require_host(db, raw_id, user_id)
        if room.status == "ended":
            return room
        # LiveKit first: if it cannot disconnect people, the room is not marked ended.
        await deps.livekit.delete_room(room.id)
        room.status, room.ended_at = "ended", utcnow()
        event = await record_event(db, "room.ended", {"room_id": room.id}, room_id=room.id)
        await db.commit()
    await deps.publish(event)
    return room


async def update_room(deps: Deps, raw_id: str, user_id: str, changes: dict) -> Room:
    async with deps.db() as db:
        room = await require_host(db, raw_id, user_id)
        if room.status == "ended":
            raise RoomEnded()
        for name in ("name", "locked", "waiting_room"):
            if changes.get(name) is not None:
                setattr(room, name, changes[name])
        event = await record_event(db, "room.updated", room_json(room, deps.settings.public_url), room_id=room.id)
        await db.commit()
    await deps.publish(event)
    return room


async def participants_online(deps: Deps, room: Room) -> int:
    from conference.calls.history import open_attendance_count  # calls owns attendance

    return await open_attendance_count(deps.db, room.id)


async def live_participants(deps: Deps, raw_id: str, user_id: str) -> list[dict]:
    async with deps.db() as db:
        room, _ = await require_member(db, raw_id, user_id)
        present = await deps.livekit.list_participants(room.id) if room.status == "active" else []
        ids = [participant.identity for participant in present]
        users = {u.id: u for u in await db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
        roles = dict(
            (await db.execute(select(RoomMember.user_id, RoomMember.role).where(RoomMember.room_id == room.id))).all()
        )
    items = []
    for participant in present:
        user = users.get(participant.identity)
        tracks = [
            {"sid": track.sid, "source": source_name(track.source), "muted": track.muted}
            for track in participant.tracks
        ]
        role = "host" if participant.identity == room.host_id else roles.get(participant.identity)
        items.append(
            {
                "identity": participant.identity,
                "name": participant.name,
                "user": {"id": user.id, "login": user.login, "display_name": user.display_name} if user else None,
                "role": role,
                "joined_at": iso(_from_epoch(participant.joined_at)),
                "tracks": tracks,
            }
        )
    return items


def _from_epoch(seconds: int):
    from datetime import datetime

    return datetime.fromtimestamp(seconds, UTC) if seconds else None
