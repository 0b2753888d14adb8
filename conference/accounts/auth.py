"""Who is calling: resolves the bearer (a user's access token or an integrator's API key)."""
from __future__ import annotations

import hmac

from aiohttp import web
from sqlalchemy import select

from conference.accounts.models import ApiKey, LoginSession, User
from conference.accounts.tokens import TokenExpired, TokenInvalid, hash_secret, read_access_token
from conference.errors import ApiError, Unauthorized
from conference.state import API_KEY, DB, SETTINGS, SIGNINS, USER

API_KEY_PREFIX = "ck_"


def bearer_of(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def authenticate(request: web.Request, kind: str) -> None:
    token = bearer_of(request)
    if token is None:
        raise Unauthorized("sign in first: Authorization: Bearer <token> is missing")
    if token.startswith(API_KEY_PREFIX):
        if kind not in ("key", "user_or_key"):
            raise Unauthorized("this endpoint needs a user's access token, not an API key")
        request[API_KEY] = await api_key_of(request.app, token)
        return
    if kind == "key":
        raise Unauthorized("this endpoint needs an API key")
    request[USER] = await user_of_access_token(request.app, token)


async def user_of_access_token(app: web.Application, token: str) -> User:
    try:
        claims = read_access_token(app[SETTINGS].jwt_secret, token)
    except TokenExpired:
        raise ApiError("access token has expired; refresh it", code="token_expired", status=401)
    except TokenInvalid:
        raise Unauthorized("access token is not valid")
    signins = app[SIGNINS]
    user = signins.get(claims.session_id, claims.user_id)
    if user is not None:
        return user
    async with app[DB]() as session:
        user = await session.scalar(
            select(User).join(LoginSession, LoginSession.user_id == User.id)
            .where(User.id == claims.user_id, LoginSession.id == claims.session_id,
                   LoginSession.revoked_at.is_(None)))
    if user is None:
        raise Unauthorized("access token is no longer valid")
    signins.put(claims.session_id, user)
    return user


async def api_key_of(app: web.Application, token: str) -> ApiKey:
    key_id, _, secret = token[len(API_KEY_PREFIX):].partition(".")
    async with app[DB]() as session:
        key = await session.get(ApiKey, key_id) if key_id else None
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
        raise Unauthorized("API key is not valid or was revoked")
    return key


def current_user(request: web.Request) -> User:
    user = request.get(USER)
    if user is None:
        raise Unauthorized("this endpoint needs a signed-in user")
    return user
