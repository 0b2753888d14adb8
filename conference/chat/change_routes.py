"""HTTP endpoints that change sent messages (edit, delete, react) in room chat, direct messages and
groups, and the read positions and unread counts of all conversations."""

from __future__ import annotations

from aiohttp import web

from conference.accounts.auth import current_user
from conference.chat import changes, reads
from conference.chat.changes import Change
from conference.chat.routes import message_id_of
from conference.chat.schemas import DirectMessage, EditMessage, Message, ReadPosition, ReadUpTo, Unread
from conference.deps import deps
from conference.groups.schemas import GroupMessage
from conference.routing import ApiRoutes

routes = ApiRoutes("message changes")
ROOM_MESSAGE = "/rooms/{room_id}/chat/messages/{message_id}"
DIRECT_MESSAGE = "/dm/{user_id}/messages/{message_id}"
GROUP_MESSAGE = "/groups/{group_id}/messages/{message_id}"


async def _in_room(request: web.Request, change: Change) -> Message:
    user_id = current_user(request).id
    find = changes.in_room(request.match_info["room_id"], user_id, message_id_of(request))
    answer = await changes.apply(deps(request), user_id, find, change)
    if not isinstance(answer, Message):
        raise TypeError("a room message change answered a direct message")
    return answer


async def _with_peer(request: web.Request, change: Change) -> DirectMessage:
    user_id = current_user(request).id
    find = changes.with_peer(user_id, request.match_info["user_id"], message_id_of(request))
    answer = await changes.apply(deps(request), user_id, find, change)
    if not isinstance(answer, DirectMessage):
        raise TypeError("a direct message change answered a room message")
    return answer


async def _in_group(request: web.Request, change: Change) -> GroupMessage:
    user_id = current_user(request).id
    find = changes.in_group(request.match_info["group_id"], user_id, message_id_of(request))
    answer = await changes.apply(deps(request), user_id, find, change)
    if not isinstance(answer, GroupMessage):
        raise TypeError("a group message change answered another kind of message")
    return answer


def _edit(request: web.Request, body: EditMessage) -> Change:
    return changes.edit(current_user(request).id, body.content, deps(request).settings.message_edit_window_s)


def _react(request: web.Request, on: bool) -> Change:
    return changes.react(current_user(request).id, request.match_info["emoji"], on)


@routes.route(
    "PATCH",
    ROOM_MESSAGE,
    summary="Edit my own room message within the edit window (MESSAGE_EDIT_WINDOW_S)",
    auth="user_or_guest",
    body=EditMessage,
    responses={200: Message},
)
async def edit_room_message(request: web.Request, body: EditMessage) -> Message:
    return await _in_room(request, _edit(request, body))


@routes.route(
    "DELETE",
    ROOM_MESSAGE,
    summary="Delete my own room message, or (a host) anyone's: it stays as a marker without content",
    auth="user_or_guest",
    responses={200: Message},
)
async def delete_room_message(request: web.Request) -> Message:
    return await _in_room(request, changes.remove(current_user(request).id))


@routes.route(
    "PUT",
    ROOM_MESSAGE + "/reactions/{emoji}",
    summary="React to a room message (idempotent)",
    auth="user_or_guest",
    responses={200: Message},
)
async def react_to_room_message(request: web.Request) -> Message:
    return await _in_room(request, _react(request, True))


@routes.route(
    "DELETE",
    ROOM_MESSAGE + "/reactions/{emoji}",
    summary="Take my reaction back",
    auth="user_or_guest",
    responses={200: Message},
)
async def unreact_to_room_message(request: web.Request) -> Message:
    return await _in_room(request, _react(request, False))


@routes.route(
    "PATCH",
    DIRECT_MESSAGE,
    summary="Edit my own direct message within the edit window (MESSAGE_EDIT_WINDOW_S)",
    body=EditMessage,
    responses={200: DirectMessage},
)
async def edit_direct_message(request: web.Request, body: EditMessage) -> DirectMessage:
    return await _with_peer(request, _edit(request, body))


@routes.route(
    "DELETE",
    DIRECT_MESSAGE,
    summary="Delete my own direct message: it stays as a marker without content",
    responses={200: DirectMessage},
)
async def delete_direct_message(request: web.Request) -> DirectMessage:
    return await _with_peer(request, changes.remove(current_user(request).id))


@routes.route(
    "PUT",
    DIRECT_MESSAGE + "/reactions/{emoji}",
    summary="React to a direct message (idempotent)",
    responses={200: DirectMessage},
)
async def react_to_direct_message(request: web.Request) -> DirectMessage:
    return await _with_peer(request, _react(request, True))


@routes.route(
    "DELETE",
    DIRECT_MESSAGE + "/reactions/{emoji}",
    summary="Take my reaction back",
    responses={200: DirectMessage},
)
async def unreact_to_direct_message(request: web.Request) -> DirectMessage:
    return await _with_peer(request, _react(request, False))


@routes.route(
    "PATCH",
    GROUP_MESSAGE,
    summary="Edit my own group message within the edit window (MESSAGE_EDIT_WINDOW_S)",
    body=EditMessage,
    responses={200: GroupMessage},
)
async def edit_group_message(request: web.Request, body: EditMessage) -> GroupMessage:
    return await _in_group(request, _edit(request, body))


@routes.route(
    "DELETE",
    GROUP_MESSAGE,
    summary="Delete my own group message, or (an admin) anyone's: it stays as a marker without content",
    responses={200: GroupMessage},
)
async def delete_group_message(request: web.Request) -> GroupMessage:
    return await _in_group(request, changes.remove(current_user(request).id))


@routes.route(
    "PUT",
    GROUP_MESSAGE + "/reactions/{emoji}",
    summary="React to a group message (idempotent)",
    responses={200: GroupMessage},
)
async def react_to_group_message(request: web.Request) -> GroupMessage:
    return await _in_group(request, _react(request, True))


@routes.route(
    "DELETE",
    GROUP_MESSAGE + "/reactions/{emoji}",
    summary="Take my reaction back",
    responses={200: GroupMessage},
)
async def unreact_to_group_message(request: web.Request) -> GroupMessage:
    return await _in_group(request, _react(request, False))


@routes.route(
    "POST",
    "/rooms/{room_id}/chat/read",
    summary="Move my read position in a room's chat up to a message (never back)",
    auth="user_or_guest",
    body=ReadUpTo,
    responses={200: ReadPosition},
)
async def mark_room_read(request: web.Request, body: ReadUpTo) -> ReadPosition:
    return await reads.mark_room_read(
        deps(request), request.match_info["room_id"], current_user(request).id, body.message_id
    )


@routes.route("GET", "/unread", summary="My unread counts: rooms, direct messages, groups", responses={200: Unread})
async def unread(request: web.Request) -> Unread:
    return await reads.unread(deps(request), current_user(request).id)
