"""Guests' session tokens, `gs_<JWT>`: the guest (a user row marked with its room), its sign-in (a login
session of that row) and the one room it is good for. A token is honoured while that sign-in is open,
the guest is neither removed nor turned away, and the room has not ended. Removal, a refusal and the
room's end also revoke the sign-in, so the guest's sockets close on every replica (SignInsEnded)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import LoginSession, User
from conference.accounts.signins import SignIn
from conference.accounts.tokens import ALGORITHM
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import Forbidden, LobbyDenied, RemovedFromRoom, TokenExpired, Unauthorized
from conference.rooms.codes import normalize_room_code
from conference.rooms.models import Room, RoomMember

GUEST_TOKEN_PREFIX = "gs_"
TOKEN_TYPE = "guest"


@dataclass(frozen=True)
class GuestClaims:
    guest_id: str
    session_id: str
    room_id: str
    expires_at: int  # seconds since the epoch


def mint_guest_token(secret: str, claims: GuestClaims) -> str:
    body = {
        "sub": claims.guest_id,
        "sid": claims.session_id,
        "room": claims.room_id,
        "typ": TOKEN_TYPE,
        "iat": int(time.time()),
        "exp": claims.expires_at,
    }
    return GUEST_TOKEN_PREFIX + jwt.encode(body, secret, algorithm=ALGORITHM)


def read_guest_token(secret: str, token: str, *, verify_exp: bool = True) -> GuestClaims | None:
    """The claims of a token this service signed (None when it is not one); raises TokenExpired."""
    if not token.startswith(GUEST_TOKEN_PREFIX):
        return None
    try:
        claims = jwt.decode(
            token[len(GUEST_TOKEN_PREFIX) :],
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "sid", "room"], "verify_exp": verify_exp},
        )
    except jwt.ExpiredSignatureError:
        raise TokenExpired("this guest session has expired; join again") from None
    except jwt.PyJWTError:
        return None
    fields = (claims.get("sub"), claims.get("sid"), claims.get("room"))
    if claims.get("typ") != TOKEN_TYPE or not all(isinstance(value, str) for value in fields):
        return None
    return GuestClaims(str(claims["sub"]), str(claims["sid"]), str(claims["room"]), int(claims["exp"]))


async def guest_signin(deps: Deps, token: str, path_room_id: str | None) -> SignIn:
    """Who a guest's bearer token is, for a route guests may use; `path_room_id` is the route's room."""
    claims = read_guest_token(deps.settings.jwt_secret, token)
    if claims is None:
        raise Unauthorized("guest session token is not valid")
    if path_room_id is not None and normalize_room_code(path_room_id) != claims.room_id:
        raise Forbidden("a guest's session is good for the room it joined only")
    async with deps.db() as db:
        row = (
            await db.execute(
                select(User, LoginSession.revoked_at, RoomMember.state, Room.status)
                .select_from(User)
                .join(LoginSession, LoginSession.user_id == User.id)
                .join(Room, Room.id == User.guest_room_id)
                .outerjoin(RoomMember, (RoomMember.user_id == User.id) & (RoomMember.room_id == Room.id))
                .where(User.id == claims.guest_id, User.guest_room_id == claims.room_id)
                .where(LoginSession.id == claims.session_id)
            )
        ).first()
    if row is None:
        raise Unauthorized("this guest session has ended")
    user, revoked_at, state, status = row
    if state == "removed":
        raise RemovedFromRoom()
    if state == "denied":
        raise LobbyDenied()
    if revoked_at is not None or state is None or status == "ended":
        raise Unauthorized("this guest session has ended")
    return SignIn(user=user, session_id=claims.session_id, expires_at=claims.expires_at)


async def end_guest_sessions(db: AsyncSession, room_id: str, user_id: str | None = None) -> list[str]:
    """Revokes the open sign-ins of the room's guests (or of that one person, when a guest), in the
    caller's transaction. Returns whose ended, for `announce_ended` once committed."""
    guests = select(User.id).where(User.guest_room_id == room_id)
    if user_id is not None:
        guests = guests.where(User.id == user_id)
    still_open = (LoginSession.user_id.in_(guests)) & LoginSession.revoked_at.is_(None)
    ended = sorted(set(await db.scalars(select(LoginSession.user_id).where(still_open))))
    if ended:
        await db.execute(update(LoginSession).where(still_open).values(revoked_at=utcnow()))
    return ended


async def announce_ended(deps: Deps, guest_ids: list[str]) -> None:
    """Every replica forgets those sign-ins and closes their sockets (4401)."""
    from conference.accounts.service import end_signins  # accounts' notice, sent after the commit

    for guest_id in guest_ids:
        await end_signins(deps, guest_id, "guest_ended")
