"""A group's call: one locked room per group at a time, with rings for the members who are online.
The rooms domain opens the room and the calls domain rings; a second press joins the open room and
rings whoever is not ringing yet."""

from __future__ import annotations

from conference import throttles
from conference.accounts.models import User
from conference.calls.ringing import ring_members
from conference.deps import Deps
from conference.groups.membership import group_of, member_ids, require_membership, tell
from conference.groups.models import Group as GroupRow
from conference.groups.schemas import GroupCall
from conference.rooms.service import let_into_room, open_group_room, room_is_active


async def start_group_call(deps: Deps, caller: User, group_id: str) -> GroupCall:
    await throttles.call(deps, caller.id)
    async with deps.db() as db:
        group, _ = await require_membership(db, group_id, caller.id)
        members = await member_ids(db, group.id)
        room_id = group.call_room_id if group.call_room_id and await room_is_active(db, group.call_room_id) else None
        if room_id is not None:
            await let_into_room(db, room_id, members)
            await db.commit()
        title = group.title
    if room_id is None:
        room_id = (await open_group_room(deps, caller, title, members)).id
        async with deps.db() as db:
            row = await db.get(GroupRow, group_id)
            events = []
            if row is not None:  # members see the group's call open (a "join" button) even if not rung
                row.call_room_id = room_id
                await db.flush()
                events = await tell(db, "group.updated", await group_of(db, row), await member_ids(db, row.id))
            await db.commit()
        await deps.publish(*events)
    in_call = {participant.identity for participant in await deps.livekit.list_participants(room_id)}
    others = [user_id for user_id in members if user_id != caller.id and user_id not in in_call]
    online = sorted(await deps.hub.online(others)) if others else []
    rang = await ring_members(deps, caller, room_id, online)
    return GroupCall(group_id=group_id, room_id=room_id, rang=rang)
