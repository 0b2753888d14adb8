"""What a host does to the whole call at once: mute everyone but the hosts, or ask everyone to
unmute (a request each person answers themselves; nobody is ever unmuted by force)."""

from __future__ import annotations

import asyncio
import json

from livekit.protocol.models import ParticipantInfo
from sqlalchemy import select

from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.deps import Deps
from conference.errors import NotFound, RoomEnded
from conference.livekit import source_name
from conference.realtime.events import record_event
from conference.rooms.models import Room as RoomRow
from conference.rooms.schemas import MutedEveryone, MuteKind, ParticipantMuted, UnmuteAsked, UnmuteKind, UnmuteRequest
from conference.rooms.service import host_ids, require_host

# Which LiveKit track sources a mute of each kind silences (as for muting one person).
MUTE_SOURCES = {"audio": {"microphone"}, "video": {"camera"}, "screen": {"screen_share", "screen_share_audio"}}


def _is_host(participant: ParticipantInfo, hosts: set[str]) -> bool:
    """A host of the room by membership, or (an integrator's identity) by the role in its token."""
    if participant.identity in hosts:
        return True
    try:
        return bool(json.loads(participant.metadata or "{}").get("role") == "host")
    except (ValueError, AttributeError):
        return False


async def _room_and_others(deps: Deps, raw_id: str, host_id: str) -> tuple[RoomRow, list[ParticipantInfo], User]:
    """The room, everyone in its call who is not a host, and the host acting."""
    async with deps.db() as db:
        room = await require_host(db, raw_id, host_id)
        if room.status == "ended":
            raise RoomEnded()
        hosts = set(await host_ids(db, room))
        me = await db.get(User, host_id)
    if me is None:
        raise NotFound("no such user")
    present = await deps.livekit.list_participants(room.id)
    return room, [p for p in present if not _is_host(p, hosts)], me


async def _user_ids(deps: Deps, identities: list[str]) -> set[str]:
    """Identities that are users of this app (integrators' identities get no events)."""
    if not identities:
        return set()
    async with deps.db() as db:
        return set(await db.scalars(select(User.id).where(User.id.in_(identities))))


async def mute_everyone(deps: Deps, raw_id: str, host_id: str, kind: MuteKind) -> MutedEveryone:
    room, others, _ = await _room_and_others(deps, raw_id, host_id)
    sources = MUTE_SOURCES[kind]
    targets = {
        p.identity: [t.sid for t in p.tracks if source_name(t.source) in sources and not t.muted] for p in others
    }
    targets = {identity: sids for identity, sids in targets.items() if sids}
    await asyncio.gather(
        *(deps.livekit.mute_track(room.id, identity, sid) for identity, sids in targets.items() for sid in sids)
    )
    users = await _user_ids(deps, list(targets))
    async with deps.db() as db:
        events = [
            await record_event(
                db,
                "participant.muted",
                ParticipantMuted(room_id=room.id, user_id=identity, kind=kind, by=host_id, muted=sids),
                user_id=identity,
            )
            for identity, sids in targets.items()
            if identity in users
        ]
        await db.commit()
    await deps.publish(*events)
    return MutedEveryone(room_id=room.id, kind=kind, by=host_id, muted=sorted(targets))


async def ask_everyone_to_unmute(deps: Deps, raw_id: str, host_id: str, kind: UnmuteKind) -> UnmuteAsked:
    room, others, me = await _room_and_others(deps, raw_id, host_id)
    asked = sorted(await _user_ids(deps, [p.identity for p in others]))
    request = UnmuteRequest(room_id=room.id, kind=kind, by=Person.model_validate(me))
    async with deps.db() as db:
        events = [await record_event(db, "unmute.requested", request, user_id=user_id) for user_id in asked]
        await db.commit()
    await deps.publish(*events)
    return UnmuteAsked(room_id=room.id, kind=kind, asked=asked)
