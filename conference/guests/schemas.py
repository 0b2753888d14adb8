"""Bodies and answers of joining as a guest and of the public room preview."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from conference.accounts.schemas import check_display_name
from conference.rooms.schemas import GuestAccess, Joined, Room
from conference.routing import Answer, Body, Timestamp


class GuestJoin(Body):
    display_name: str = Field(max_length=200)

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str) -> str:
        return check_display_name(value) or ""


class GuestSession(Answer):
    """Who the guest is, and the bearer token that opens the room's chat, media tokens and socket."""

    id: str = Field(description="the guest's id: its LiveKit identity, its id in lobbies and chat")
    display_name: str
    session_token: str = Field(
        description="gs_…: Authorization: Bearer for this room's chat, media/token, leave and POST /ws/ticket; "
        "dies when the guest is removed or the room ends"
    )


class GuestJoined(Joined):
    """A guest let in at once (an open room): the media token and the guest's session."""

    guest: GuestSession


class GuestWaiting(Answer):
    """A guest queued in the lobby: open the socket with the session token and wait for lobby.admitted."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # status is always sent
    status: Literal["waiting"] = "waiting"
    room: Room
    guest: GuestSession


class RoomPreview(Answer):
    """What anyone with a room's link may know before joining: enough to show the right pre-join page."""

    id: str
    name: str | None = Field(description="null when the room does not let guests in")
    status: Literal["active", "ended"]
    guest_access: GuestAccess
    e2ee: bool = Field(description="media is end-to-end encrypted: joining needs the key from the link's #key=")
    livekit_url: str = Field(description="where browsers connect with a media token (for #token= links)")
    created_at: Timestamp
