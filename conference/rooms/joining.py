"""Getting into a room's media: joining (or queueing in the lobby), leaving, and media tokens for
members and for integrators' own users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.db import single_read, utcnow
from conference.deps import Deps
from conference.errors import (
    Conflict,
    Forbidden,
    LobbyDenied,
    NotFound,
    RemovedFromRoom,
    RoomEnded,
    RoomLocked,
)
from conference.livekit import MediaGrant
from conference.rooms.codes import normalize_room_code
from conference.rooms.models import Room as RoomRow
from conference.rooms.models import RoomMember
from conference.rooms.schemas import Joined, LobbyEntry, LobbyResolved, Room, Waiting
from conference.rooms.service import load_room, role_of, tell_hosts
from conference.rooms.standing import Standing


def token_metadata(user: User) -> dict[str, Any]:
    """What a user's participant carries in LiveKit besides the role (the adapter adds it)."""
    return {"login": user.login}


def member_token(deps: Deps, room_id: str, user: User, role: str) -> MediaGrant:
    """The one way a user's token is minted: identity = user id, name = display name."""
    return deps.livekit.mint_token(
        room=room_id, identity=user.id, name=user.display_name, role=role, metadata=token_metadata(user)
    )


def joined(deps: Deps, room: RoomRow, user: User, role: str) -> Joined:
    """What someone let in receives: from POST /join, or later as lobby.admitted."""
    grant = member_token(deps, room.id, user, role)
    return Joined(room=Room.of(room, deps.settings.public_url), role=role, **dict(grant))


# The room and the caller's membership in one round trip (built once, so compiled once).
_ROOM_AND_MEMBERSHIP = (
    select(RoomRow, RoomMember)
    .outerjoin(RoomMember, (RoomMember.room_id == RoomRow.id) & (RoomMember.user_id == bindparam("user_id")))
    .where(RoomRow.id == bindparam("room_id"))
)


async def _room_and_membership(db: AsyncSession, raw_id: str, user_id: str) -> tuple[RoomRow, RoomMember | None]:
    code = normalize_room_code(raw_id)
    found = (await db.execute(_ROOM_AND_MEMBERSHIP, {"room_id": code, "user_id": user_id})).first() if code else None
    if found is None:
        raise NotFound("no room with this ID; check the code and try again")
    room, member = found
    return room, member


async def join_room(deps: Deps, raw_id: str, user: User) -> Joined | Waiting:
    """Lets the user in with a media token, queues them in the lobby, or says why not."""
    async with deps.db() as db:
        room, member = await _room_and_membership(db, raw_id, user.id)
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
    return joined(deps, room, user, member.role)


async def join_call_room(deps: Deps, room_id: str, user: User) -> Joined:
    """The callee's way in once they answer; a call's room has no lobby and both sides are members."""
    answer = await join_room(deps, room_id, user)
    if isinstance(answer, Waiting):  # open_call_room never makes such a room
        raise Conflict("this call's room has a waiting room")
    return answer


async def _check_capacity(deps: Deps, room: RoomRow, user_id: str) -> None:
    # Creates the LiveKit room when needed; asks LiveKit who is in it only near the limit (occupancy.py).
    await deps.occupancy.admit(room.id, room.max_participants, user_id)


async def _enter_lobby(deps: Deps, db: AsyncSession, room: RoomRow, member: RoomMember | None, user: User) -> Waiting:
    if member is not None and member.state == "denied":
        raise LobbyDenied()
    if member is None:
        member = RoomMember(room_id=room.id, user_id=user.id, role="participant", state="waiting")
        db.add(member)
    member.state = "waiting"
    member.updated_at = utcnow()
    request = LobbyEntry(room_id=room.id, user=Person.model_validate(user), requested_at=member.updated_at)
    events = await tell_hosts(db, room, "lobby.request", request)
    await db.commit()
    await deps.publish(*events)
    return Waiting(room=Room.of(room, deps.settings.public_url))


async def leave_room(deps: Deps, raw_id: str, user: User) -> None:
    async with deps.db() as db:
        room = await load_room(db, raw_id)
        member = await db.get(RoomMember, (room.id, user.id))
        if member is None or member.state not in ("joined", "waiting"):
            raise Forbidden("you are not in this room")
        if member.state == "waiting":
            # Withdrawing from the lobby leaves no standing behind; hosts' queues drop the person.
            await db.delete(member)
            withdrawn = LobbyResolved(room_id=room.id, user=Person.model_validate(user), outcome="withdrawn")
            events = await tell_hosts(db, room, "lobby.resolved", withdrawn)
            await db.commit()
            await deps.publish(*events)
            return
        member.state = "left"
        await db.commit()
    if room.status == "active":
        await deps.livekit.remove_participant(room.id, user.id)


# Built once: SQLAlchemy then reuses its cache key and compiled SQL on every token request.
_STANDING = (
    select(RoomRow.status, RoomMember.state, RoomMember.role)
    .select_from(RoomRow)
    .outerjoin(RoomMember, (RoomMember.room_id == RoomRow.id) & (RoomMember.user_id == bindparam("user_id")))
    .where(RoomRow.id == bindparam("room_id"))
)


async def media_token(deps: Deps, raw_id: str, user: User) -> MediaGrant:
    # The hot path of the token endpoint: the room and the caller's membership in one query
    # (bench/token_bench.py measures it), only the columns the answer needs, remembered briefly.
    code = normalize_room_code(raw_id)
    if code is None:
        raise NotFound("no room with this ID; check the code and try again")

    async def standing_now() -> Standing | None:
        async with single_read(deps.db) as db:
            row = (await db.execute(_STANDING, {"room_id": code, "user_id": user.id})).first()
        return Standing(*row) if row is not None else None

    standing = await deps.standings.recall(code, user.id, standing_now)
    if standing is None:
        raise NotFound("no room with this ID; check the code and try again")
    if standing.status == "ended":
        raise RoomEnded()
    if standing.state != "joined" or standing.role is None:
        raise Forbidden("join the room first")
    return member_token(deps, code, user, standing.role)


async def integrator_token(
    deps: Deps,
    api_key_id: str,
    raw_id: str,
    *,
    identity: str,
    name: str,
    role: str,
    metadata: dict[str, Any],
    ttl_s: int,
) -> MediaGrant:
    """A token for an integrator's own user, in a room that the same API key created."""
    async with deps.db() as db:
        room = await load_room(db, raw_id)
    if room.api_key_id != api_key_id:
        raise Forbidden("this API key did not create that room")
    if room.status == "ended":
        raise RoomEnded()
    return deps.livekit.mint_token(
        room=room.id, identity=identity, name=name, role=role, metadata={"app": metadata}, ttl_s=ttl_s
    )
