"""HTTP endpoints of the call itself: raised hands, and a host's mute-everyone and ask-to-unmute."""

from __future__ import annotations

from aiohttp import web

from conference.accounts.auth import current_user
from conference.deps import deps
from conference.rooms import everyone, hands
from conference.rooms.schemas import HandQueue, MutedEveryone, MuteKind, UnmuteAsked, UnmuteKind
from conference.routing import ApiRoutes, Body

routes = ApiRoutes("in call")


class MuteEveryoneBody(Body):
    kind: MuteKind


class AskUnmuteBody(Body):
    kind: UnmuteKind = "audio"


def _room_id(request: web.Request) -> str:
    return request.match_info["room_id"]


@routes.route(
    "GET",
    "/rooms/{room_id}/hands",
    summary="The raised hands, first raised first (members)",
    responses={200: HandQueue},
)
async def hand_queue(request: web.Request) -> HandQueue:
    return await hands.queue(deps(request), _room_id(request), current_user(request).id)


@routes.route(
    "POST",
    "/rooms/{room_id}/hands",
    summary="Raise my hand; the room gets hands.changed (members in the call; again keeps my place)",
    responses={200: HandQueue},
)
async def raise_hand(request: web.Request) -> HandQueue:
    return await hands.raise_hand(deps(request), _room_id(request), current_user(request).id)


@routes.route(
    "DELETE",
    "/rooms/{room_id}/hands/{user_id}",
    summary="Lower a hand: my own, or anyone's (host)",
    responses={200: HandQueue},
)
async def lower_hand(request: web.Request) -> HandQueue:
    caller = current_user(request).id
    return await hands.lower_hand(deps(request), _room_id(request), caller, request.match_info["user_id"])


@routes.route(
    "DELETE",
    "/rooms/{room_id}/hands",
    summary="Lower every hand (host)",
    responses={200: HandQueue},
)
async def lower_all_hands(request: web.Request) -> HandQueue:
    return await hands.lower_all(deps(request), _room_id(request), current_user(request).id)


@routes.route(
    "POST",
    "/rooms/{room_id}/mute-all",
    summary="Mute everyone's microphone, camera or screen share but the hosts'; each is told (host)",
    body=MuteEveryoneBody,
    responses={200: MutedEveryone},
)
async def mute_everyone(request: web.Request, body: MuteEveryoneBody) -> MutedEveryone:
    return await everyone.mute_everyone(deps(request), _room_id(request), current_user(request).id, body.kind)


@routes.route(
    "POST",
    "/rooms/{room_id}/ask-unmute",
    summary="Ask everyone in the call but the hosts to unmute; each gets unmute.requested (host)",
    body=AskUnmuteBody,
    responses={200: UnmuteAsked},
)
async def ask_to_unmute(request: web.Request, body: AskUnmuteBody) -> UnmuteAsked:
    return await everyone.ask_everyone_to_unmute(deps(request), _room_id(request), current_user(request).id, body.kind)
