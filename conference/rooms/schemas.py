"""Answers of the rooms domain and the models of the events it records (bodies live beside their routes)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from conference.accounts.schemas import Person
from conference.livekit import MediaGrant
from conference.rooms import models
from conference.routing import Answer, Timestamp

Role = Literal["host", "participant", "viewer"]
GuestAccess = Literal["off", "lobby", "open"]
MuteKind = Literal["audio", "video", "screen"]
UnmuteKind = Literal["audio", "video"]
HandChange = Literal["raised", "lowered", "cleared"]


# --- answers ---------------------------------------------------------------------------------
class Room(Answer):
    """A room as everyone sees it: in answers, lists, and `room.updated`."""

    id: str = Field(examples=["kqz-mvtd-wpa"])
    name: str
    host_id: str | None = Field(description="None for rooms an API key created")
    status: Literal["active", "ended"]
    max_participants: int
    waiting_room: bool
    locked: bool
    guest_access: GuestAccess = Field(
        description="off: accounts only; lobby: guests wait for a host; open: guests come straight in"
    )
    e2ee: bool = Field(description="media is end-to-end encrypted; the key travels only in the link's #key= fragment")
    kind: Literal["room", "call", "group"] = Field(
        description="call: the room of a direct call; group: the room of a group's call"
    )
    starts_at: Timestamp | None = Field(description="scheduled start: before it only hosts may join")
    expires_at: Timestamp | None = Field(description="the room ends itself then")
    created_at: Timestamp
    ended_at: Timestamp | None
    join_url: str = Field(description="the page people open to join: PUBLIC_URL/r/<id>")

    @classmethod
    def of(cls, row: models.Room, public_url: str) -> Room:
        return cls(
            id=row.id,
            name=row.name,
            host_id=row.host_id,
            status=row.status,
            max_participants=row.max_participants,
            waiting_room=row.waiting_room,
            locked=row.locked,
            guest_access=row.guest_access,
            e2ee=bool(row.e2ee),
            kind=row.kind,
            starts_at=row.starts_at,
            expires_at=row.expires_at,
            created_at=row.created_at,
            ended_at=row.ended_at,
            join_url=f"{public_url}/r/{row.id}",
        )


class RoomDetails(Room):
    participants_online: int = Field(description="people in the call now, from LiveKit's webhooks")


class RoomList(Answer):
    items: list[Room]


class Joined(MediaGrant):
    """In: the token to enter the room's media, and the role it carries."""

    room: Room
    role: Role


class Admitted(Answer):
    """`lobby.admitted`: a host let me in. The event log keeps no media token (it outlives tokens and is
    kept for days): fetch one with POST /rooms/{id}/media/token."""

    room: Room
    role: Role


class Waiting(Answer):
    """The room has a waiting room: a host decides, the answer comes as lobby.admitted or lobby.denied."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # status is always sent
    status: Literal["waiting"] = "waiting"
    room: Room


class Track(Answer):
    sid: str
    source: str = Field(description="camera, microphone, screen_share, screen_share_audio or unknown")
    muted: bool


class LiveParticipant(Answer):
    """Someone in the call now, as LiveKit sees them, with the user behind the identity."""

    identity: str
    name: str
    user: Person | None = Field(description="None for identities that are not users (integrators' tokens)")
    role: Role | None
    joined_at: Timestamp | None
    tracks: list[Track]


class LiveParticipantList(Answer):
    items: list[LiveParticipant]


class LobbyEntry(Answer):
    """Someone waiting to be admitted: GET /lobby items and `lobby.request` to hosts."""

    room_id: str
    user: Person
    requested_at: Timestamp


class LobbyList(Answer):
    items: list[LobbyEntry]


class LobbyResolved(Answer):
    """A lobby request settled: the admit/deny answer, and `lobby.resolved` to every host."""

    room_id: str
    user: Person
    outcome: Literal["admitted", "denied", "withdrawn"]


class RoomRef(Answer):
    """Events whose type is the news: `room.ended` to the room, `lobby.denied` to the one turned away."""

    room_id: str


class ParticipantMuted(Answer):
    """The mute answer, and `participant.muted` to the person muted."""

    room_id: str
    user_id: str
    kind: MuteKind
    by: str = Field(description="the host who muted")
    muted: list[str] = Field(description="sids of the tracks muted")


class ParticipantRemoved(Answer):
    """The remove answer, and `participant.removed` to the person put out."""

    room_id: str
    user_id: str


class ParticipantRole(Answer):
    """The role-change answer, and `participant.updated` to the room."""

    room_id: str
    user: Person
    role: Role


class RaisedHand(Answer):
    user: Person
    raised_at: Timestamp


class HandQueue(Answer):
    """The raised hands of a room's call, first raised first: GET /hands and every hand answer."""

    room_id: str
    items: list[RaisedHand]


class HandsChanged(HandQueue):
    """`hands.changed` to the room: the whole queue after a hand went up or down."""

    change: HandChange
    user_id: str | None = Field(description="whose hand; None when a host lowered every hand")
    by: str = Field(description="who did it: the person themselves, or a host")


class MutedEveryone(Answer):
    """The mute-all answer; each person muted also gets `participant.muted`."""

    room_id: str
    kind: MuteKind
    by: str = Field(description="the host who muted")
    muted: list[str] = Field(description="identities of the people whose tracks were muted")


class UnmuteRequest(Answer):
    """`unmute.requested` to each person asked: a host asks, nobody is unmuted by force."""

    room_id: str
    kind: UnmuteKind
    by: Person


class UnmuteAsked(Answer):
    """The ask-unmute answer: who was asked."""

    room_id: str
    kind: UnmuteKind
    asked: list[str] = Field(description="user ids of the people asked (everyone in the call but hosts)")


EVENTS: dict[str, type[BaseModel]] = {
    "room.updated": Room,
    "room.ended": RoomRef,
    "lobby.request": LobbyEntry,
    "lobby.admitted": Admitted,
    "lobby.denied": RoomRef,
    "lobby.resolved": LobbyResolved,
    "participant.muted": ParticipantMuted,
    "participant.removed": ParticipantRemoved,
    "participant.updated": ParticipantRole,
    "hands.changed": HandsChanged,
    "unmute.requested": UnmuteRequest,
}
