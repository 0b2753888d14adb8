"""HTTP endpoints of /contacts."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from conference.accounts import contacts
from conference.accounts.auth import current_user
from conference.deps import deps
from conference.routing import ApiRoutes, Body, json_created

routes = ApiRoutes("contacts")


class AddContact(Body):
    user_id: str = Field(min_length=1, max_length=32)


@routes.route("GET", "/contacts", summary="My contacts and requests, with presence", responses={200: None})
async def list_contacts(request: web.Request) -> web.Response:
    return web.json_response({"items": await contacts.list_contacts(deps(request), current_user(request).id)})


@routes.route(
    "POST",
    "/contacts",
    summary="Ask someone to be a contact (accepted at once if they asked you)",
    body=AddContact,
    responses={201: None},
)
async def add_contact(request: web.Request, body: AddContact) -> web.Response:
    return json_created(await contacts.request_contact(deps(request), current_user(request).id, body.user_id))


@routes.route("POST", "/contacts/{user_id}/accept", summary="Accept someone's contact request", responses={200: None})
async def accept_contact(request: web.Request) -> web.Response:
    return web.json_response(
        await contacts.accept_contact(deps(request), current_user(request).id, request.match_info["user_id"])
    )


@routes.route("POST", "/contacts/{user_id}/decline", summary="Decline someone's contact request", responses={200: None})
async def decline_contact(request: web.Request) -> web.Response:
    return web.json_response(
        await contacts.decline_contact(deps(request), current_user(request).id, request.match_info["user_id"])
    )


@routes.route("DELETE", "/contacts/{user_id}", summary="Remove a contact or withdraw a request", responses={204: None})
async def remove_contact(request: web.Request) -> web.Response:
    await contacts.remove_contact(deps(request), current_user(request).id, request.match_info["user_id"])
    return web.Response(status=204)
