"""HTTP endpoints only hosts may call: the lobby and moderation of participants."""

from __future__ import annotations

from typing import Literal

from aiohttp import web

from conference.accounts.auth import current_user
from conference.deps import deps
from conference.rooms import moderation
from conference.routing import ApiRoutes, Body

routes = ApiRoutes("moderation")


class MuteBody(Body):
    kind: Literal["audio", "video", "screen"]


class RoleBody(Body):
    role: Literal["host", "participant", "viewer"]


def _ids(request: web.Request) -> tuple[str, str, str]:
    return request.match_info["room_id"], current_user(request).id, request.match_info["user_id"]


@routes.route("GET", "/rooms/{room_id}/lobby", summary="People waiting to be admitted (host)", responses={200: None})
async def lobby(request: web.Request) -> web.Response:
    items = await moderation.lobby(deps(request), request.match_info["room_id"], current_user(request).id)
    return web.json_response({"items": items})


@routes.route(
    "POST", "/rooms/{room_id}/lobby/{user_id}/admit", summary="Let a waiting person in (host)", responses={200: None}
)
async def admit(request: web.Request) -> web.Response:
    return web.json_response(await moderation.admit(deps(request), *_ids(request)))


@routes.route(
    "POST", "/rooms/{room_id}/lobby/{user_id}/deny", summary="Turn a waiting person away (host)", responses={200: None}
)
async def deny(request: web.Request) -> web.Response:
    return web.json_response(await moderation.deny(deps(request), *_ids(request)))


@routes.route(
    "POST",
    "/rooms/{room_id}/participants/{user_id}/mute",
    summary="Mute someone's microphone, camera or screen share through LiveKit (host)",
    body=MuteBody,
    responses={200: None},
)
async def mute(request: web.Request, body: MuteBody) -> web.Response:
    return web.json_response(await moderation.mute(deps(request), *_ids(request), body.kind))


@routes.route(
    "POST",
    "/rooms/{room_id}/participants/{user_id}/remove",
    summary="Disconnect someone and keep them out of this room (host)",
    responses={200: None},
)
async def remove(request: web.Request) -> web.Response:
    await moderation.remove(deps(request), *_ids(request))
    return web.json_response({"removed": request.match_info["user_id"]})


@routes.route(
    "PATCH",
    "/rooms/{room_id}/participants/{user_id}",
    summary="Change someone's role; LiveKit grants follow at once (host)",
    body=RoleBody,
    responses={200: None},
)
async def change_role(request: web.Request, body: RoleBody) -> web.Response:
    return web.json_response(await moderation.change_role(deps(request), *_ids(request), body.role))
