"""My groups for the home page: each with its last message, my unread count and my read position."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from conference.accounts.models import User
from conference.deps import Deps
from conference.groups.messages import messages_of
from conference.groups.models import Group as GroupRow
from conference.groups.models import GroupMember
from conference.groups.models import GroupMessage as GroupMessageRow
from conference.groups.schemas import GroupList, GroupSummary


async def list_groups(deps: Deps, user_id: str, offset: int, limit: int) -> GroupList:
    async with deps.db() as db:
        activity = (
            select(GroupRow, GroupMember, func.max(GroupMessageRow.id), func.max(GroupMessageRow.created_at))
            .join(GroupMember, and_(GroupMember.group_id == GroupRow.id, GroupMember.user_id == user_id))
            .outerjoin(GroupMessageRow, GroupMessageRow.group_id == GroupRow.id)
            .group_by(GroupRow.id, GroupMember.group_id, GroupMember.user_id)
        )
        mine = list((await db.execute(activity)).all())
        # The most recently active first: the last message's time, or the group's creation before any.
        mine.sort(key=lambda row: (row[3] or row[0].created_at, row[0].id), reverse=True)
        page = mine[offset : offset + limit]
        ids = [group.id for group, *_ in page]
        last_ids = [last for *_, last, _ in page if last is not None]
        last_rows = (
            await db.execute(
                select(GroupMessageRow, User)
                .outerjoin(User, User.id == GroupMessageRow.sender_id)
                .where(GroupMessageRow.id.in_(last_ids))
            )
        ).all()
        last = {message.id: message for message in await messages_of(db, [(row, sender) for row, sender in last_rows])}
        counts = dict(
            (
                await db.execute(
                    select(GroupMember.group_id, func.count())
                    .where(GroupMember.group_id.in_(ids))
                    .group_by(GroupMember.group_id)
                )
            ).all()
        )
        unread = dict(
            (
                await db.execute(
                    select(GroupMessageRow.group_id, func.count())
                    .join(
                        GroupMember,
                        and_(GroupMember.group_id == GroupMessageRow.group_id, GroupMember.user_id == user_id),
                    )
                    .where(
                        GroupMessageRow.group_id.in_(ids),
                        GroupMessageRow.sender_id.is_distinct_from(user_id),
                        GroupMessageRow.deleted_at.is_(None),
                        or_(GroupMember.last_read_id.is_(None), GroupMessageRow.id > GroupMember.last_read_id),
                    )
                    .group_by(GroupMessageRow.group_id)
                )
            ).all()
        )
    items = [
        GroupSummary(
            id=group.id,
            title=group.title,
            member_count=counts.get(group.id, 0),
            my_role=member.role,
            last_message=last.get(last_id) if last_id is not None else None,
            unread=unread.get(group.id, 0),
            last_read_id=member.last_read_id,
        )
        for group, member, last_id, _ in page
    ]
    return GroupList(items=items, next_offset=offset + limit if len(mine) > offset + limit else None)
