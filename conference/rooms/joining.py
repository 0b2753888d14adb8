"""Getting into a room's media: joining (or queueing in the lobby), leaving, and media tokens for
members and for integrators' own users."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conference import throttles
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
from conference.integrations.outbox import enqueue as report_to_integrator
from conference.livekit import MediaGrant
from conference.rooms.codes import normalize_room_code
from conference.rooms.hands import drop_on_leave
from conference.rooms.models import Room as RoomRow
from conference.rooms.models import RoomMember
from conference.rooms.schedule import check_open
from conference.rooms.schemas import Joined, LobbyEntry, LobbyResolved, Room, Waiting
from conference.rooms.service import load_room, role_of, tell_hosts
from conference.rooms.standing import Standing

# Integrators' identities live apart from user ids (32 hex digits, no colon), so a token minted for
# an integrator's user is never taken for one of ours: not in call history, nor by moderation.
INTEGRATOR_IDENTITY_PREFIX = "ext:"


def integrator_identity(identity: str) -> str:
    return INTEGRATOR_IDENTITY_PREFIX + identity


def token_metadata(user: User) -> dict[str, Any]:
    """What a user's participant carries in LiveKit besides the role (the adapter adds it)."""
    return {"login": user.login, "guest": True} if user.guest else {"login": user.login}


def member_token(deps: Deps, room_id: str, user: User, role: str) -> MediaGrant:
    """The one way a user's token is minted: identity = user id, name = display name."""
    return deps.livekit.mint_token(
        room=room_id, identity=user.id, name=user.display_name, role=role, metadata=token_metadata(user)
    )


def joined(deps: Deps, room: RoomRow, user: User, role: str) -> Joined:
    """What someone let in receives: from POST /join, or later as lobby.admitted."""
    grant = member_token(deps, room.id, user, role)
    return Joined(room=Room.of(room, deps.settings.public_url), role=role, **dict(grant))


async def join_room(deps: Deps, raw_id: str, user: User) -> Joined | Waiting:
    """Lets the user in with a media token, queues them in the lobby, or says why not.

    No database connection is held while LiveKit (the capacity check) or Redis (the knock limit)
    answers: the way in is read, the network call made, and the write reads it again in its own
    transaction. A failure anywhere leaves nothing half done, so the same request may simply be retried."""
    for _ in range(3):
        async with deps.db() as db:
            room, _, way = await _way_in(db, raw_id, user.id)
        if way == "waiting":
            # Knocking again while waiting (a reload, a second tab) keeps the place in the queue and
            # does not ring the hosts again.
            return Waiting(room=Room.of(room, deps.settings.public_url))
        if way == "lobby":
            await throttles.lobby_knock(deps, user.id)
            answer: Joined | Waiting | None = await _enter_lobby(deps, room.id, user)
        else:
            await _check_capacity(deps, room, user.id)
            answer = await _let_in(deps, room.id, user)
        if answer is not None:
            return answer
    raise Conflict("the room changed while you were joining; try again")


Way = Literal["join", "lobby", "waiting"]

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


async def _way_in(db: AsyncSession, raw_id: str, user_id: str) -> tuple[RoomRow, RoomMember | None, Way]:
    """How the user gets in now (straight in, through the lobby, or already waiting), or why not."""
    room, member = await _room_and_membership(db, raw_id, user_id)
    if room.status == "ended":
        raise RoomEnded()
    if member is not None and member.state == "removed":
        raise RemovedFromRoom()
    if member is not None and member.state == "denied":
        raise LobbyDenied()  # turning the waiting room off later does not let them in
    role = role_of(room, member, user_id)
    check_open(room, host=role == "host")  # a scheduled room: not before its start, not after its end
    if role is None and room.locked:
        raise RoomLocked()
    if role is None and room.waiting_room:
        return room, member, "waiting" if member is not None and member.state == "waiting" else "lobby"
    return room, member, "join"


