"""Changes to a message after it was sent: its sender edits it (within the edit window) or deletes it,
a host deletes any message of their room (a group's admins any of the group's), anyone in the
conversation reacts. Each change is stored,
then pushed as an event carrying the whole updated message, so clients replace it by id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from conference import throttles
from conference.accounts.models import User
from conference.accounts.service import other_user
from conference.chat.direct import direct_message_of, is_between
from conference.chat.extras import Kind, MessageRow, extras_of
from conference.chat.models import ChatMessage, MessageReaction
from conference.chat.models import DirectMessage as DirectMessageRow
from conference.chat.reactions import REACTIONS, is_allowed
from conference.chat.rooms import message_of, require_content
from conference.chat.schemas import DirectMessage, Message
from conference.chat.upsert import insert_unless_there
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import EditWindowClosed, Forbidden, MessageDeleted, NotFound, RoomEnded, ValidationFailed
from conference.groups.membership import member_ids, require_membership
from conference.groups.messages import message_of as group_message_of
from conference.groups.models import GroupMessage as GroupMessageRow
from conference.groups.schemas import GroupMessage
from conference.realtime.events import record_event
from conference.realtime.models import Event
from conference.rooms.service import require_member
from conference.uploads.service import detach_for

EVENT_TYPES: dict[Kind, dict[str, str]] = {
    "room": {"edited": "chat.message.edited", "deleted": "chat.message.deleted", "reaction": "chat.reaction"},
    "dm": {"edited": "dm.message.edited", "deleted": "dm.message.deleted", "reaction": "dm.reaction"},
    "group": {"edited": "group.message.edited", "deleted": "group.message.deleted", "reaction": "group.reaction"},
}
AnyMessage = Message | DirectMessage | GroupMessage


@dataclass(frozen=True)
class Target:
    """One message found through its conversation's path, and who may do what to it."""

    kind: Kind
    row: MessageRow
    moderator: bool  # may delete anyone's message: a host (or co-host) of the room, an admin of the group
    room_id: str | None  # room messages go to the room's members
    user_ids: tuple[str, ...]  # direct messages go to both sides, group messages to every member
    closed: bool  # the room ended: no more edits or reactions


Find = Callable[[AsyncSession], Awaitable[Target]]
Change = Callable[[AsyncSession, Target], Awaitable[str | None]]  # the change made ("edited"...), or None


def in_room(raw_room_id: str, user_id: str, message_id: int) -> Find:
    async def find(db: AsyncSession) -> Target:
        room, role = await require_member(db, raw_room_id, user_id)
        row = await db.get(ChatMessage, message_id, with_for_update=True)
        if row is None or row.room_id != room.id:
            raise NotFound("no message with this id in this room")
        return Target("room", row, role == "host", room.id, (), room.status == "ended")

    return find


def with_peer(user_id: str, peer_id: str, message_id: int) -> Find:
    async def find(db: AsyncSession) -> Target:
        peer = await other_user(db, user_id, peer_id)
        row = await db.get(DirectMessageRow, message_id, with_for_update=True)
        if row is None or not is_between(row, user_id, peer.id):
            raise NotFound("no message with this id between you and this user")
        return Target("dm", row, False, None, (row.sender_id, row.recipient_id), False)

    return find


def in_group(group_id: str, user_id: str, message_id: int) -> Find:
    async def find(db: AsyncSession) -> Target:
        group, member = await require_membership(db, group_id, user_id)
        row = await db.get(GroupMessageRow, message_id, with_for_update=True)
        if row is None or row.group_id != group.id:
            raise NotFound("no message with this id in this group")
        admin = member.role == "admin" or group.creator_id == user_id
        return Target("group", row, admin, None, tuple(await member_ids(db, group.id)), False)

    return find


