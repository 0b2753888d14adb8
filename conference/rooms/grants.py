"""What each room role may do in LiveKit."""

from __future__ import annotations

from livekit.api import VideoGrants

ROLES = ("host", "participant", "viewer")
PUBLISH_SOURCES = ["camera", "microphone", "screen_share", "screen_share_audio"]


def grants_for(role: str, room: str) -> VideoGrants:
    if role == "host":
        return VideoGrants(
            room_join=True,
            room=room,
            room_admin=True,
            can_publish=True,
            can_subscribe=True,
            can_publish_data=True,
            can_publish_sources=list(PUBLISH_SOURCES),
        )
    if role == "participant":
        return VideoGrants(
            room_join=True,
            room=room,
            can_publish=True,
            can_subscribe=True,
            can_publish_data=True,
            can_publish_sources=list(PUBLISH_SOURCES),
        )
    if role == "viewer":
        return VideoGrants(
            room_join=True,
            room=room,
            can_publish=False,
            can_subscribe=True,
            can_publish_data=True,
            can_publish_sources=[],
        )
    raise ValueError(f"unknown role {role!r}")
