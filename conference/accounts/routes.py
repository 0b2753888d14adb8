"""HTTP endpoints of /auth and /users."""
from __future__ import annotations

from aiohttp import web

from conference.accounts import service
from conference.accounts.auth import current_user
from conference.accounts.schemas import Login, RefreshBody, Register, UpdateMe
from conference.db import iso
from conference.routing import ApiRoutes, json_created, query_int
from conference.state import DB, HUB, LIMITER, SETTINGS, SIGNINS

routes = ApiRoutes("accounts")


def client_address(request: web.Request) -> str:
    return request.remote or "unknown"


@routes.route("POST", "/auth/register", summary="Create an account", auth="none", body=Register, status=201)
async def register(request: web.Request, body: Register) -> web.Response:
    await request.app[LIMITER].hit(f"register:{client_address(request)}", request.app[SETTINGS].login_rate_per_minute)
    pair = await service.register(request.app[DB], request.app[SETTINGS], body.login, body.password,
                                  body.email, body.display_name)
    return json_created(pair)


@routes.route("POST", "/auth/login", summary="Sign in by login or email", auth="none", body=Login)
async def login(request: web.Request, body: Login) -> web.Response:
    await request.app[LIMITER].hit(f"login:{client_address(request)}", request.app[SETTINGS].login_rate_per_minute)
    return web.json_response(await service.login(request.app[DB], request.app[SETTINGS], body.login, body.password))


@routes.route("POST", "/auth/refresh", summary="Trade a refresh token for a new pair", auth="none", body=RefreshBody)
async def refresh(request: web.Request, body: RefreshBody) -> web.Response:
    try:
        pair = await service.refresh(request.app[DB], request.app[SETTINGS], body.refresh_token)
    except service.SignInRevoked as revoked:
        request.app[SIGNINS].forget_session(revoked.session_id)
        raise
    return web.json_response(pair)


@routes.route("POST", "/auth/logout", summary="End the sign-in of a refresh token", auth="none",
              body=RefreshBody, status=204)
async def logout(request: web.Request, body: RefreshBody) -> web.Response:
    request.app[SIGNINS].forget_session(await service.logout(request.app[DB], body.refresh_token))
    return web.Response(status=204)


@routes.route("GET", "/users/me", summary="The signed-in user")
async def get_me(request: web.Request) -> web.Response:
    return web.json_response(service.user_json(current_user(request)))


@routes.route("PATCH", "/users/me", summary="Change display name, email or password", body=UpdateMe)
async def patch_me(request: web.Request, body: UpdateMe) -> web.Response:
    changes = body.model_dump(exclude_unset=True)
    user_id = current_user(request).id
    updated = await service.update_me(request.app[DB], user_id, changes)
    request.app[SIGNINS].forget_user(user_id)  # the next request reads the new name
    return web.json_response(updated)


@routes.route("DELETE", "/users/me", summary="Delete the signed-in account", status=204)
async def delete_me(request: web.Request) -> web.Response:
    await service.delete_user(request.app[DB], current_user(request).id)
    request.app[SIGNINS].forget_user(current_user(request).id)
    return web.Response(status=204)


@routes.route("GET", "/users", summary="Find users by login prefix or exact id",
              query={"q": "login prefix or user id", "limit": "1-50, default 20"})
async def find_users(request: web.Request) -> web.Response:
    limit = query_int(request, "limit", 20, 1, 50)
    users = await service.find_users(request.app[DB], request.query.get("q", "")[:64], limit)
    online = await request.app[HUB].online([user.id for user in users])
    items = [{**service.public_user_json(user), "online": user.id in online} for user in users]
    return web.json_response({"items": items})


@routes.route("GET", "/users/{user_id}", summary="One user's public profile and presence")
async def get_user(request: web.Request) -> web.Response:
    user = await service.get_user(request.app[DB], request.match_info["user_id"])
    online = await request.app[HUB].online([user.id])
    return web.json_response({**service.public_user_json(user), "online": user.id in online,
                              "last_seen_at": iso(user.last_seen_at)})
