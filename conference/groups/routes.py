"""HTTP endpoints of /groups (group conversations: members, messages, read position, calls)."""

from __future__ import annotations

from aiohttp import web

from conference.accounts.auth import current_user
from conference.chat.schemas import NewMessage, ReadPosition, ReadUpTo
from conference.deps import deps
from conference.errors import ValidationFailed
from conference.groups import calls, membership, messages, overview
from conference.groups.schemas import (
    AddMembers,
    ChangeRole,
    Group,
    GroupCall,
    GroupList,
    GroupMessage,
    GroupMessagePage,
    NewGroup,
    RenameGroup,
)
from conference.routing import ApiRoutes, query_int

routes = ApiRoutes("groups")
MAX_ID = 2**62


def _group_id(request: web.Request) -> str:
    return request.match_info["group_id"]


@routes.route(
    "POST",
    "/groups",
    summary="Create a group with a title and members (256 at most, me included); I am its admin",
    body=NewGroup,
    responses={201: Group},
)
async def create_group(request: web.Request, body: NewGroup) -> Group:
    return await membership.create_group(deps(request), current_user(request), body.title, body.member_ids)


@routes.route(
    "GET",
    "/groups",
    summary="My groups, the most recently active first, with last message and unread count",
    query={"offset": "0 or more, default 0", "limit": "1-100, default 50"},
    responses={200: GroupList},
)
async def list_groups(request: web.Request) -> GroupList:
    offset = query_int(request, "offset", 0, 0, 100_000)
    limit = query_int(request, "limit", 50, 1, 100)
    return await overview.list_groups(deps(request), current_user(request).id, offset, limit)


@routes.route("GET", "/groups/{group_id}", summary="A group I am in, with its members", responses={200: Group})
async def get_group(request: web.Request) -> Group:
    return await membership.get_group(deps(request), _group_id(request), current_user(request).id)


@routes.route(
    "PATCH",
    "/groups/{group_id}",
    summary="Rename a group (creator and admins)",
    body=RenameGroup,
    responses={200: Group},
)
async def rename_group(request: web.Request, body: RenameGroup) -> Group:
    return await membership.rename(deps(request), _group_id(request), current_user(request).id, body.title)


@routes.route(
    "POST",
    "/groups/{group_id}/members",
    summary="Add members (creator and admins); people already in are ignored",
    body=AddMembers,
    responses={200: Group},
)
async def add_members(request: web.Request, body: AddMembers) -> Group:
    return await membership.add_members(deps(request), _group_id(request), current_user(request).id, body.user_ids)


@routes.route(
    "DELETE",
    "/groups/{group_id}/members/{user_id}",
    summary="Remove a member (creator and admins; only the creator removes an admin)",
    responses={200: Group},
)
async def remove_member(request: web.Request) -> Group:
    return await membership.remove_member(
        deps(request), _group_id(request), current_user(request).id, request.match_info["user_id"]
    )


@routes.route(
    "PATCH",
    "/groups/{group_id}/members/{user_id}",
    summary="Make a member an admin or a plain member again (the creator)",
    body=ChangeRole,
    responses={200: Group},
)
async def change_role(request: web.Request, body: ChangeRole) -> Group:
    return await membership.change_role(
        deps(request), _group_id(request), current_user(request).id, request.match_info["user_id"], body.role
    )


@routes.route("POST", "/groups/{group_id}/leave", summary="Leave a group", responses={204: None})
async def leave_group(request: web.Request) -> None:
    await membership.leave(deps(request), _group_id(request), current_user(request).id)


@routes.route(
    "GET",
    "/groups/{group_id}/messages",
    summary="A group's messages, oldest to newest: the newest page, or before/after/around a message id",
    query={
        "before": "message id cursor (older page)",
        "after": "message id cursor (newer page)",
        "around": "a message id to centre the page on",
        "limit": "1-100, default 50",
    },
    responses={200: GroupMessagePage},
)
async def list_messages(request: web.Request) -> GroupMessagePage:
    cursors = {
        name: query_int(request, name, 0, 1, MAX_ID)
        for name in ("before", "after", "around")
        if request.query.get(name)
    }
    if len(cursors) > 1:
        raise ValidationFailed(
            "query is not valid", fields={name: "use one of before, after, around" for name in cursors}
        )
    return await messages.list_messages(
        deps(request),
        _group_id(request),
        current_user(request).id,
        **cursors,
        limit=query_int(request, "limit", 50, 1, 100),
    )


@routes.route(
    "POST",
    "/groups/{group_id}/messages",
    summary="Post to a group (members); stored, then pushed to every member as group.message; "
    "`reply_to` quotes a message of the same group, `attachments` are my uploads",
    body=NewMessage,
    responses={201: GroupMessage},
)
async def post_message(request: web.Request, body: NewMessage) -> GroupMessage:
    return await messages.post(
        deps(request),
        _group_id(request),
        current_user(request),
        body.content,
        body.client_id,
        body.reply_to,
        attachments=body.attachments,
    )


@routes.route(
    "POST",
    "/groups/{group_id}/read",
    summary="Move my read position up to a message (never back); my other devices get read.position",
    body=ReadUpTo,
    responses={200: ReadPosition},
)
async def mark_read(request: web.Request, body: ReadUpTo) -> ReadPosition:
    return await messages.mark_read(deps(request), _group_id(request), current_user(request).id, body.message_id)


@routes.route(
    "POST",
    "/groups/{group_id}/call",
    summary="Open (or rejoin) the group's call room and ring its online members; join it with POST /rooms/{id}/join",
    responses={201: GroupCall},
)
async def start_call(request: web.Request) -> GroupCall:
    return await calls.start_group_call(deps(request), current_user(request), _group_id(request))
