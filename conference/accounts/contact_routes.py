"""HTTP endpoints of /contacts."""

from __future__ import annotations

from aiohttp import web

from conference.accounts import contacts
from conference.accounts.auth import current_user
from conference.accounts.schemas import Contact, ContactList, ContactRequest
from conference.deps import deps
from conference.routing import ApiRoutes

routes = ApiRoutes("contacts")


@routes.route("GET", "/contacts", summary="My contacts and requests, with presence", responses={200: ContactList})
async def list_contacts(request: web.Request) -> ContactList:
    return await contacts.list_contacts(deps(request), current_user(request).id)


@routes.route(
    "POST",
    "/contacts",
    summary="Ask someone to be a contact (accepted at once if they asked you)",
    body=ContactRequest,
    responses={201: Contact},
)
async def add_contact(request: web.Request, body: ContactRequest) -> Contact:
    return await contacts.request_contact(deps(request), current_user(request).id, body.user_id)


@routes.route(
    "POST", "/contacts/{user_id}/accept", summary="Accept someone's contact request", responses={200: Contact}
)
async def accept_contact(request: web.Request) -> Contact:
    return await contacts.accept_contact(deps(request), current_user(request).id, request.match_info["user_id"])


@routes.route(
    "POST", "/contacts/{user_id}/decline", summary="Decline someone's contact request", responses={200: Contact}
)
async def decline_contact(request: web.Request) -> Contact:
    return await contacts.decline_contact(deps(request), current_user(request).id, request.match_info["user_id"])


@routes.route("DELETE", "/contacts/{user_id}", summary="Remove a contact or withdraw a request", responses={204: None})
async def remove_contact(request: web.Request) -> None:
    await contacts.remove_contact(deps(request), current_user(request).id, request.match_info["user_id"])