async def model_of(db: AsyncSession, target: Target) -> AnyMessage:
    row = target.row
    sender = await db.get(User, row.sender_id) if row.sender_id is not None else None
    extras = await extras_of(db, target.kind, [row])
    if isinstance(row, ChatMessage):
        return message_of(row, sender, extras)
    if isinstance(row, GroupMessageRow):
        return group_message_of(row, sender, extras)
    assert sender is not None  # a direct message goes with its sender's account
    return direct_message_of(row, sender, extras)


async def _events(db: AsyncSession, target: Target, change: str, model: AnyMessage) -> list[Event]:
    type_ = EVENT_TYPES[target.kind][change]
    if target.room_id is not None:
        return [await record_event(db, type_, model, room_id=target.room_id)]
    return [await record_event(db, type_, model, user_id=user_id) for user_id in target.user_ids]


async def apply(deps: Deps, user_id: str, find: Find, change: Change) -> AnyMessage:
    await throttles.message_change(deps, user_id)
    async with deps.db() as db:
        # The message row is locked first (find), the event log after (record_event), the same order as
        # delivery and read receipts take them: changes of one message are made and told one at a time.
        target = await find(db)
        made = await change(db, target)
        await db.flush()
        model = await model_of(db, target)
        events = await _events(db, target, made, model) if made else []
        await db.commit()  # stored before anyone is told
    await deps.publish(*events)
    return model


def _require_open(target: Target) -> None:
    if target.row.deleted_at is not None:
        raise MessageDeleted()
    if target.closed:
        raise RoomEnded()


def edit(user_id: str, content: str, window_s: int) -> Change:
    require_content(content)

    async def change(db: AsyncSession, target: Target) -> str | None:
        row = target.row
        if row.sender_id != user_id:
            raise Forbidden("you can only edit your own messages")
        _require_open(target)
        if utcnow() - row.created_at > timedelta(seconds=window_s):
            raise EditWindowClosed(f"messages can be edited for {_duration(window_s)} after sending")
        if row.content == content:
            return None
        row.content, row.edited_at = content, utcnow()
        return "edited"

    return change


def _duration(seconds: int) -> str:
    return f"{seconds // 3600} hours" if seconds >= 3600 else f"{seconds} seconds"


def remove(user_id: str) -> Change:
    async def change(db: AsyncSession, target: Target) -> str | None:
        row = target.row
        if row.sender_id != user_id and not target.moderator:
            raise Forbidden("you can only delete your own messages")
        if row.deleted_at is not None:
            return None  # deleted already: the same marker, nothing to tell
        row.content, row.deleted_at = "", utcnow()
        await detach_for(db, target.kind, row.id)  # its files go with its content
        await db.execute(
            delete(MessageReaction).where(MessageReaction.kind == target.kind, MessageReaction.message_id == row.id)
        )
        return "deleted"

    return change


def require_reaction(emoji: str) -> None:
    if not is_allowed(emoji):
        allowed = " ".join(REACTIONS)
        raise ValidationFailed("this reaction is not in the allowed set", fields={"emoji": f"one of {allowed}"})


def react(user_id: str, emoji: str, on: bool) -> Change:
    require_reaction(emoji)

    async def change(db: AsyncSession, target: Target) -> str | None:
        _require_open(target)
        mine = (
            MessageReaction.kind == target.kind,
            MessageReaction.message_id == target.row.id,
            MessageReaction.user_id == user_id,
            MessageReaction.emoji == emoji,
        )
        exists = await db.scalar(select(MessageReaction.emoji).where(*mine))
        if not on:
            if exists is None:
                return None
            await db.execute(delete(MessageReaction).where(*mine))
            return "reaction"
        if exists is not None:
            return None
        reaction = {"kind": target.kind, "message_id": target.row.id, "user_id": user_id, "emoji": emoji}
        # a double click racing itself: the second one changes nothing
        added = await db.execute(insert_unless_there(db, MessageReaction, **reaction, created_at=utcnow()))
        return "reaction" if cast(CursorResult[Any], added).rowcount else None

    return change
