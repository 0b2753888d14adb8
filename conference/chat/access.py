"""Who may read a message, for what hangs off messages (attachments): room chat is for the room's
members, a direct message for its two people, a group message for the group's members."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from conference.chat.models import ChatMessage, DirectMessage
from conference.errors import NotFound
from conference.groups.models import GroupMember, GroupMessage
from conference.rooms.service import require_member


async def require_readable(db: AsyncSession, kind: str, message_id: int, user_id: str) -> None:
    """Returns when the user can read the message; 403 for a room they are not a member of, else 404."""
    if kind == "room":
        message = await db.get(ChatMessage, message_id)
        if message is not None:
            await require_member(db, message.room_id, user_id)
            return
    elif kind == "dm":
        direct = await db.get(DirectMessage, message_id)
        if direct is not None and user_id in (direct.sender_id, direct.recipient_id):
            return
    elif kind == "group":
        in_group = await db.get(GroupMessage, message_id)
        if in_group is not None and await db.get(GroupMember, (in_group.group_id, user_id)) is not None:
            return
    raise NotFound("no such file")
