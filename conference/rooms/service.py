"""Room rules: creating, listing, changing and ending rooms, who may do what in them, and the
rooms of direct calls (the calls domain asks for them here; it never writes rooms itself)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import Conflict, Forbidden, NotFound, RoomEnded
from conference.guests.sessions import announce_ended, end_guest_sessions
from conference.livekit import source_name
from conference.realtime.events import record_event
from conference.realtime.models import Event
from conference.rooms.codes import new_room_code, normalize_room_code
from conference.rooms.models import Room as RoomRow
from conference.rooms.models import RoomMember
from conference.rooms.schedule import check_times
from conference.rooms.schemas import LiveParticipant, LiveParticipantList, Room, RoomDetails, RoomList, RoomRef, Track
from conference.rooms.standing import StandingChanged
from conference.routing import Answer

MEMBER_STATES = ("joined", "left")  # people who were let in; waiting/denied/removed are not members


async def load_room(db: AsyncSession, raw_id: str) -> RoomRow:
    code = normalize_room_code(raw_id)
    room = await db.get(RoomRow, code) if code else None
    if room is None:
        raise NotFound("no room with this ID; check the code and try again")
    return room


def role_of(room: RoomRow, member: RoomMember | None, user_id: str) -> str | None:
    if room.host_id == user_id:
        return "host"
    if member is not None and member.state in MEMBER_STATES:
        return member.role
    return None


async def require_member(db: AsyncSession, raw_id: str, user_id: str) -> tuple[RoomRow, str]:
    """The room and the caller's role in it, or 403 for people who were never let in."""
    room = await load_room(db, raw_id)
    member = await db.get(RoomMember, (room.id, user_id))
    role = role_of(room, member, user_id)
    if role is None:
        raise Forbidden("you are not a member of this room")
    return room, role


async def require_host(db: AsyncSession, raw_id: str, user_id: str) -> RoomRow:
    room, role = await require_member(db, raw_id, user_id)
    if role != "host":
        raise Forbidden("only a host of this room can do that")
    return room


async def host_ids(db: AsyncSession, room: RoomRow) -> list[str]:
    cohosts = await db.scalars(
        select(RoomMember.user_id).where(
            RoomMember.room_id == room.id, RoomMember.role == "host", RoomMember.state.in_(MEMBER_STATES)
        )
    )
    return sorted({*cohosts, *([room.host_id] if room.host_id else [])})


async def tell_hosts(db: AsyncSession, room: RoomRow, type_: str, data: Answer) -> list[Event]:
    return [await record_event(db, type_, data, user_id=host) for host in await host_ids(db, room)]


async def create_room(
    deps: Deps,
    *,
    name: str,
    max_participants: int,
    waiting_room: bool,
    guest_access: str = "lobby",
    host_id: str | None = None,
    api_key_id: str | None = None,
    starts_at: datetime | None = None,
    expires_at: datetime | None = None,
    e2ee: bool = False,
) -> Room:
    check_times(starts_at, expires_at)
    row = await _insert_room(
        deps,
        name=name,
        max_participants=max_participants,
        waiting_room=waiting_room,
        guest_access=guest_access,
        host_id=host_id,
        key=api_key_id,
        schedule=(starts_at, expires_at),
        e2ee=e2ee,
    )
    return Room.of(row, deps.settings.public_url)


async def _insert_room(
    deps: Deps,
    *,
    name: str,
    max_participants: int,
    waiting_room: bool,
    host_id: str | None,
    guest_access: str = "off",
    key: str | None = None,
    kind: str = "room",
    locked: bool = False,
    member_ids: tuple[str, ...] = (),
    schedule: tuple[datetime | None, datetime | None] = (None, None),
    e2ee: bool = False,
) -> RoomRow:
    async with deps.db() as db:
        for _ in range(5):  # 26^10 codes; a clash is rare but possible
            room = RoomRow(
                id=new_room_code(),
                name=name,
                max_participants=max_participants,
                waiting_room=waiting_room,
                guest_access=guest_access,
                host_id=host_id,
                api_key_id=key,
                kind=kind,
                locked=locked,
                starts_at=schedule[0],
                expires_at=schedule[1],
                e2ee=e2ee,
            )
            db.add(room)
            try:
                await db.flush()
                # Let in, not yet present: members may join a locked room.
                db.add_all(RoomMember(room_id=room.id, user_id=user_id, state="left") for user_id in member_ids)
                await db.commit()
                return room
            except IntegrityError:
                await db.rollback()
    raise Conflict("could not allocate a room code; try again")


