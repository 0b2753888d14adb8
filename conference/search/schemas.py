"""Answers of message search."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from conference.accounts.schemas import Person
from conference.routing import Answer, Timestamp

MessageKind = Literal["room", "dm", "group"]


class SnippetPart(Answer):
    """A piece of a snippet; the pieces in order are the text, `hit` marks the words that matched."""

    text: str
    hit: bool


class SearchHit(Answer):
    kind: MessageKind = Field(description="room: room chat; dm: a direct message; group: a group message")
    conversation_id: str = Field(description="the room id, the other person's user id, or the group id")
    conversation_title: str = Field(description="the room's name, the other person's name, or the group's title")
    message_id: int
    sender: Person | None
    created_at: Timestamp
    snippet: list[SnippetPart] = Field(description="the matching part of the message, matches marked")


class SearchResults(Answer):
    items: list[SearchHit] = Field(description="newest first")
    next_before: str | None = Field(description="pass as `before` for the next (older) page; null at the end")