async def join_call_room(deps: Deps, room_id: str, user: User) -> Joined:
    """The callee's way in once they answer; a call's room has no lobby and both sides are members."""
    answer = await join_room(deps, room_id, user)
    if isinstance(answer, Waiting):  # open_call_room never makes such a room
        raise Conflict("this call's room has a waiting room")
    return answer


async def _check_capacity(deps: Deps, room: RoomRow, user_id: str) -> None:
    # Creates the LiveKit room when needed; asks LiveKit who is in it only near the limit (occupancy.py).
    await deps.occupancy.admit(room.id, room.max_participants, user_id)


async def _let_in(deps: Deps, room_id: str, user: User) -> Joined | None:
    """Marks the user joined, unless the way in changed since it was checked (then None: look again)."""
    async with deps.db() as db:
        room, member, way = await _way_in(db, room_id, user.id)
        if way != "join":
            return None
        if member is None:
            member = RoomMember(room_id=room.id, user_id=user.id, role="participant")
            db.add(member)
        member.state = "joined"
        if room.host_id == user.id:
            member.role = "host"
        try:
            await db.commit()
        except IntegrityError:  # the same user joining twice at once: the other request added the row
            return None
    return joined(deps, room, user, member.role)


async def _enter_lobby(deps: Deps, room_id: str, user: User) -> Waiting | None:
    """Queues the user and tells the hosts, unless the way in changed since it was checked."""
    async with deps.db() as db:
        room, member, way = await _way_in(db, room_id, user.id)
        if way == "waiting":
            return Waiting(room=Room.of(room, deps.settings.public_url))
        if way != "lobby":
            return None
        if member is None:
            member = RoomMember(room_id=room.id, user_id=user.id, role="participant", state="waiting")
            db.add(member)
        member.state = "waiting"
        member.updated_at = utcnow()
        request = LobbyEntry(room_id=room.id, user=Person.model_validate(user), requested_at=member.updated_at)
        events = await tell_hosts(db, room, "lobby.request", request)
        await report_to_integrator(db, room.api_key_id, room.id, "lobby.requested", request)
        try:
            await db.commit()
        except IntegrityError:
            return None
    await deps.publish(*events)
    return Waiting(room=Room.of(room, deps.settings.public_url))


async def leave_room(deps: Deps, raw_id: str, user: User) -> None:
    events = []
    async with deps.db() as db:
        room = await load_room(db, raw_id)
        member = await db.get(RoomMember, (room.id, user.id))
        if member is None or member.state not in ("joined", "waiting"):
            raise Forbidden("you are not in this room")
        waiting = member.state == "waiting"
        if waiting:
            # Withdrawing from the lobby leaves no standing behind; hosts' queues drop the person.
            await db.delete(member)
            withdrawn = LobbyResolved(room_id=room.id, user=Person.model_validate(user), outcome="withdrawn")
            events = await tell_hosts(db, room, "lobby.resolved", withdrawn)
        else:
            member.state = "left"
            events = await drop_on_leave(db, room, user.id)
        await db.commit()
    await deps.publish(*events)
    if not waiting and room.status == "active":
        await deps.livekit.remove_participant(room.id, user.id)


# Built once: SQLAlchemy then reuses its cache key and compiled SQL on every token request.
_STANDING = (
    select(RoomRow.status, RoomMember.state, RoomMember.role, RoomRow.max_participants)
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
    # LiveKit creates no room by itself; asked again once the last answer is older than occupancy.py trusts.
    await deps.occupancy.ensure_room(code, standing.max_participants)
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
    """A token for an integrator's own user, in a room that the same API key created; its LiveKit
    identity is `ext:<identity>`."""
    async with deps.db() as db:
        room = await load_room(db, raw_id)
    if room.api_key_id != api_key_id:
        raise Forbidden("this API key did not create that room")
    if room.status == "ended":
        raise RoomEnded()
    await deps.occupancy.ensure_room(room.id, room.max_participants)  # LiveKit creates no room by itself
    return deps.livekit.mint_token(
        room=room.id,
        identity=integrator_identity(identity),
        name=name,
        role=role,
        metadata={"app": metadata},
        ttl_s=ttl_s,
    )
