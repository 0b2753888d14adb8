"""HTTP endpoints of /dm (direct messages)."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from conference.accounts.auth import current_user
from conference.chat import direct
from conference.deps import deps
from conference.routing import ApiRoutes, Body, json_created, query_int

routes = ApiRoutes("direct messages")


class SendDirect(Body):
    content: str = Field(min_length=1, max_length=4000)
    client_id: str | None = Field(default=None, max_length=64)


class MarkRead(Body):
    message_id: int | None = Field(default=None, ge=1)


@routes.route("GET", "/dm", summary="My conversations: peer, last message, unread count", responses={200: None})
async def conversations(request: web.Request) -> web.Response:
    return web.json_response({"items": await direct.conversations(deps(request), current_user(request).id)})


@routes.route(
    "GET",
    "/dm/{user_id}/messages",
    summary="Direct messages with one user, oldest to newest, paged back",
    query={"before": "message id cursor", "limit": "1-100, default 50"},
    responses={200: None},
)
async def list_messages(request: web.Request) -> web.Response:
    limit = query_int(request, "limit", 50, 1, 100)
    before = query_int(request, "before", 0, 1, 2**62) if request.query.get("before") else None
    page = await direct.list_messages(
        deps(request), current_user(request).id, request.match_info["user_id"], before, limit
    )
    return web.json_response(page)


@routes.route(
    "POST",
    "/dm/{user_id}/messages",
    summary="Send a direct message (stored, then pushed)",
    body=SendDirect,
    responses={201: None},
)
async def send_message(request: web.Request, body: SendDirect) -> web.Response:
    message = await direct.send(
        deps(request), current_user(request), request.match_info["user_id"], body.content, body.client_id
    )
    return json_created(message)


@routes.route(
    "POST",
    "/dm/{user_id}/read",
    summary="Mark messages from this user as read (all, or up to message_id)",
    body=MarkRead,
    responses={200: None},
)
async def mark_read(request: web.Request, body: MarkRead) -> web.Response:
    result = await direct.mark_read(
        deps(request), current_user(request).id, peer_id=request.match_info["user_id"], message_id=body.message_id
    )
    return web.json_response(result)
