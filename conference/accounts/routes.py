"""HTTP endpoints of /auth and /users."""

from __future__ import annotations

from aiohttp import web

from conference.accounts import service, throttle
from conference.accounts.auth import current_signin, current_user
from conference.accounts.schemas import (
    Account,
    DeleteMe,
    Login,
    PeopleFound,
    Profile,
    RefreshBody,
    Register,
    SignedIn,
    UpdateMe,
)
from conference.deps import deps
from conference.routing import ApiRoutes, query_int

routes = ApiRoutes("accounts")


@routes.route(
    "POST", "/auth/register", summary="Create an account", auth="none", body=Register, responses={201: SignedIn}
)
@throttle.registration_attempts
async def register(request: web.Request, body: Register) -> SignedIn:
    return await service.register(deps(request), body.login, body.password, body.email, body.display_name)


@routes.route(
    "POST", "/auth/login", summary="Sign in by login or email", auth="none", body=Login, responses={200: SignedIn}
)
@throttle.login_attempts
async def login(request: web.Request, body: Login) -> SignedIn:
    return await service.login(deps(request), body.login, body.password)


@routes.route(
    "POST",
    "/auth/refresh",
    summary="Trade a refresh token for a new pair",
    auth="none",
    body=RefreshBody,
    responses={200: SignedIn},
)
async def refresh(request: web.Request, body: RefreshBody) -> SignedIn:
    return await service.refresh(deps(request), body.refresh_token)


@routes.route(
    "POST",
    "/auth/logout",
    summary="End the sign-in of a refresh token",
    auth="none",
    body=RefreshBody,
    responses={204: None},
)
async def logout(request: web.Request, body: RefreshBody) -> None:
    await service.logout(deps(request), body.refresh_token)


@routes.route("GET", "/users/me", summary="The signed-in user", responses={200: Account})
async def get_me(request: web.Request) -> Account:
    return Account.model_validate(current_user(request))


@routes.route(
    "PATCH",
    "/users/me",
    summary="Change display name, email or password (a new password signs out every other sign-in)",
    body=UpdateMe,
    responses={200: Account},
)
async def patch_me(request: web.Request, body: UpdateMe) -> Account:
    return await service.update_me(deps(request), current_signin(request), body)


@routes.route(
    "DELETE",
    "/users/me",
    summary="Delete the signed-in account (its password again); every sign-in and socket ends",
    body=DeleteMe,
    responses={204: None},
)
async def delete_me(request: web.Request, body: DeleteMe) -> None:
    await service.delete_user(deps(request), current_user(request).id, body.password)


@routes.route(
    "GET",
    "/users",
    summary="Find users by login prefix or exact id",
    query={"q": "login prefix or user id", "limit": "1-50, default 20"},
    responses={200: PeopleFound},
)
async def find_users(request: web.Request) -> PeopleFound:
    limit = query_int(request, "limit", 20, 1, 50)
    return await service.find_users(deps(request), request.query.get("q", "")[:64], limit)


@routes.route("GET", "/users/{user_id}", summary="One user's public profile and presence", responses={200: Profile})
async def get_user(request: web.Request) -> Profile:
    return await service.profile(deps(request), request.match_info["user_id"])
