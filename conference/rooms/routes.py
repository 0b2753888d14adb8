"""HTTP endpoints of /rooms (rooms, joining, media tokens) and /tokens for integrators."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import Field, field_validator

from conference.accounts.auth import current_user
from conference.deps import deps
from conference.livekit import MediaGrant
from conference.rooms import joining, service
from conference.rooms.schedule import ScheduleTime
from conference.rooms.schemas import (
    GuestAccess,
    Joined,
    LiveParticipantList,
    Role,
    Room,
    RoomDetails,
    RoomList,
    Waiting,
)
from conference.routing import ApiRoutes, Body
from conference.state import API_KEY, USER

routes = ApiRoutes("rooms")


class CreateRoom(Body):
    name: str = Field(min_length=1, max_length=100)
    max_participants: int = Field(default=50, ge=2, le=100)
    waiting_room: bool = False
    guest_access: GuestAccess = "lobby"
    starts_at: ScheduleTime | None = None
    expires_at: ScheduleTime | None = None
    e2ee: bool = Field(default=False, description="encrypt media end to end; the key never reaches the server")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class UpdateRoom(Body):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    locked: bool | None = None
    waiting_room: bool | None = None
    guest_access: GuestAccess | None = None
    starts_at: ScheduleTime | None = Field(default=None, description="null clears it")
    expires_at: ScheduleTime | None = Field(default=None, description="null clears it")


class IntegratorToken(Body):
    room: str = Field(min_length=1, max_length=32)
    # The token's identity is this with `ext:` in front (128 characters in all at most).
    identity: str = Field(min_length=1, max_length=124, pattern=r"^[A-Za-z0-9_.:@\-]+$")
    name: str | None = Field(default=None, max_length=100)
    role: Role = "participant"
    ttl_s: int = Field(default=3600, ge=60, le=86400)
    metadata: dict[str, Any] | None = None

    @field_validator("metadata")
    @classmethod
    def _metadata(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and len(json.dumps(value)) > 2048:
            raise ValueError("at most 2048 bytes of JSON")
        return value


def _room_id(request: web.Request) -> str:
    return request.match_info["room_id"]


async def _limit_tokens(request: web.Request, who: str) -> None:
    await deps(request).limiter.hit(f"token:{who}", deps(request).settings.token_rate_per_minute)


@routes.route(
    "POST",
    "/rooms",
    summary="Create a room (user or API key)",
    auth="user_or_key",
    body=CreateRoom,
    responses={201: Room},
)
async def create_room(request: web.Request, body: CreateRoom) -> Room:
    user, key = request.get(USER), request.get(API_KEY)
    return await service.create_room(
        deps(request),
        name=body.name,
        max_participants=body.max_participants,
        waiting_room=body.waiting_room,
        guest_access=body.guest_access,
        e2ee=body.e2ee,
        host_id=user.id if user else None,
        api_key_id=key.id if key else None,
        starts_at=body.starts_at,
        expires_at=body.expires_at,
    )


@routes.route("GET", "/rooms", summary="Rooms the caller hosts or joined, newest first", responses={200: RoomList})
async def list_rooms(request: web.Request) -> RoomList:
    return await service.list_rooms(deps(request), current_user(request).id)


@routes.route(
    "GET", "/rooms/{room_id}", summary="A room and how many people are in it now", responses={200: RoomDetails}
)
async def get_room(request: web.Request) -> RoomDetails:
    return await service.get_room(deps(request), _room_id(request))


@routes.route(
    "PATCH",
    "/rooms/{room_id}",
    summary="Rename, lock, toggle the waiting room, change guest access or the schedule (host)",
    body=UpdateRoom,
    responses={200: Room},
)
async def update_room(request: web.Request, body: UpdateRoom) -> Room:
    return await service.update_room(
        deps(request),
        _room_id(request),
        current_user(request).id,
        name=body.name,
        locked=body.locked,
        waiting_room=body.waiting_room,
        guest_access=body.guest_access,
        schedule={name: getattr(body, name) for name in ("starts_at", "expires_at") if name in body.model_fields_set},
    )


@routes.route(
    "POST",
    "/rooms/{room_id}/join",
    summary="Join a room: a media token (200), or a place in the lobby (202) when it has a waiting room",
    responses={200: Joined, 202: Waiting},
)
async def join_room(request: web.Request) -> Joined | Waiting:
    user = current_user(request)
    await _limit_tokens(request, user.id)
    return await joining.join_room(deps(request), _room_id(request), user)


@routes.route(
    "POST",
    "/rooms/{room_id}/leave",
    summary="Leave a room, or stop waiting in its lobby (members and guests of this room)",
    auth="user_or_guest",
    responses={204: None},
)
async def leave_room(request: web.Request) -> None:
    await joining.leave_room(deps(request), _room_id(request), current_user(request))


@routes.route(
    "POST",
    "/rooms/{room_id}/media/token",
    summary="A fresh media token for a member (or a guest of this room)",
    auth="user_or_guest",
    responses={200: MediaGrant},
)
async def media_token(request: web.Request) -> MediaGrant:
    user = current_user(request)
    await _limit_tokens(request, user.id)
    return await joining.media_token(deps(request), _room_id(request), user)


@routes.route("POST", "/rooms/{room_id}/end", summary="End the room for everyone (host)", responses={200: Room})
async def end_room(request: web.Request) -> Room:
    return await service.end_room(deps(request), _room_id(request), current_user(request).id)


@routes.route(
    "GET",
    "/rooms/{room_id}/participants",
    summary="Who is in the call now (from LiveKit)",
    responses={200: LiveParticipantList},
)
async def participants(request: web.Request) -> LiveParticipantList:
    return await service.live_participants(deps(request), _room_id(request), current_user(request).id)


@routes.route(
    "POST",
    "/tokens",
    summary="Mint a media token for an integrator's user (API key); its identity is ext:<identity>",
    auth="key",
    body=IntegratorToken,
    responses={200: MediaGrant},
)
async def integrator_token(request: web.Request, body: IntegratorToken) -> MediaGrant:
    key = request[API_KEY]  # auth="key" let only API keys through
    await _limit_tokens(request, f"key:{key.id}")
    return await joining.integrator_token(
        deps(request),
        key.id,
        body.room,
        identity=body.identity,
        name=body.name or body.identity,
        role=body.role,
        metadata=body.metadata or {},
        ttl_s=body.ttl_s,
    )
