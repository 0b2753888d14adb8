"""Payloads of the socket's own frames: presence and typing (ephemeral events, no id) and the
replies to a client's frames (ack, error, pong) and to its connecting (ready)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel

from conference.accounts.schemas import Person
from conference.chat.schemas import DirectMessage, Message
from conference.routing import Answer, Timestamp


def _absent_when_none(value: Any) -> bool:
    return value is None


class PresenceChange(Answer):
    """A contact came online (first connection anywhere) or went offline (last one closed or lapsed)."""

    user_id: str
    online: bool
    last_seen_at: Timestamp | None


class Typing(Answer):
    """Someone is typing in a room (`room_id`) or to me (`to`); exactly one of the two is present."""

    user: Person
    room_id: str | None = Field(default=None, exclude_if=_absent_when_none)
    to: str | None = Field(default=None, exclude_if=_absent_when_none)


class Ack(RootModel[Message | DirectMessage]):
    """The stored message a `chat.send` or `dm.send` frame created, with the frame's `client_id`."""


class FrameError(Answer):
    """A frame the server could not act on; the connection stays open."""

    code: str = Field(description="snake_case, stable; the HTTP codes plus invalid_frame, unknown_type")
    message: str
    client_id: str | None = Field(default=None, exclude_if=_absent_when_none, description="the frame's client_id")
    fields: dict[str, str] | None = Field(default=None, exclude_if=_absent_when_none)
    retry_after: int | None = Field(
        default=None, exclude_if=_absent_when_none, description="rate_limited only: seconds before trying again"
    )


class WsTicket(Answer):
    """The answer of POST /ws/ticket: open the socket with GET /api/v1/ws?ticket=<ticket> once, soon."""

    ticket: str
    expires_in: int = Field(description="seconds the ticket may still be redeemed")


class Ready(Answer):
    """Replay is over; live events follow."""

    user_id: str


class Resync(Answer):
    """Sent before `ready` instead of a replay when the socket's `after` cannot be honoured: the events that
    followed it were deleted (older than EVENT_RETENTION_DAYS), or it belongs to another event log (the
    database was reset). Reload what the pages show over HTTP; resume from the `ready` frame's id."""

    reason: Literal["expired", "unknown_cursor"] = Field(
        description="expired: older than the oldest event kept; unknown_cursor: not an id of this event log"
    )


class Pong(Answer):
    """The answer to a `ping` frame: an empty object."""


class Renewed(Answer):
    """The answer to a `renew` frame: the socket now lives on the new ticket's access token."""

    expires_in: int = Field(description="seconds until that token expires and the socket closes with 4401")


EVENTS: dict[str, type[BaseModel]] = {"presence": PresenceChange, "typing": Typing}
# Replies to one connection; they carry no id and are never stored.
FRAMES: dict[str, type[BaseModel]] = {
    "ack": Ack,
    "error": FrameError,
    "ready": Ready,
    "resync": Resync,
    "pong": Pong,
    "renewed": Renewed,
}
