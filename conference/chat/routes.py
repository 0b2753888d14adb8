"""HTTP endpoints of room chat."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from conference.accounts.auth import current_user
from conference.chat import rooms as room_chat
from conference.deps import deps
from conference.routing import ApiRoutes, Body, json_created, query_int

routes = ApiRoutes("chat")


class PostMessage(Body):
    content: str = Field(min_length=1, max_length=4000)
    client_id: str | None = Field(default=None, max_length=64)


@routes.route(
    "GET",
    "/rooms/{room_id}/chat/messages",
    summary="Room chat, oldest to newest, paged back",
    query={"before": "message id cursor", "limit": "1-100, default 50"},
    responses={200: None},
)
async def list_messages(request: web.Request) -> web.Response:
    limit = query_int(request, "limit", 50, 1, 100)
    before = query_int(request, "before", 0, 1, 2**62) if request.query.get("before") else None
    page = await room_chat.list_messages(
        deps(request), request.match_info["room_id"], current_user(request).id, before, limit
    )
    return web.json_response(page)


@routes.route(
    "POST",
    "/rooms/{room_id}/chat/messages",
    summary="Post to a room's chat (members)",
    body=PostMessage,
    responses={201: None},
)
async def post_message(request: web.Request, body: PostMessage) -> web.Response:
    message = await room_chat.post_message(
        deps(request), request.match_info["room_id"], current_user(request), body.content, body.client_id
    )
    return json_created(message)
