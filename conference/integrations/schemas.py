"""Bodies and answers of /webhooks and /keys/me, and the payload of every webhook event type."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from conference.chat.schemas import Message
from conference.recordings.schemas import Recording
from conference.rooms.schemas import LobbyEntry
from conference.routing import Answer, Body, Timestamp

WebhookEventName = Literal[
    "room.started",
    "room.ended",
    "participant.joined",
    "participant.left",
    "lobby.requested",
    "recording.ready",
    "chat.message",
]
MAX_ORIGINS = 20


# --- event payloads (the `data` of a delivery) -----------------------------------------------------
class CallStarted(Answer):
    """room.started: the first participant arrived and a call session began (LiveKit's room_started)."""

    room_id: str
    room_name: str
    session_id: int = Field(description="the call session: the same id in room.ended and GET /rooms/{id}/sessions")
    started_at: Timestamp


class CallEnded(CallStarted):
    """room.ended: the call session is over (everyone left, or a host ended the room)."""

    ended_at: Timestamp
    duration_s: float
    room_status: Literal["active", "ended"] = Field(description="ended: the room takes no more joins")


class ParticipantJoined(Answer):
    """participant.joined: someone entered the call's media."""

    room_id: str
    session_id: int
    identity: str = Field(description="the LiveKit identity: a user id, a guest id, or ext:<your identity>")
    external_id: str | None = Field(description="the identity you gave POST /tokens, for ext: identities")
    user_id: str | None = Field(description="the user or guest behind the identity, when there is one")
    guest: bool
    name: str
    joined_at: Timestamp


class ParticipantLeft(ParticipantJoined):
    """participant.left: someone left the call's media (or it ended)."""

    left_at: Timestamp
    duration_s: float


# type -> payload model: openapi.json's `webhooks` documents each, and the outbox checks against it.
WEBHOOK_EVENTS: dict[str, type[BaseModel]] = {
    "room.started": CallStarted,
    "room.ended": CallEnded,
    "participant.joined": ParticipantJoined,
    "participant.left": ParticipantLeft,
    "lobby.requested": LobbyEntry,
    "recording.ready": Recording,  # the file can be played and downloaded (GET /recordings/{id}/file, the key too)
    "chat.message": Message,
}
OPT_IN_EVENTS = frozenset({"chat.message"})  # every room message would be a lot of traffic: asked for by name


# --- bodies --------------------------------------------------------------------------------------
class NewWebhook(Body):
    url: str = Field(min_length=1, max_length=2000, description="https:// (http:// only in development)")
    events: list[WebhookEventName] | None = Field(
        default=None,
        min_length=1,
        max_length=len(WEBHOOK_EVENTS),
        description="default: every event but chat.message, which is opt-in",
    )
    description: str | None = Field(default=None, max_length=200)

    @field_validator("events")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("must not repeat an event")
        return value


class KeyChange(Body):
    allowed_origins: list[str] = Field(
        max_length=MAX_ORIGINS,
        description="origins that may frame /embed/<id> of this key's rooms: scheme://host[:port], https only "
        "outside development",
    )


# --- answers -------------------------------------------------------------------------------------
class Webhook(Answer):
    """An endpoint as listed; its secret is shown only when created or rotated."""

    id: str
    url: str
    events: list[WebhookEventName]
    description: str | None
    created_at: Timestamp


class WebhookCreated(Webhook):
    secret: str = Field(description="whsec_…: verify webhook-signature with it; shown this once")


class WebhookList(Answer):
    items: list[Webhook]


class WebhookSecret(Answer):
    """A rotated secret; the previous one keeps signing too (a second signature) until it lapses."""

    id: str
    secret: str
    previous_secret_expires_at: Timestamp


class WebhookAttemptOut(Answer):
    """One delivery attempt: what the endpoint answered (or why nothing came back)."""

    id: int
    webhook_id: str = Field(description="the webhook-id header: the same on every retry of one message")
    event: str
    attempt: int = Field(description="1 for the first try")
    attempted_at: Timestamp
    status_code: int | None = Field(description="null when no answer came (a network error or timeout)")
    error: str | None
    duration_ms: int
    outcome: Literal["delivered", "retrying", "failed"]


class WebhookAttemptList(Answer):
    items: list[WebhookAttemptOut] = Field(description="newest first, the last 100 of the endpoint")


class ApiKeyInfo(Answer):
    """The calling API key (never its secret)."""

    id: str
    name: str
    allowed_origins: list[str]
    created_at: Timestamp
