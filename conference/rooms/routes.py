"""HTTP endpoints of /rooms (rooms, joining, media tokens) and /tokens for integrators."""

from __future__ import annotations

import json

from aiohttp import web
from pydantic import Field, field_validator

from conference.accounts.auth import current_user
from conference.deps import deps
from conference.rooms import service
from conference.rooms.grants import ROLES
from conference.routing import ApiRoutes, Body, json_created
from conference.state import API_KEY, USER

routes = ApiRoutes("rooms")


class CreateRoom(Body):
    name: str = Field(min_length=1, max_length=100)
    max_participants: int = Field(default=50, ge=2, le=100)
    waiting_room: bool = False

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


class IntegratorToken(Body):
    room: str = Field(min_length=1, max_length=32)
    identity: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:@\-]+$")
    name: str | None = Field(default=None, max_length=100)
    role: str = "participant"
    ttl_s: int = Field(default=3600, ge=60, le=86400)
    metadata: dict | None = None

    @field_validator("role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value not in ROLES:
            raise ValueError(f"one of {', '.join(ROLES)}")
        return value

    @field_validator("metadata")
    @classmethod
    def _metadata(cls, value: dict | None) -> dict | None:
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
    responses={201: None},
)
async def create_room(request: web.Request, body: CreateRoom) -> web.Response:
    user, key = request.get(USER), request.get(API_KEY)
    room = await service.create_room(
        deps(request),
        name=body.name,
        max_participants=body.max_participants,
        waiting_room=body.waiting_room,
        host_id=user.id if user else None,
        api_key_id=key.id if key else None,
    )
    return json_created(service.room_json(room, deps(request).settings.public_url))


@routes.route("GET", "/rooms", summary="Rooms the caller hosts or joined, newest first", responses={200: None})
async def list_rooms(request: web.Request) -> web.Response:
    rooms = await service.list_rooms(deps(request), current_user(request).id)
    public_url = deps(request).settings.public_url
    return web.json_response({"items": [service.room_json(room, public_url) for room in rooms]})


@routes.route("GET", "/rooms/{room_id}", summary="A room and how many people are in it now", responses={200: None})
async def get_room(request: web.Request) -> web.Response:
    d = deps(request)
    async with d.db() as db:
        room = await service.load_room(db, _room_id(request))
    online = await service.participants_online(d, room)
    return web.json_response({**service.room_json(room, d.settings.public_url), "participants_online": online})


@routes.route(
    "PATCH",
    "/rooms/{room_id}",
    summary="Rename, lock or toggle the waiting room (host)",
    body=UpdateRoom,
    responses={200: None},
)
async def update_room(request: web.Request, body: UpdateRoom) -> web.Response:
    room = await service.update_room(
        deps(request), _room_id(request), current_user(request).id, body.model_dump(exclude_unset=True)
    )
    return web.json_response(service.room_json(room, deps(request).settings.public_url))


@routes.route(
    "POST",
    "/rooms/{room_id}/join",
    summary="Join a room: a media token, or a place in the lobby",
    responses={200: None},
)
async def join_room(request: web.Request) -> web.Response:
    user = current_user(request)
    await _limit_tokens(request, user.id)
    joined = await service.join_room(deps(request), _room_id(request), user)
    return web.json_response(joined, status=202 if joined.get("status") == "waiting" else 200)


@routes.route("POST", "/rooms/{room_id}/leave", summary="Leave a room", responses={204: None})
async def leave_room(request: web.Request) -> web.Response:
    await service.leave_room(deps(request), _room_id(request), current_user(request))
    return web.Response(status=204)


@routes.route("POST", "/rooms/{room_id}/media/token", summary="A fresh media token for a member", responses={200: None})
async def media_token(request: web.Request) -> web.Response:
    user = current_user(request)
    await _limit_tokens(request, user.id)
    return web.json_response(await service.media_token(deps(request), _room_id(request), user))


@routes.route("POST", "/rooms/{room_id}/end", summary="End the room for everyone (host)", responses={200: None})
async def end_room(request: web.Request) -> web.Response:
    room = await service.end_room(deps(request), _room_id(request), current_user(request).id)
    return web.json_response(service.room_json(room, deps(request).settings.public_url))


@routes.route(
    "GET", "/rooms/{room_id}/participants", summary="Who is in the call now (from LiveKit)", responses={200: None}
)
async def participants(request: web.Request) -> web.Response:
    items = await service.live_participants(deps(request), _room_id(request), current_user(request).id)
    return web.json_response({"items": items})


@routes.route(
    "POST",
    "/tokens",
    summary="Mint a media token for an integrator's user (API key)",
    auth="key",
    body=IntegratorToken,
    responses={200: None},
)
async def integrator_token(request: web.Request, body: IntegratorToken) -> web.Response:
    key = request[API_KEY]  # auth="key" let only API keys through
    await _limit_tokens(request, f"key:{key.id}")
    minted = await service.integrator_token(
        deps(request),
        key.id,
        body.room,
        identity=body.identity,
        name=body.name or body.identity,
        role=body.role,
        metadata=body.metadata or {},
        ttl_s=body.ttl_s,
    )
    return web.json_response(minted)
