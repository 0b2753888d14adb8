"""HTTP endpoints of /calls (direct calls: ring, accept, decline, cancel)."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from conference.accounts.auth import current_user
from conference.calls import ringing
from conference.calls.schemas import Call, CallMedia
from conference.deps import deps
from conference.routing import ApiRoutes, Body

routes = ApiRoutes("direct calls")


class StartCall(Body):
    user_id: str = Field(min_length=1, max_length=32)


@routes.route(
    "POST",
    "/calls",
    summary="Ring a user; they get call.ring on every connection",
    body=StartCall,
    responses={201: Call},
)
async def start_call(request: web.Request, body: StartCall) -> Call:
    return await ringing.start_call(deps(request), current_user(request), body.user_id)


@routes.route(
    "POST",
    "/calls/{call_id}/accept",
    summary="Answer a ringing call (callee): a media token for its room; the caller gets call.accepted",
    responses={200: CallMedia},
)
async def accept_call(request: web.Request) -> CallMedia:
    return await ringing.accept(deps(request), request.match_info["call_id"], current_user(request))


@routes.route(
    "POST",
    "/calls/{call_id}/decline",
    summary="Decline a ringing call (callee); the caller gets call.declined",
    responses={200: Call},
)
async def decline_call(request: web.Request) -> Call:
    return await ringing.decline(deps(request), request.match_info["call_id"], current_user(request))


@routes.route(
    "POST",
    "/calls/{call_id}/cancel",
    summary="Stop ringing (caller); the callee gets call.cancelled",
    responses={200: Call},
)
async def cancel_call(request: web.Request) -> Call:
    return await ringing.cancel(deps(request), request.match_info["call_id"], current_user(request))
