"""Group rules: creating a group, who is in it, who may change it (its creator and admins), and leaving.
Every change is pushed to the members as an event (and to those added or removed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from conference import throttles
from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import Forbidden, NotFound, ValidationFailed
from conference.groups.models import Group as GroupRow
from conference.groups.models import GroupMember
from conference.groups.schemas import MAX_MEMBERS, Group, GroupMemberOut, GroupRole, MembersChanged
from conference.realtime.events import record_event
from conference.realtime.models import Event
from conference.rooms.service import room_is_active
from conference.routing import Answer


async def require_membership(db: AsyncSession, group_id: str, user_id: str) -> tuple[GroupRow, GroupMember]:
    """The group and my membership; 404 alike for a group that does not exist and one I am not in."""
    group = await db.get(GroupRow, group_id) if 0 < len(group_id) <= 32 else None
    member = await db.get(GroupMember, (group_id, user_id)) if group is not None else None
    if group is None or member is None:
        raise NotFound("no group with this id among your groups")
    return group, member


async def require_admin(db: AsyncSession, group_id: str, user_id: str) -> GroupRow:
    group, member = await require_membership(db, group_id, user_id)
    if member.role != "admin" and group.creator_id != user_id:
        raise Forbidden("only the group's creator and admins can do that")
    return group


async def member_ids(db: AsyncSession, group_id: str) -> list[str]:
    return sorted(await db.scalars(select(GroupMember.user_id).where(GroupMember.group_id == group_id)))


def group_ids_of(user_id: str) -> Select[str]:
    """A subquery for other domains (search): the ids of the groups this user is in."""
    return select(GroupMember.group_id).where(GroupMember.user_id == user_id)


async def tell(db: AsyncSession, type_: str, data: Answer, user_ids: Iterable[str]) -> list[Event]:
    """One stored event per person, so each of their devices gets it and a resume replays it."""
    return [await record_event(db, type_, data, user_id=user_id) for user_id in sorted(set(user_ids))]


async def group_of(db: AsyncSession, group: GroupRow) -> Group:
    rows = (
        await db.execute(
            select(GroupMember, User)
            .join(User, User.id == GroupMember.user_id)
            .where(GroupMember.group_id == group.id)
            .order_by(GroupMember.role, GroupMember.joined_at, GroupMember.user_id)  # "admin" sorts first
        )
    ).all()
    return Group(
        id=group.id,
        title=group.title,
        creator_id=group.creator_id,
        created_at=group.created_at,
        members=[
            GroupMemberOut(user=Person.model_validate(user), role=member.role, joined_at=member.joined_at)
            for member, user in rows
        ],
        # A call room that ended (everyone left, or a host ended it) is no call to join any more.
        call_room_id=group.call_room_id
        if group.call_room_id and await room_is_active(db, group.call_room_id)
        else None,
    )


async def _existing_users(db: AsyncSession, user_ids: list[str], field: str) -> list[str]:
    found = set(await db.scalars(select(User.id).where(User.id.in_(user_ids)))) if user_ids else set()
    missing = [user_id for user_id in user_ids if user_id not in found]
    if missing:
        raise NotFound(f"no user with the id {missing[0]}", fields={field: "unknown user id"})
    return user_ids


def _check_size(count: int, field: str) -> None:
    if count > MAX_MEMBERS:
        raise ValidationFailed(
            f"a group has {MAX_MEMBERS} members at most", fields={field: f"{MAX_MEMBERS} members at most"}
        )


async def create_group(deps: Deps, creator: User, title: str, invited: list[str]) -> Group:
    await throttles.group_change(deps, creator.id)
    others = [user_id for user_id in invited if user_id != creator.id]
    _check_size(len(others) + 1, "member_ids")
    async with deps.db() as db:
        await _existing_users(db, others, "member_ids")
        row = GroupRow(id=uuid.uuid4().hex, title=title, creator_id=creator.id, created_at=utcnow())
        db.add(row)
        await db.flush()
        now = utcnow()
        db.add(GroupMember(group_id=row.id, user_id=creator.id, role="admin", joined_at=now))
        db.add_all(GroupMember(group_id=row.id, user_id=user_id, role="member", joined_at=now) for user_id in others)
        await db.flush()
        group = await group_of(db, row)
        events = await tell(db, "group.created", group, [creator.id, *others])
        await db.commit()
    await deps.publish(*events)
    return group


async def get_group(deps: Deps, group_id: str, user_id: str) -> Group:
    async with deps.db() as db:
        group, _ = await require_membership(db, group_id, user_id)
        return await group_of(db, group)


async def rename(deps: Deps, group_id: str, user_id: str, title: str) -> Group:
    await throttles.group_change(deps, user_id)
    async with deps.db() as db:
        row = await require_admin(db, group_id, user_id)
        row.title = title
        await db.flush()
        group = await group_of(db, row)
        events = await tell(db, "group.updated", group, await member_ids(db, row.id))
        await db.commit()
    await deps.publish(*events)
    return group


async def add_members(deps: Deps, group_id: str, user_id: str, user_ids: list[str]) -> Group:
    await throttles.group_change(deps, user_id)
    async with deps.db() as db:
        row = await require_admin(db, group_id, user_id)
        present = set(await member_ids(db, row.id))
        added = [other for other in user_ids if other not in present]
        _check_size(len(present) + len(added), "user_ids")
        await _existing_users(db, added, "user_ids")
        now = utcnow()
        db.add_all(GroupMember(group_id=row.id, user_id=other, role="member", joined_at=now) for other in added)
        await db.flush()
        group = await group_of(db, row)
        events = []
        if added:
            changed = MembersChanged(group=group, user_ids=added, by=user_id)
            events = await tell(db, "group.member_added", changed, [*present, *added])
        await db.commit()
    await deps.publish(*events)
    return group


async def remove_member(deps: Deps, group_id: str, user_id: str, removed_id: str) -> Group:
    await throttles.group_change(deps, user_id)
    async with deps.db() as db:
        row = await require_admin(db, group_id, user_id)
        if removed_id == user_id:
            raise ValidationFailed("to leave a group, use leave", fields={"user_id": "must be another member"})
        if removed_id == row.creator_id:
            raise Forbidden("nobody can remove the group's creator")
        removed = await db.get(GroupMember, (row.id, removed_id))
        if removed is None:
            raise NotFound("no member with this id in this group")
        if removed.role == "admin" and row.creator_id != user_id:
            raise Forbidden("only the group's creator can remove an admin")
        group, events = await _drop(db, row, removed_id, by=user_id)
        await db.commit()
    await deps.publish(*events)
    return group


async def leave(deps: Deps, group_id: str, user_id: str) -> None:
    async with deps.db() as db:
        row, _ = await require_membership(db, group_id, user_id)
        _, events = await _drop(db, row, user_id, by=user_id)
        await db.commit()
    await deps.publish(*events)


async def _drop(db: AsyncSession, row: GroupRow, user_id: str, by: str) -> tuple[Group, list[Event]]:
    """Removes one member and tells everyone, the removed one included; a group left without an admin
    makes its longest-standing member one, so someone can always manage it."""
    await db.execute(delete(GroupMember).where(GroupMember.group_id == row.id, GroupMember.user_id == user_id))
    admins = await db.scalar(select(func.count()).where(GroupMember.group_id == row.id, GroupMember.role == "admin"))
    if not admins:
        heir = await db.scalar(
            select(GroupMember)
            .where(GroupMember.group_id == row.id)
            .order_by(GroupMember.joined_at, GroupMember.user_id)
            .limit(1)
        )
        if heir is not None:
            heir.role = "admin"
    await db.flush()
    group = await group_of(db, row)
    changed = MembersChanged(group=group, user_ids=[user_id], by=by)
    events = await tell(db, "group.member_removed", changed, [*(m.user.id for m in group.members), user_id])
    return group, events


async def change_role(deps: Deps, group_id: str, user_id: str, member_id: str, role: GroupRole) -> Group:
    """Admins are named by the creator (or, once the creator has left, by an admin)."""
    await throttles.group_change(deps, user_id)
    async with deps.db() as db:
        row = await require_admin(db, group_id, user_id)
        creator = await db.get(GroupMember, (row.id, row.creator_id)) if row.creator_id else None
        if creator is not None and row.creator_id != user_id:
            raise Forbidden("only the group's creator can name or remove admins")
        if member_id == row.creator_id:
            raise Forbidden("the creator stays an admin")
        member = await db.get(GroupMember, (row.id, member_id))
        if member is None:
            raise NotFound("no member with this id in this group")
        member.role = role
        await db.flush()
        group = await group_of(db, row)
        events = await tell(db, "group.updated", group, await member_ids(db, row.id))
        await db.commit()
    await deps.publish(*events)
    return group
