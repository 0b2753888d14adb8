"""Request bodies and answers of room chat and direct messages, and the events they record."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from conference.accounts.schemas import Person
from conference.routing import Answer, Body, Timestamp
from conference.uploads.schemas import MAX_ATTACHMENTS, Attachment

MAX_CONTENT = 4000


class NewMessage(Body):
    """A room chat, direct or group message to post; `content` may be empty when it carries attachments."""

    content: str = Field(default="", max_length=MAX_CONTENT)
    client_id: str | None = Field(default=None, max_length=64)
    attachments: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS, description="ids of my uploads (POST /uploads), up to 10"
    )
    reply_to: int | None = Field(default=None, ge=1, description="the id of a message of the same conversation")


class EditMessage(Body):
    content: str = Field(min_length=1, max_length=MAX_CONTENT)


class ReadUpTo(Body):
    message_id: int = Field(ge=1, description="the newest message read; the position never moves back")


class MarkRead(Body):
    message_id: int | None = Field(default=None, ge=1)


# --- answers ---------------------------------------------------------------------------------
class Quote(Answer):
    """The message a reply answers, as the reply shows it."""

    id: int
    sender: Person | None
    excerpt: str = Field(description="its first 140 characters; empty once it is deleted")
    deleted: bool


class ReactionCount(Answer):
    emoji: str = Field(description="one of the allowed set (conference/chat/reactions.py)")
    count: int
    user_ids: list[str] = Field(description="who reacted, first first")


class MessageParts(Answer):
    """What a message carries in every kind of conversation (room chat, direct, group)."""

    content: str
    client_id: str | None = Field(description="the sender's own id for the message, echoed back")
    created_at: Timestamp
    attachments: list[Attachment]
    edited_at: Timestamp | None = Field(description="when its content last changed; null if never")
    deleted: bool = Field(description="deleted: content is empty, the message stays as a marker")
    reply_to: Quote | None = Field(description="the message this one replies to; null if none or gone")
    reactions: list[ReactionCount] = Field(description="in the order of the allowed set")


class Message(MessageParts):
    """A room chat message; `sender` is null once the sender's account is deleted."""

    id: int
    room_id: str
    sender: Person | None


class MessagePage(Answer):
    items: list[Message] = Field(description="oldest to newest")
    next_before: int | None = Field(description="pass as `before` for the older page; null at the start")
    next_after: int | None = Field(description="pass as `after` for the newer page; null when it reaches the newest")


class DirectMessage(MessageParts):
    id: int
    sender: Person
    recipient_id: str
    delivered_at: Timestamp | None = Field(description="when a live connection of the recipient got it")
    read_at: Timestamp | None


class DirectMessagePage(Answer):
    items: list[DirectMessage] = Field(description="oldest to newest")
    next_before: int | None = Field(description="pass as `before` for the older page; null at the start")
    next_after: int | None = Field(description="pass as `after` for the newer page; null when it reaches the newest")


class Conversation(Answer):
    user: Person = Field(description="the other side")
    last_message: DirectMessage
    unread: int = Field(description="messages from them I have not read")


class ConversationList(Answer):
    items: list[Conversation] = Field(description="the most recently active first")


class ReadReceipt(Answer):
    """Told to the sender: their messages reached a live connection of the recipient, or were read."""

    user_id: str = Field(description="who received or read them")
    message_ids: list[int]
    status: Literal["delivered", "read"]
    at: Timestamp


class ReadResult(Answer):
    read: int = Field(description="how many messages were newly marked read")
    message_ids: list[int]


class ReadPosition(Answer):
    """Where a person's reading stands in one conversation; told to all their devices when it moves."""

    kind: Literal["room", "dm", "group"]
    conversation_id: str = Field(description="the room id, the other person's user id, or the group id")
    message_id: int = Field(description="the newest message read")
    unread: int = Field(description="messages from others after it, not deleted")


class UnreadRoom(Answer):
    room_id: str
    unread: int
    last_read_id: int | None = Field(description="null: nothing read there yet")


class UnreadDm(Answer):
    user_id: str = Field(description="the other person")
    unread: int


class UnreadGroup(Answer):
    group_id: str
    unread: int
    last_read_id: int | None


class Unread(Answer):
    """Conversations with unread messages (at most 200 of each kind, the most recently active first)."""

    total: int
    rooms: list[UnreadRoom]
    dms: list[UnreadDm]
    groups: list[UnreadGroup]


EVENTS: dict[str, type[BaseModel]] = {
    "chat.message": Message,
    "chat.message.edited": Message,
    "chat.message.deleted": Message,
    "chat.reaction": Message,
    "dm.message": DirectMessage,
    "dm.message.edited": DirectMessage,
    "dm.message.deleted": DirectMessage,
    "dm.reaction": DirectMessage,
    "dm.receipt": ReadReceipt,
    "read.position": ReadPosition,
}
