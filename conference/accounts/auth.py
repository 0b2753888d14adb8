"""Who is calling: resolves the bearer (a user's access token or an integrator's API key)."""

from __future__ import annotations

import hmac

from aiohttp import web
from sqlalchemy import bindparam, select

from conference.accounts.models import ApiKey, LoginSession, User
from conference.accounts.signins import SignIn
from conference.accounts.tokens import TokenExpired, TokenInvalid, hash_secret
from conference.db import single_read
from conference.deps import Deps, deps
from conference.errors import TokenExpired as AccessTokenExpired
from conference.errors import Unauthorized
from conference.guests.sessions import GUEST_TOKEN_PREFIX, guest_signin
from conference.state import API_KEY, SIGNIN, USER

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
        request[API_KEY] = await api_key_of(deps(request), token)
        return
    if kind == "key":
        raise Unauthorized("this endpoint needs an API key")
    if token.startswith(GUEST_TOKEN_PREFIX):
        if kind != "user_or_guest":
            raise Unauthorized("a guest's session opens only its room's chat, media tokens and socket; sign in")
        signin = await guest_signin(deps(request), token, request.match_info.get("room_id"))
        request[USER], request[SIGNIN] = signin.user, signin
        return
    signin = await signin_of_access_token(deps(request), token)
    request[USER], request[SIGNIN] = signin.user, signin


async def signin_of_access_token(deps: Deps, token: str) -> SignIn:
    try:
        # The signature is remembered per token (tokens.AccessTokenReader); expiry is checked every
        # time, and whether the sign-in is still open is asked below on every request.
        claims = deps.access_tokens.read(token)
    except TokenExpired:
        raise AccessTokenExpired() from None
    except TokenInvalid:
        raise Unauthorized("access token is not valid") from None
    user = await user_of_open_signin(deps, claims.user_id, claims.session_id)
    return SignIn(user=user, session_id=claims.session_id, expires_at=claims.expires_at)


# Built once: SQLAlchemy then reuses its cache key and compiled SQL on every sign-in check.
_OPEN_SIGN_IN = (
    select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(
        User.id == bindparam("user_id"),
        LoginSession.id == bindparam("session_id"),
        LoginSession.revoked_at.is_(None),
    )
)


async def user_of_open_signin(deps: Deps, user_id: str, session_id: str) -> User:
    """The user, while that sign-in of theirs is open (not logged out, revoked or deleted)."""

    async def open_signin() -> User | None:
        async with single_read(deps.db) as session:
            found: User | None = await session.scalar(_OPEN_SIGN_IN, {"user_id": user_id, "session_id": session_id})
            return found

    user = await deps.signins.recall(session_id, user_id, open_signin)
    if user is None:
        raise Unauthorized("access token is no longer valid")
    return user


async def api_key_of(deps: Deps, token: str) -> ApiKey:
    key_id, _, secret = token[len(API_KEY_PREFIX) :].partition(".")
    async with deps.db() as session:
        key = await session.get(ApiKey, key_id) if key_id else None
    if key is None or key.revoked_at is not None or not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
        raise Unauthorized("API key is not valid or was revoked")
    return key


def current_signin(request: web.Request) -> SignIn:
    signin: SignIn | None = request.get(SIGNIN)
    if signin is None:
        raise Unauthorized("this endpoint needs a signed-in user")
    return signin


def current_user(request: web.Request) -> User:
    user: User | None = request.get(USER)
    if user is None:
        raise Unauthorized("this endpoint needs a signed-in user")
    return user