async def list_rooms(deps: Deps, user_id: str, limit: int = 100) -> RoomList:
    async with deps.db() as db:
        joined = select(RoomMember.room_id).where(RoomMember.user_id == user_id, RoomMember.state.in_(MEMBER_STATES))
        rooms = await db.scalars(
            select(RoomRow)
            .where(or_(RoomRow.host_id == user_id, RoomRow.id.in_(joined)))
            .order_by(RoomRow.created_at.desc())
            .limit(limit)
        )
        return RoomList(items=[Room.of(room, deps.settings.public_url) for room in rooms])


async def get_room(deps: Deps, raw_id: str) -> RoomDetails:
    from conference.calls.history import open_attendance_count  # calls owns attendance

    async with deps.db() as db:
        room = await load_room(db, raw_id)
    online = await open_attendance_count(deps.db, room.id)
    return RoomDetails(**dict(Room.of(room, deps.settings.public_url)), participants_online=online)


async def update_room(
    deps: Deps,
    raw_id: str,
    user_id: str,
    *,
    name: str | None = None,
    locked: bool | None = None,
    waiting_room: bool | None = None,
    guest_access: str | None = None,
    schedule: dict[str, datetime | None] | None = None,
) -> Room:
    """`schedule`: the times given (starts_at, expires_at; None clears one), the rest stay."""
    async with deps.db() as db:
        room = await require_host(db, raw_id, user_id)
        if room.status == "ended":
            raise RoomEnded()
        if schedule:
            times = {"starts_at": room.starts_at, "expires_at": room.expires_at, **schedule}
            check_times(times["starts_at"], times["expires_at"])
            room.starts_at, room.expires_at = times["starts_at"], times["expires_at"]
        if name is not None:
            room.name = name
        if locked is not None:
            room.locked = locked
        if waiting_room is not None:
            room.waiting_room = waiting_room
        if guest_access is not None:
            room.guest_access = guest_access
        answer = Room.of(room, deps.settings.public_url)
        event = await record_event(db, "room.updated", answer, room_id=room.id)
        await db.commit()
    await deps.publish(event)
    return answer


async def end_room(deps: Deps, raw_id: str, user_id: str) -> Room:
    async with deps.db() as db:
        room = await require_host(db, raw_id, user_id)
    if room.status == "ended":
        return Room.of(room, deps.settings.public_url)
    await close_room(deps, room.id)
    async with deps.db() as db:
        return Room.of(await load_room(db, room.id), deps.settings.public_url)


async def close_room(deps: Deps, room_id: str) -> int:
    """Ends the room for everyone (a host's end, or its expiry); 1 when this call ended it, 0 when it
    had ended already. LiveKit first: if it cannot disconnect people, the room is not marked ended (503,
    retry). No database connection waits on LiveKit; when the write after it fails, a retry deletes again
    (a room LiveKit no longer has is fine) and marks it then. A room somebody re-entered in between is put
    out again by the webhook check and the reconcile (calls/reconcile.py)."""
    from conference.recordings.service import stop_room_recordings  # recordings owns its table

    await deps.livekit.delete_room(room_id)
    deps.occupancy.forget(room_id)  # a join or token now asks LiveKit again
    async with deps.db() as db:
        closed = await db.execute(
            update(RoomRow)
            .where(RoomRow.id == room_id, RoomRow.status == "active")
            .values(status="ended", ended_at=utcnow())
        )
        if cast(CursorResult[Any], closed).rowcount != 1:
            return 0  # someone else ended it first (another host, another replica's sweep)
        event = await record_event(db, "room.ended", RoomRef(room_id=room_id), room_id=room_id)
        guests_out = await end_guest_sessions(db, room_id)  # guests' sessions end with the room
        stopped = await stop_room_recordings(db, room_id)
        await db.commit()
    await deps.publish(event, *stopped)
    await deps.hub.notify(StandingChanged(room_id=room_id))  # no replica mints a token for it any more
    await announce_ended(deps, guests_out)
    return 1


