"""HTTP endpoints only hosts may call: the lobby and moderation of participants."""

from __future__ import annotations

from aiohttp import web

from conference.accounts.auth import current_user
from conference.deps import deps
from conference.rooms import moderation
from conference.rooms.schemas import (
    LobbyList,
    LobbyResolved,
    MuteKind,
    ParticipantMuted,
    ParticipantRemoved,
    ParticipantRole,
    Role,
)
from conference.routing import ApiRoutes, Body

routes = ApiRoutes("moderation")


class MuteBody(Body):
    kind: MuteKind


class RoleBody(Body):
    role: Role


def _ids(request: web.Request) -> tuple[str, str, str]:
    return request.match_info["room_id"], current_user(request).id, request.match_info["user_id"]


@routes.route(
    "GET", "/rooms/{room_id}/lobby", summary="People waiting to be admitted (host)", responses={200: LobbyList}
)
async def lobby(request: web.Request) -> LobbyList:
    return await moderation.lobby(deps(request), request.match_info["room_id"], current_user(request).id)


@routes.route(
    "POST",
    "/rooms/{room_id}/lobby/{user_id}/admit",
    summary="Let a waiting person in; they get lobby.admitted and fetch a media token (host)",
    responses={200: LobbyResolved},
)
async def admit(request: web.Request) -> LobbyResolved:
    return await moderation.admit(deps(request), *_ids(request))


@routes.route(
    "POST",
    "/rooms/{room_id}/lobby/{user_id}/deny",
    summary="Turn a waiting person away; they get lobby.denied (host)",
    responses={200: LobbyResolved},
)
async def deny(request: web.Request) -> LobbyResolved:
    return await moderation.deny(deps(request), *_ids(request))


@routes.route(
    "POST",
    "/rooms/{room_id}/participants/{user_id}/mute",
    summary="Mute someone's microphone, camera or screen share through LiveKit (host)",
    body=MuteBody,
    responses={200: ParticipantMuted},
)
async def mute(request: web.Request, body: MuteBody) -> ParticipantMuted:
    return await moderation.mute(deps(request), *_ids(request), body.kind)


@routes.route(
    "POST",
    "/rooms/{room_id}/participants/{user_id}/remove",
    summary="Disconnect someone and keep them out of this room (host)",
    responses={200: ParticipantRemoved},
)
async def remove(request: web.Request) -> ParticipantRemoved:
    return await moderation.remove(deps(request), *_ids(request))


@routes.route(
    "PATCH",
    "/rooms/{room_id}/participants/{user_id}",
    summary="Change someone's role; LiveKit grants follow at once (host)",
    body=RoleBody,
    responses={200: ParticipantRole},
)
async def change_role(request: web.Request, body: RoleBody) -> ParticipantRole:
    return await moderation.change_role(deps(request), *_ids(request), body.role)
