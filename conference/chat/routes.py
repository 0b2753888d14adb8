"""HTTP endpoints of room chat."""

from __future__ import annotations

from aiohttp import web

from conference.accounts.auth import current_user
from conference.chat import rooms as room_chat
from conference.chat.schemas import Message, MessagePage, NewMessage
from conference.deps import deps
from conference.routing import ApiRoutes, query_int

routes = ApiRoutes("chat")


def page_query(request: web.Request) -> tuple[int | None, int]:
    """`before` (a message id cursor, absent for the newest page) and `limit` of a history page."""
    before = query_int(request, "before", 0, 1, 2**62) if request.query.get("before") else None
    return before, query_int(request, "limit", 50, 1, 100)


@routes.route(
    "GET",
    "/rooms/{room_id}/chat/messages",
    summary="Room chat, oldest to newest, paged back (members and guests of this room)",
    auth="user_or_guest",
    query={"before": "message id cursor", "limit": "1-100, default 50"},
    responses={200: MessagePage},
)
async def list_messages(request: web.Request) -> MessagePage:
    before, limit = page_query(request)
    return await room_chat.list_messages(
        deps(request), request.match_info["room_id"], current_user(request).id, before, limit
    )


@routes.route(
    "POST",
    "/rooms/{room_id}/chat/messages",
    summary="Post to a room's chat (members and guests of this room)",
    auth="user_or_guest",
    body=NewMessage,
    responses={201: Message},
)
async def post_message(request: web.Request, body: NewMessage) -> Message:
    return await room_chat.post_message(
        deps(request),
        request.match_info["room_id"],
        current_user(request),
        body.content,
        body.client_id,
        body.attachments,
    )