async def live_participants(deps: Deps, raw_id: str, user_id: str) -> LiveParticipantList:
    """Who LiveKit has in the room now, with the user and room role behind each identity."""
    async with deps.db() as db:
        room, _ = await require_member(db, raw_id, user_id)
    present = await deps.livekit.list_participants(room.id) if room.status == "active" else []
    present = [participant for participant in present if not participant.permission.hidden]  # a recorder
    ids = [participant.identity for participant in present]
    async with deps.db() as db:
        users = {u.id: u for u in await db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
        roles = dict(
            (await db.execute(select(RoomMember.user_id, RoomMember.role).where(RoomMember.room_id == room.id))).all()
        )
    items = []
    for participant in present:
        user = users.get(participant.identity)
        items.append(
            LiveParticipant(
                identity=participant.identity,
                name=participant.name,
                user=Person.model_validate(user) if user else None,
                role="host" if participant.identity == room.host_id else roles.get(participant.identity),
                joined_at=datetime.fromtimestamp(participant.joined_at, UTC) if participant.joined_at else None,
                tracks=[
                    Track(sid=track.sid, source=source_name(track.source), muted=track.muted)
                    for track in participant.tracks
                ],
            )
        )
    return LiveParticipantList(items=items)


# --- for other domains' queries ----------------------------------------------------------------
def hosted_room_ids(user_id: str) -> Select[str]:
    """A subquery: the ids of the rooms this user hosts."""
    return select(RoomRow.id).where(RoomRow.host_id == user_id)


async def room_ids_of(db: AsyncSession, user_id: str) -> list[str]:
    """The rooms whose events reach this user: the ones they host and the ones they were let in to."""
    joined = select(RoomMember.room_id).where(RoomMember.user_id == user_id, RoomMember.state.in_(MEMBER_STATES))
    rooms = await db.scalars(select(RoomRow.id).where(or_(RoomRow.host_id == user_id, RoomRow.id.in_(joined))))
    return sorted(rooms)


async def ended_rooms(db: AsyncSession, room_ids: Collection[str]) -> set[str]:
    """Which of these rooms have ended (LiveKit room names are room ids)."""
    if not room_ids:
        return set()
    return set(await db.scalars(select(RoomRow.id).where(RoomRow.id.in_(room_ids), RoomRow.status == "ended")))


async def room_names(db: AsyncSession, room_ids: Collection[str]) -> dict[str, str]:
    if not room_ids:
        return {}
    return dict((await db.execute(select(RoomRow.id, RoomRow.name).where(RoomRow.id.in_(room_ids)))).all())


# --- the rooms of direct calls -------------------------------------------------------------------
async def open_call_room(deps: Deps, caller: User, callee: User) -> Room:
    """A locked room for two: the caller hosts it, the callee is a member who may join when they answer."""
    row = await _insert_room(
        deps,
        name=f"{caller.display_name} · {callee.display_name}"[:100],
        max_participants=2,
        waiting_room=False,
        host_id=caller.id,
        kind="call",
        locked=True,
        member_ids=(callee.id,),
    )
    return Room.of(row, deps.settings.public_url)


async def open_group_room(deps: Deps, host: User, name: str, member_ids: Collection[str]) -> Room:
    """A locked room for a group's call: the caller hosts it, the group's members may join. It outlives its
    rings (nobody answering ends no group room); it ends like any room."""
    row = await _insert_room(
        deps,
        name=name[:100],
        max_participants=min(100, max(2, len(member_ids))),
        waiting_room=False,
        host_id=host.id,
        kind="group",
        locked=True,
        member_ids=tuple(user_id for user_id in member_ids if user_id != host.id),
    )
    return Room.of(row, deps.settings.public_url)


async def let_into_room(db: AsyncSession, room_id: str, user_ids: Collection[str]) -> None:
    """Makes people members of a locked room (a group's members who joined the group after its call opened)."""
    room = await db.get(RoomRow, room_id)
    if room is None:
        return
    present = set(await db.scalars(select(RoomMember.user_id).where(RoomMember.room_id == room_id)))
    db.add_all(
        RoomMember(room_id=room_id, user_id=user_id, state="left")
        for user_id in user_ids
        if user_id not in present and user_id != room.host_id
    )


async def room_is_active(db: AsyncSession, room_id: str) -> bool:
    room = await db.get(RoomRow, room_id)
    return room is not None and room.status != "ended"


async def end_call_room(db: AsyncSession, room_id: str) -> None:
    """Closes the room of a call that ended unanswered, in the caller's transaction. Nobody is in
    its media yet, so LiveKit has nobody to disconnect."""
    room = await db.get(RoomRow, room_id)
    if room is not None and room.kind == "call" and room.status != "ended":
        room.status, room.ended_at = "ended", utcnow()
