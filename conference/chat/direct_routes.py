"""HTTP endpoints of /dm (direct messages)."""

from __future__ import annotations

from aiohttp import web

from conference.accounts.auth import current_user
from conference.chat import direct
from conference.chat.paging import page_cursor
from conference.chat.routes import PAGE_QUERY
from conference.chat.schemas import ConversationList, DirectMessage, DirectMessagePage, MarkRead, NewMessage, ReadResult
from conference.deps import deps
from conference.routing import ApiRoutes

routes = ApiRoutes("direct messages")


@routes.route(
    "GET", "/dm", summary="My conversations: peer, last message, unread count", responses={200: ConversationList}
)
async def conversations(request: web.Request) -> ConversationList:
    return await direct.conversations(deps(request), current_user(request).id)


@routes.route(
    "GET",
    "/dm/{user_id}/messages",
    summary="Direct messages with one user, oldest to newest, paged back (or forward, or around one message)",
    query=PAGE_QUERY,
    responses={200: DirectMessagePage},
)
async def list_messages(request: web.Request) -> DirectMessagePage:
    return await direct.list_messages(
        deps(request), current_user(request).id, request.match_info["user_id"], page_cursor(request)
    )


@routes.route(
    "POST",
    "/dm/{user_id}/messages",
    summary="Send a direct message (stored, then pushed); `reply_to` quotes a message of the same conversation",
    body=NewMessage,
    responses={201: DirectMessage},
)
async def send_message(request: web.Request, body: NewMessage) -> DirectMessage:
    return await direct.send(
        deps(request),
        current_user(request),
        request.match_info["user_id"],
        body.content,
        body.client_id,
        attachments=body.attachments,
        reply_to=body.reply_to,
    )


@routes.route(
    "POST",
    "/dm/{user_id}/read",
    summary="Mark messages from this user as read (all, or up to message_id)",
    body=MarkRead,
    responses={200: ReadResult},
)
async def mark_read(request: web.Request, body: MarkRead) -> ReadResult:
    return await direct.mark_read(
        deps(request), current_user(request).id, peer_id=request.match_info["user_id"], message_id=body.message_id
    )
