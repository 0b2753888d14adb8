"""HTTP endpoints of /auth and /users."""

from __future__ import annotations

from aiohttp import web

from conference.accounts import service, throttle
from conference.accounts.auth import current_user
from conference.accounts.schemas import Login, RefreshBody, Register, UpdateMe
from conference.db import iso
from conference.deps import deps
from conference.routing import ApiRoutes, json_created, query_int

routes = ApiRoutes("accounts")


@routes.route("POST", "/auth/register", summary="Create an account", auth="none", body=Register, responses={201: None})
@throttle.registration_attempts
async def register(request: web.Request, body: Register) -> web.Response:
    pair = await service.register(
        deps(request).db, deps(request).settings, body.login, body.password, body.email, body.display_name
    )
    return json_created(pair)


@routes.route(
    "POST", "/auth/login", summary="Sign in by login or email", auth="none", body=Login, responses={200: None}
)
@throttle.login_attempts
async def login(request: web.Request, body: Login) -> web.Response:
    return web.json_response(await service.login(deps(request).db, deps(request).settings, body.login, body.password))


@routes.route(
    "POST",
    "/auth/refresh",
    summary="Trade a refresh token for a new pair",
    auth="none",
    body=RefreshBody,
    responses={200: None},
)
async def refresh(request: web.Request, body: RefreshBody) -> web.Response:
    try:
        pair = await service.refresh(deps(request).db, deps(request).settings, body.refresh_token)
    except service.SignInRevoked as revoked:
        deps(request).signins.forget_session(revoked.session_id)
        raise
    return web.json_response(pair)


@routes.route(
    "POST",
    "/auth/logout",
    summary="End the sign-in of a refresh token",
    auth="none",
    body=RefreshBody,
    responses={204: None},
)
async def logout(request: web.Request, body: RefreshBody) -> web.Response:
    deps(request).signins.forget_session(await service.logout(deps(request).db, body.refresh_token))
    return web.Response(status=204)


@routes.route("GET", "/users/me", summary="The signed-in user", responses={200: None})
async def get_me(request: web.Request) -> web.Response:
    return web.json_response(service.user_json(current_user(request)))


@routes.route(
    "PATCH", "/users/me", summary="Change display name, email or password", body=UpdateMe, responses={200: None}
)
async def patch_me(request: web.Request, body: UpdateMe) -> web.Response:
    changes = body.model_dump(exclude_unset=True)
    user_id = current_user(request).id
    updated = await service.update_me(deps(request).db, deps(request).settings, user_id, changes)
    deps(request).signins.forget_user(user_id)  # the next request reads the new name
    return web.json_response(updated)


@routes.route("DELETE", "/users/me", summary="Delete the signed-in account", responses={204: None})
async def delete_me(request: web.Request) -> web.Response:
    await service.delete_user(deps(request).db, current_user(request).id)
    deps(request).signins.forget_user(current_user(request).id)
    return web.Response(status=204)


@routes.route(
    "GET",
    "/users",
    summary="Find users by login prefix or exact id",
    query={"q": "login prefix or user id", "limit": "1-50, default 20"},
    responses={200: None},
)
async def find_users(request: web.Request) -> web.Response:
    limit = query_int(request, "limit", 20, 1, 50)
    users = await service.find_users(deps(request).db, request.query.get("q", "")[:64], limit)
    online = await deps(request).hub.online([user.id for user in users])
    items = [{**service.public_user_json(user), "online": user.id in online} for user in users]
    return web.json_response({"items": items})


@routes.route("GET", "/users/{user_id}", summary="One user's public profile and presence", responses={200: None})
async def get_user(request: web.Request) -> web.Response:
    user = await service.get_user(deps(request).db, request.match_info["user_id"])
    online = await deps(request).hub.online([user.id])
    return web.json_response(
        {**service.public_user_json(user), "online": user.id in online, "last_seen_at": iso(user.last_seen_at)}
    )
