"""Request bodies and answers of group conversations, and the events they record."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from conference.accounts.schemas import Person
from conference.calls.schemas import Call
from conference.chat.schemas import MessageParts
from conference.routing import Answer, Body, Timestamp

MAX_MEMBERS = 256  # everyone in a group, its creator included
MAX_TITLE = 100
GroupRole = Literal["admin", "member"]


def check_title(value: str) -> str:
    value = value.strip()
    if not 1 <= len(value) <= MAX_TITLE:
        raise ValueError(f"must be 1 to {MAX_TITLE} characters")
    return value


UserIds = list[str]


def check_user_ids(value: UserIds) -> UserIds:
    if any(not 1 <= len(user_id) <= 32 for user_id in value):
        raise ValueError("each user id is 1 to 32 characters")
    return list(dict.fromkeys(value))  # the same person twice is one member


class NewGroup(Body):
    title: str = Field(max_length=400)
    member_ids: UserIds = Field(
        default_factory=list, max_length=MAX_MEMBERS, description=f"besides me; {MAX_MEMBERS} members at most in all"
    )

    _title = field_validator("title")(check_title)
    _members = field_validator("member_ids")(check_user_ids)


class RenameGroup(Body):
    title: str = Field(max_length=400)

    _title = field_validator("title")(check_title)


class AddMembers(Body):
    user_ids: UserIds = Field(min_length=1, max_length=MAX_MEMBERS)

    _members = field_validator("user_ids")(check_user_ids)


class ChangeRole(Body):
    role: GroupRole


# --- answers ---------------------------------------------------------------------------------
class GroupMessage(MessageParts):
    """A message in a group; `sender` is null once the sender's account is deleted."""

    id: int
    group_id: str
    sender: Person | None


class GroupMessagePage(Answer):
    items: list[GroupMessage] = Field(description="oldest to newest")
    next_before: int | None = Field(description="pass as `before` for the older page; null at the start")
    next_after: int | None = Field(description="pass as `after` for the newer page; null at the newest")


class GroupMemberOut(Answer):
    user: Person
    role: GroupRole
    joined_at: Timestamp


class Group(Answer):
    id: str
    title: str
    creator_id: str | None
    created_at: Timestamp
    members: list[GroupMemberOut] = Field(description="admins first, then by when they joined")
    call_room_id: str | None = Field(description="the room of the group's call while one is open")


class GroupSummary(Answer):
    id: str
    title: str
    member_count: int
    my_role: GroupRole
    last_message: GroupMessage | None
    unread: int = Field(description="messages of others after my read position")
    last_read_id: int | None


class GroupList(Answer):
    items: list[GroupSummary] = Field(description="the most recently active first")
    next_offset: int | None = Field(description="pass as `offset` for the next page; null at the end")


class MembersChanged(Answer):
    """group.member_added / group.member_removed: told to the members and to those added or removed."""

    group: Group
    user_ids: list[str] = Field(description="who was added or removed")
    by: str | None = Field(description="who did it; the person themselves when they left")


class GroupCall(Answer):
    """POST /groups/{id}/call: the room to join and the rings sent to the members online."""

    group_id: str
    room_id: str = Field(description="join with POST /rooms/{room_id}/join")
    rang: list[Call] = Field(description="one ring per member who was online and not ringing already")


EVENTS: dict[str, type[BaseModel]] = {
    "group.created": Group,
    "group.updated": Group,
    "group.member_added": MembersChanged,
    "group.member_removed": MembersChanged,
    "group.message": GroupMessage,
    "group.message.edited": GroupMessage,
    "group.message.deleted": GroupMessage,
    "group.reaction": GroupMessage,
}
