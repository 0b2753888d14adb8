"""Request bodies and answers of room chat and direct messages, and the events they record."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from conference.accounts.schemas import Person
from conference.routing import Answer, Body, Timestamp
from conference.uploads.schemas import MAX_ATTACHMENTS, Attachment

MAX_CONTENT = 4000


class NewMessage(Body):
    """A room chat message or a direct message to post; `content` may be empty when it carries attachments."""

    content: str = Field(default="", max_length=MAX_CONTENT)
    client_id: str | None = Field(default=None, max_length=64)
    attachments: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=MAX_ATTACHMENTS, description="ids of my uploads (POST /uploads), up to 10"
    )


class MarkRead(Body):
    message_id: int | None = Field(default=None, ge=1)


# --- answers ---------------------------------------------------------------------------------
class Message(Answer):
    """A room chat message; `sender` is null once the sender's account is deleted."""

    id: int
    room_id: str
    sender: Person | None
    content: str
    client_id: str | None = Field(description="the sender's own id for the message, echoed back")
    created_at: Timestamp
    attachments: list[Attachment]


class MessagePage(Answer):
    items: list[Message] = Field(description="oldest to newest")
    next_before: int | None = Field(description="pass as `before` for the older page; null at the start")


class DirectMessage(Answer):
    id: int
    sender: Person
    recipient_id: str
    content: str
    client_id: str | None = Field(description="the sender's own id for the message, echoed back")
    created_at: Timestamp
    delivered_at: Timestamp | None = Field(description="when a live connection of the recipient got it")
    read_at: Timestamp | None
    attachments: list[Attachment]


class DirectMessagePage(Answer):
    items: list[DirectMessage] = Field(description="oldest to newest")
    next_before: int | None = Field(description="pass as `before` for the older page; null at the start")


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


EVENTS: dict[str, type[BaseModel]] = {
    "chat.message": Message,
    "dm.message": DirectMessage,
    "dm.receipt": ReadReceipt,
}
