"""HTTP endpoints for people without an account: the room's public preview and joining as a guest."""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web

from conference.accounts.auth import bearer_of
from conference.clientaddr import client_address
from conference.deps import deps
from conference.guests import service
from conference.guests.schemas import GuestJoin, GuestJoined, GuestWaiting, RoomPreview
from conference.guests.sessions import read_guest_token
from conference.rooms.codes import normalize_room_code
from conference.routing import ApiRoutes, render

routes = ApiRoutes("guests")
COOKIE_PREFIX = "guest_"
COOKIE_DAYS = 30


def _mark(secret: str, room_id: str, guest_id: str) -> str:
    return hmac.new(secret.encode(), f"guest:{room_id}:{guest_id}".encode(), hashlib.sha256).hexdigest()[:32]


def known_guests(request: web.Request, room_id: str) -> set[str]:
    """Guest ids this browser was in the room before: from its (maybe revoked or expired) session token
    and from the cookie a guest join leaves, so a removed guest stays out after a reload too."""
    secret = deps(request).settings.jwt_secret
    known = set()
    token = bearer_of(request)
    if token is not None:
        claims = read_guest_token(secret, token, verify_exp=False)
        if claims is not None and claims.room_id == room_id:
            known.add(claims.guest_id)
    guest_id, _, mark = request.cookies.get(COOKIE_PREFIX + room_id, "").partition(".")
    if guest_id and hmac.compare_digest(mark, _mark(secret, room_id, guest_id)):
        known.add(guest_id)
    return known


def remember(request: web.Request, response: web.Response, room_id: str, guest_id: str) -> None:
    settings = deps(request).settings
    response.set_cookie(
        COOKIE_PREFIX + room_id,
        f"{guest_id}.{_mark(settings.jwt_secret, room_id, guest_id)}",
        max_age=COOKIE_DAYS * 24 * 3600,
        path="/api/v1/rooms/",
        httponly=True,
        samesite="Strict",
        secure=settings.public_url.startswith("https://"),
    )


@routes.route(
    "GET",
    "/rooms/{room_id}/preview",
    summary="What anyone with the link may see before joining: name (when guests may come), status, guest access",
    auth="none",
    responses={200: RoomPreview},
)
async def room_preview(request: web.Request) -> RoomPreview:
    app = deps(request)
    await app.limiter.hit(f"room-previews:{client_address(request)}", app.settings.room_previews_per_minute)
    return await service.preview(app, request.match_info["room_id"])


@routes.route(
    "POST",
    "/rooms/{room_id}/guests",
    summary="Join without an account: a media token (200), a place in the lobby (202) or 403 guests_not_allowed",
    auth="none",
    body=GuestJoin,
    responses={200: GuestJoined, 202: GuestWaiting},
)
async def join_as_guest(request: web.Request, body: GuestJoin) -> web.Response:
    app = deps(request)
    await app.limiter.hit(f"guest-joins:{client_address(request)}", app.settings.guest_joins_per_minute)
    raw_id = request.match_info["room_id"]
    room_id = normalize_room_code(raw_id) or ""
    answer = await service.join_as_guest(app, raw_id, body.display_name, known_guests(request, room_id))
    response = render(answer, 200 if isinstance(answer, GuestJoined) else 202)
    remember(request, response, answer.room.id, answer.guest.id)
    return response
