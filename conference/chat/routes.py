"""HTTP endpoints of room chat."""

from __future__ import annotations

from aiohttp import web

from conference.accounts.auth import current_user
from conference.chat import rooms as room_chat
from conference.chat.paging import MAX_ID, page_cursor
from conference.chat.schemas import Message, MessagePage, NewMessage
from conference.deps import deps
from conference.errors import NotFound
from conference.routing import ApiRoutes

routes = ApiRoutes("chat")
PAGE_QUERY = {
    "before": "message id cursor: older messages",
    "after": "message id cursor: newer messages",
    "around": "a message id: the page around it (jumping to a quoted message)",
    "limit": "1-100, default 50",
}


def message_id_of(request: web.Request) -> int:
    raw = request.match_info["message_id"]
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:  # "¹" is a digit to isdigit()
        raise NotFound("no message with this id")
    return int(raw)


@routes.route(
    "GET",
    "/rooms/{room_id}/chat/messages",
    summary="Room chat, oldest to newest, paged back (or forward, or around one message)",
    auth="user_or_guest",
    query=PAGE_QUERY,
    responses={200: MessagePage},
)
async def list_messages(request: web.Request) -> MessagePage:
    return await room_chat.list_messages(
        deps(request), request.match_info["room_id"], current_user(request).id, page_cursor(request)
    )


@routes.route(
    "POST",
    "/rooms/{room_id}/chat/messages",
    summary="Post to a room's chat (members and guests of this room); `reply_to` quotes a message of the same room",
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
        reply_to=body.reply_to,
    )
