"""Messages in a group: members page through the history (back, forward, or around one message),
post (stored, then pushed to every member as `group.message`; files and replies as in room chat) and
keep a read position that all their devices share (`read.position`). Edits, deletes and reactions go
through chat/changes.py like those of room chat and direct messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conference import throttles
from conference.accounts.models import User
from conference.chat.extras import NO_EXTRAS, Extras, extras_of, require_original
from conference.chat.rooms import person_or_none, require_content
from conference.chat.schemas import ReadPosition
from conference.deps import Deps
from conference.errors import NotFound
from conference.groups.membership import member_ids, require_membership, tell
from conference.groups.models import GroupMember
from conference.groups.models import GroupMessage as GroupMessageRow
from conference.groups.schemas import GroupMessage, GroupMessagePage
from conference.realtime.events import lock_event_log
from conference.uploads import service as uploads


def message_of(row: GroupMessageRow, sender: User | None, extras: Extras = NO_EXTRAS) -> GroupMessage:
    deleted = row.deleted_at is not None
    return GroupMessage(
        id=row.id,
        group_id=row.group_id,
        sender=person_or_none(sender),
        content="" if deleted else row.content,
        client_id=row.client_id,
        created_at=row.created_at,
        edited_at=row.edited_at,
        deleted=deleted,
        reply_to=extras.quote_for(row),
        reactions=extras.reactions_for(row),
        attachments=extras.attachments_for(row),
    )


async def messages_of(db: AsyncSession, rows: Sequence[tuple[GroupMessageRow, User | None]]) -> list[GroupMessage]:
    """Answers for these (message, sender) rows, with their quotes, reactions and files."""
    extras = await extras_of(db, "group", [row for row, _ in rows])
    return [message_of(row, sender, extras) for row, sender in rows]


async def _read(db: AsyncSession, query: Select[GroupMessageRow]) -> list[GroupMessage]:
    with_senders = query.add_columns(User).outerjoin(User, User.id == GroupMessageRow.sender_id)
    return await messages_of(db, [(row[0], row[1]) for row in (await db.execute(with_senders)).all()])


async def list_messages(
    deps: Deps,
    group_id: str,
    user_id: str,
    *,
    before: int | None = None,
    after: int | None = None,
    around: int | None = None,
    limit: int = 50,
) -> GroupMessagePage:
    """Newest page by default; `before` pages back, `after` forward, `around` centres on one message
    (for jumping to a quoted one)."""
    # A window: `back` messages below `upper` (newest first) and `forward` above `lower`; one more row
    # each way tells whether there is more. A zero count still reads that one row.
    upper: int | None
    lower: int | None
    if around is not None:
        upper, lower, back = around + 1, around, limit // 2 + 1
    elif after is not None:
        upper, lower, back = after + 1, after, 0
    else:
        upper, lower, back = before, (before - 1 if before is not None else None), limit
    forward = limit - back
    async with deps.db() as db:
        await require_membership(db, group_id, user_id)
        base = select(GroupMessageRow).where(GroupMessageRow.group_id == group_id)
        if (
            around is not None
            and await db.scalar(base.where(GroupMessageRow.id == around).with_only_columns(GroupMessageRow.id)) is None
        ):
            raise NotFound("no message with this id in this group")
        older = await _read(db, _back(base, upper, back + 1))
        newer = await _read(db, _forward(base, lower, forward + 1)) if lower is not None else []
    items = [*reversed(older[:back]), *newer[:forward]]
    return GroupMessagePage(
        items=items,
        next_before=items[0].id if len(older) > back and items else None,
        next_after=items[-1].id if len(newer) > forward and items else None,
    )


def _back(base: Select[GroupMessageRow], before: int | None, count: int) -> Select[GroupMessageRow]:
    query = base if before is None else base.where(GroupMessageRow.id < before)
    return query.order_by(GroupMessageRow.id.desc()).limit(count)


def _forward(base: Select[GroupMessageRow], after: int, count: int) -> Select[GroupMessageRow]:
    return base.where(GroupMessageRow.id > after).order_by(GroupMessageRow.id).limit(count)


async def post(
    deps: Deps,
    group_id: str,
    sender: User,
    content: str,
    client_id: str | None = None,
    reply_to: int | None = None,
    attachments: Sequence[str] = (),
) -> GroupMessage:
    require_content(content, attachments)
    await throttles.message(deps, sender.id)
    async with deps.db() as db:
        await require_membership(db, group_id, sender.id)
        if reply_to is not None:
            original = await db.get(GroupMessageRow, reply_to)
            require_original(original, original is not None and original.group_id == group_id)
        await lock_event_log(db)  # message ids then follow the order of their events
        row = GroupMessageRow(
            group_id=group_id, sender_id=sender.id, content=content, client_id=client_id, reply_to_id=reply_to
        )
        db.add(row)
        await db.flush()
        await uploads.attach(db, "group", row.id, sender.id, attachments)
        message = message_of(row, sender, await extras_of(db, "group", [row]))
        # The sender has read what they wrote: their own messages never count as unread.
        own = await db.get(GroupMember, (group_id, sender.id))
        if own is not None:
            own.last_read_id = row.id
        events = await tell(db, "group.message", message, await member_ids(db, group_id))
        await db.commit()  # stored before anyone is told
    await deps.publish(*events)
    return message


async def unread_after(db: AsyncSession, group_id: str, user_id: str, last_read_id: int | None) -> int:
    query = select(func.count()).where(
        GroupMessageRow.group_id == group_id,
        GroupMessageRow.sender_id.is_distinct_from(user_id),
        GroupMessageRow.deleted_at.is_(None),
    )
    if last_read_id is not None:
        query = query.where(GroupMessageRow.id > last_read_id)
    return await db.scalar(query) or 0


async def mark_read(deps: Deps, group_id: str, user_id: str, message_id: int) -> ReadPosition:
    """Moves my read position up to `message_id` (never back) and tells my other devices with
    `read.position`, the event rooms and direct messages use too."""
    await throttles.read_mark(deps, user_id)
    async with deps.db() as db:
        await require_membership(db, group_id, user_id)
        message = await db.get(GroupMessageRow, message_id)
        if message is None or message.group_id != group_id:
            raise NotFound("no message with this id in this group")
        # One conditional update: two devices reading at once both succeed, and the further one wins.
        mine = (GroupMember.group_id == group_id, GroupMember.user_id == user_id)
        forward = (
            update(GroupMember)
            .where(*mine, or_(GroupMember.last_read_id.is_(None), GroupMember.last_read_id < message_id))
            .values(last_read_id=message_id)
            .execution_options(synchronize_session=False)
        )
        moved = bool(cast(CursorResult[Any], await db.execute(forward)).rowcount)
        position_id = int(await db.scalar(select(GroupMember.last_read_id).where(*mine)) or message_id)
        position = ReadPosition(
            kind="group",
            conversation_id=group_id,
            message_id=position_id,
            unread=await unread_after(db, group_id, user_id, position_id),
        )
        events = await tell(db, "read.position", position, [user_id]) if moved else []
        await db.commit()
    await deps.publish(*events)
    return position
