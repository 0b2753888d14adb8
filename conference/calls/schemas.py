"""Answers of direct calls, call history and the LiveKit webhook, and the events calls record."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field

from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.calls.models import DirectCall
from conference.livekit import MediaGrant
from conference.routing import Answer, Timestamp

CallStatus = Literal["ringing", "accepted", "declined", "cancelled", "missed", "ended"]


class Call(Answer):
    """A direct call: POST /calls, decline and cancel answer it, and every call.* event carries it."""

    id: str
    room_id: str = Field(description="the call's room; both sides join it with POST /rooms/{room_id}/join")
    status: CallStatus
    caller: Person | None = Field(description="None once that account is deleted")
    callee: Person | None = Field(description="None once that account is deleted")
    created_at: Timestamp
    expires_at: Timestamp = Field(description="when an unanswered ring ends as missed")
    answered_at: Timestamp | None
    ended_at: Timestamp | None

    @classmethod
    def of(cls, call: DirectCall, caller: User | None, callee: User | None, ring_timeout_s: float) -> Call:
        return cls(
            id=call.id,
            room_id=call.room_id,
            status=call.status,
            caller=Person.model_validate(caller) if caller else None,
            callee=Person.model_validate(callee) if callee else None,
            created_at=call.created_at,
            expires_at=call.created_at + timedelta(seconds=ring_timeout_s),
            answered_at=call.answered_at,
            ended_at=call.ended_at,
        )


class CallMedia(MediaGrant):
    """The callee's answer to accepting: a token for the call's room."""

    room_id: str
    call_id: str


class Attendance(Answer):
    """One stretch of someone in a call, from LiveKit's participant_joined/left webhooks."""

    user_id: str | None = Field(description="None for identities that are not users")
    identity: str
    display_name: str
    guest: bool = Field(description="a guest without an account (POST /rooms/{room_id}/guests)")
    joined_at: Timestamp
    left_at: Timestamp | None
    duration_s: float | None = Field(description="so far, while they are still in")


class CallSession(Answer):
    """One LiveKit room lifetime (room_started .. room_finished) with everyone who attended."""

    id: int
    room_id: str
    room_name: str | None
    started_at: Timestamp
    ended_at: Timestamp | None
    duration_s: float = Field(description="so far, while the session is open")
    participants: list[Attendance]


class CallSessionList(Answer):
    items: list[CallSession]


class WebhookReceipt(Answer):
    applied: bool = Field(description="False when this event id was applied before")


EVENTS: dict[str, type[BaseModel]] = {
    "call.ring": Call,
    "call.accepted": Call,
    "call.declined": Call,
    "call.cancelled": Call,
}
