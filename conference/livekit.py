"""The one place that talks to LiveKit: media tokens and the grants of each role, RoomService
calls, and webhook verification. It knows roles by name only; rooms decide who has which."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

import aiohttp
from livekit import api
from livekit.api.access_token import Claims
from livekit.protocol.models import ParticipantInfo, TrackSource
from livekit.protocol.webhook import WebhookEvent
from prometheus_client import Counter

from conference.errors import LiveKitUnavailable
from conference.routing import Answer, Timestamp
from conference.settings import DEV_LIVEKIT_SECRET, Settings

log = logging.getLogger("conference.livekit")
T = TypeVar("T")
TRACK_SOURCES = {
    "camera": TrackSource.CAMERA,
    "microphone": TrackSource.MICROPHONE,
    "screen_share": TrackSource.SCREEN_SHARE,
    "screen_share_audio": TrackSource.SCREEN_SHARE_AUDIO,
}


@dataclass(frozen=True)
class RoleRights:
    admin: bool
    publish: bool


# What each room role may do in LiveKit (DESIGN.md, "Roles map to LiveKit grants"); everyone
# subscribes and sends data, publishing means every source in TRACK_SOURCES.
ROLE_RIGHTS = {
    "host": RoleRights(admin=True, publish=True),
    "participant": RoleRights(admin=False, publish=True),
    "viewer": RoleRights(admin=False, publish=False),
}


def grants_for(role: str, room: str) -> api.VideoGrants:
    rights = ROLE_RIGHTS.get(role)
    if rights is None:
        raise ValueError(f"unknown role {role!r}")
    return api.VideoGrants(
        room_join=True,
        room=room,
        room_admin=rights.admin,
        can_publish=rights.publish,
        can_subscribe=True,
        can_publish_data=True,
        can_publish_sources=list(TRACK_SOURCES) if rights.publish else [],
    )


@lru_cache(maxsize=8192)
def _member_grants(role: str, room: str) -> tuple[api.VideoGrants, dict[str, Any]]:
    """A role's grants in a room and their `video` claim exactly as livekit-api writes it, made
    once (never mutated): the dataclasses.asdict walk was a third of the cost of a token."""
    grants = grants_for(role, room)
    claim: dict[str, Any] = Claims(video=grants).asdict()["video"]
    return grants, claim


class RoleClaims(Claims):
    """livekit-api's claims of a member token, with the grants serialized once per (role, room).
    `asdict` answers what Claims.asdict does for these fields (tests/unit/test_token_path.py
    compares them), in the same order, so AccessToken.to_jwt signs the same payload."""

    def __init__(self, *, name: str, metadata: str, role: str, room: str):
        grants, self.video_claim = _member_grants(role, room)
        super().__init__(name=name, metadata=metadata, video=grants)  # to_jwt checks room and identity

    def asdict(self) -> dict[str, Any]:
        claims: dict[str, Any] = {}
        if self.name:
            claims["name"] = self.name
        if self.metadata:
            claims["metadata"] = self.metadata
        claims["video"] = self.video_claim  # shared; to_jwt only reads it
        return claims


class MediaGrant(Answer):
    """What a browser or bot needs to enter a LiveKit room; every token answer is (or extends) this."""

    token: str
    livekit_url: str
    identity: str
    expires_at: Timestamp


class WebhookRejected(Exception):
    pass


class LiveKit:
    def __init__(self, settings: Settings, minted: Counter | None = None):
        self.settings = settings
        self.minted = minted  # a Prometheus counter of tokens minted
        self.url = settings.livekit_url
        self._api: api.LiveKitAPI | None = None
        self._receiver = api.WebhookReceiver(api.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret))

    async def start(self) -> None:
        if self.settings.livekit_api_secret == DEV_LIVEKIT_SECRET:
            _quiet_short_key_warning()
        self._api = api.LiveKitAPI(
            self.settings.livekit_api_url,
            self.settings.livekit_api_key,
            self.settings.livekit_api_secret,
            timeout=aiohttp.ClientTimeout(total=5),
            failover=False,
        )

    async def close(self) -> None:
        if self._api is not None:
            await self._api.aclose()

    def mint_token(
        self, *, room: str, identity: str, name: str, role: str, metadata: dict[str, Any], ttl_s: int | None = None
    ) -> MediaGrant:
        """A token for `identity` in `room` with the grants of `role`; metadata carries the role too."""
        ttl = timedelta(seconds=ttl_s or self.settings.media_token_ttl_s)
        token = api.AccessToken(self.settings.livekit_api_key, self.settings.livekit_api_secret)
        token.claims = RoleClaims(name=name, metadata=json.dumps({"role": role, **metadata}), role=role, room=room)
        token.with_identity(identity).with_ttl(ttl)
        expires_at = datetime.now(UTC).replace(microsecond=0) + ttl
        if self.minted is not None:
            self.minted.inc()
        return MediaGrant(token=token.to_jwt(), livekit_url=self.url, identity=identity, expires_at=expires_at)

    @property
    def server_ws_url(self) -> str:
        """Where a server-side participant (the recorder) connects: LIVEKIT_API_URL as ws(s), since
        LIVEKIT_URL is what browsers reach and may only work from outside (nginx, a public name)."""
        url = self.settings.livekit_api_url
        for http, ws in (("https://", "wss://"), ("http://", "ws://")):
            if url.startswith(http):
                return ws + url[len(http) :]
        return url

    def mint_recorder_token(self, *, room: str, identity: str, ttl_s: int = 24 * 3600) -> str:
        """A hidden, subscribe-only participant flagged as a recorder: nobody sees it in the call,
        and it cannot publish or send data."""
        grants = api.VideoGrants(
            room_join=True,
            room=room,
            can_publish=False,
            can_subscribe=True,
            can_publish_data=False,
            hidden=True,
            recorder=True,
        )
        token = (
            api.AccessToken(self.settings.livekit_api_key, self.settings.livekit_api_secret)
            .with_identity(identity)
            .with_name("Recorder")
            .with_ttl(timedelta(seconds=ttl_s))
            .with_grants(grants)
        )
        return token.to_jwt()

    def receive_webhook(self, body: str, authorization: str) -> WebhookEvent:
        try:
            return self._receiver.receive(body, authorization)
        except Exception as error:  # the receiver raises plain Exceptions for every kind of mismatch
            raise WebhookRejected(str(error) or type(error).__name__) from None

    # --- RoomService -------------------------------------------------------------------------
    @property
    def rooms(self) -> api.room_service.RoomService:
        if self._api is None:
            raise LiveKitUnavailable("the LiveKit client is not started")
        return self._api.room

    async def ensure_room(self, room: str, max_participants: int) -> None:
        await self._call(
            self.rooms.create_room(
                api.CreateRoomRequest(name=room, max_participants=max_participants, empty_timeout=300)
            )
        )

    async def list_participants(self, room: str) -> list[ParticipantInfo]:
        response = await self._call(
            self.rooms.list_participants(api.ListParticipantsRequest(room=room)), missing_ok=True
        )
        return list(response.participants) if response else []

    async def list_rooms(self, names: list[str]) -> dict[str, str]:
        """Which of these rooms LiveKit has now: name -> sid (a room recreated gets a new sid)."""
        if not names:
            return {}
        response = await self._call(self.rooms.list_rooms(api.ListRoomsRequest(names=names)))
        return {room.name: room.sid for room in response.rooms} if response else {}

    async def delete_room(self, room: str) -> None:
        await self._call(self.rooms.delete_room(api.DeleteRoomRequest(room=room)), missing_ok=True)

    async def remove_participant(self, room: str, identity: str) -> None:
        await self._call(
            self.rooms.remove_participant(api.RoomParticipantIdentity(room=room, identity=identity)),
            missing_ok=True,
        )

    async def get_participant(self, room: str, identity: str) -> ParticipantInfo | None:
        return await self._call(
            self.rooms.get_participant(api.RoomParticipantIdentity(room=room, identity=identity)), missing_ok=True
        )

    async def mute_track(self, room: str, identity: str, track_sid: str) -> None:
        await self._call(
            self.rooms.mute_published_track(
                api.MuteRoomTrackRequest(room=room, identity=identity, track_sid=track_sid, muted=True)
            )
        )

    async def update_permission(self, room: str, identity: str, role: str, metadata: dict[str, Any]) -> None:
        """The grants of `role`, live: LiveKit applies them without a reconnect."""
        grants = grants_for(role, room)
        permission = api.ParticipantPermission(
            can_subscribe=grants.can_subscribe,
            can_publish=grants.can_publish,
            can_publish_data=grants.can_publish_data,
            can_publish_sources=[TRACK_SOURCES[name] for name in grants.can_publish_sources or []],
        )
        await self._call(
            self.rooms.update_participant(
                api.UpdateParticipantRequest(
                    room=room, identity=identity, permission=permission, metadata=json.dumps({"role": role, **metadata})
                )
            ),
            missing_ok=True,
        )

    # --- Egress (RECORDER=egress; needs a LiveKit Egress service, not run on the dev machine) ----
    async def start_room_recording(self, room: str, layout: str, audio_only: bool, filepath: str) -> str:
        """A room-composite recording to a file on the Egress service's storage; returns its egress id."""
        if self._api is None:
            raise LiveKitUnavailable("the LiveKit client is not started")
        request = api.RoomCompositeEgressRequest(
            room_name=room,
            layout="speaker" if layout == "speaker" else "grid",
            audio_only=audio_only,
            file_outputs=[api.EncodedFileOutput(file_type=api.EncodedFileType.MP4, filepath=filepath)],
        )
        info = await self._call(self._api.egress.start_room_composite_egress(request))
        if info is None:
            raise LiveKitUnavailable("LiveKit Egress did not start the recording")
        return str(info.egress_id)

    async def stop_room_recording(self, egress_id: str) -> None:
        if self._api is None:
            raise LiveKitUnavailable("the LiveKit client is not started")
        await self._call(self._api.egress.stop_egress(api.StopEgressRequest(egress_id=egress_id)), missing_ok=True)

    async def ping(self) -> None:
        await self._call(self.rooms.list_rooms(api.ListRoomsRequest(names=["readyz"])))

    async def _call(self, awaitable: Awaitable[T], *, missing_ok: bool = False) -> T | None:
        try:
            return await awaitable
        except api.TwirpError as error:
            if missing_ok and error.code == api.TwirpErrorCode.NOT_FOUND:
                return None
            log.warning("LiveKit refused a RoomService call: %s %s", error.code, error.message)
            raise LiveKitUnavailable(f"LiveKit refused the request ({error.code})") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            log.warning("LiveKit is unreachable: %s", type(error).__name__)
            raise LiveKitUnavailable("LiveKit is unreachable right now; try again shortly") from None


def _quiet_short_key_warning() -> None:
    """LiveKit's dev secret is six bytes on purpose; PyJWT would warn on every token minted with it."""
    import warnings

    import jwt

    category = getattr(getattr(jwt, "warnings", None), "InsecureKeyLengthWarning", None)
    if category is not None:
        warnings.filterwarnings("ignore", category=category)


def source_name(source: int) -> str:
    """LiveKit's TrackSource as the name our API and grants use."""
    return next((name for name, value in TRACK_SOURCES.items() if value == source), "unknown")
