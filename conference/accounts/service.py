"""Account rules: registration, sign-in, refresh rotation with reuse detection, profile."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conference.accounts.models import LoginSession, RefreshToken, User
from conference.accounts.passwords import check_password, hash_password
from conference.accounts.tokens import hash_secret, issue_access_token, new_refresh_token
from conference.db import iso, utcnow
from conference.errors import Conflict, InvalidCredentials, NotFound, Unauthorized, ValidationFailed
from conference.settings import Settings


class SignInRevoked(Unauthorized):
    """A spent refresh token came back: the whole sign-in is ended."""

    def __init__(self, session_id: str):
        super().__init__("refresh token was already used; this sign-in has been revoked")
        self.session_id = session_id


def user_json(user: User) -> dict:
    return {
        "id": user.id,
        "login": user.login,
        "email": user.email,
        "display_name": user.display_name,
        "created_at": iso(user.created_at),
    }


def public_user_json(user: User) -> dict:
    return {"id": user.id, "login": user.login, "display_name": user.display_name}


async def _issue_pair(db: AsyncSession, settings: Settings, user: User, login_session_id: str) -> dict:
    refresh = new_refresh_token()
    db.add(
        RefreshToken(
            token_hash=hash_secret(refresh),
            session_id=login_session_id,
            expires_at=utcnow() + timedelta(seconds=settings.refresh_token_ttl_s),
        )
    )
    access = issue_access_token(settings.jwt_secret, user.id, login_session_id, settings.access_token_ttl_s)
    return {
        "user": user_json(user),
        "access_token": access,
        "refresh_token": refresh,
        "expires_in": settings.access_token_ttl_s,
    }


async def _start_session(db: AsyncSession, settings: Settings, user: User) -> dict:
    login_session = LoginSession(user_id=user.id)
    db.add(login_session)
    await db.flush()
    return await _issue_pair(db, settings, user, login_session.id)


async def _ensure_free(db: AsyncSession, login: str | None, email: str | None, except_id: str | None = None):
    taken = {}
    if login and await db.scalar(select(User.id).where(User.login == login, User.id != (except_id or ""))):
        taken["login"] = "already taken"
    if email and await db.scalar(select(User.id).where(User.email == email, User.id != (except_id or ""))):
        taken["email"] = "already taken"
    if taken:
        raise Conflict("already in use", fields=taken)


async def register(
    sessions: async_sessionmaker,
    settings: Settings,
    login: str,
    password: str,
    email: str | None,
    display_name: str | None,
) -> dict:
    password_hash = await hash_password(password, settings.bcrypt_rounds)
    async with sessions() as db:
        await _ensure_free(db, login, email)
        user = User(login=login, email=email, display_name=display_name or login, password_hash=password_hash)
        db.add(user)
        try:
            await db.flush()
            pair = await _start_session(db, settings, user)
            await db.commit()
        except IntegrityError:  # a concurrent registration won the race
            raise Conflict("login or email already in use") from None
    return pair


async def login(sessions: async_sessionmaker, settings: Settings, login_or_email: str, password: str) -> dict:
    key = login_or_email.strip().lower()
    async with sessions() as db:
        user = await db.scalar(select(User).where(or_(User.login == key, User.email == key)))
        if not await check_password(password, user.password_hash if user else None, settings.bcrypt_rounds):
            raise InvalidCredentials()
        pair = await _start_session(db, settings, user)
        await db.commit()
    return pair


async def refresh(sessions: async_sessionmaker, settings: Settings, token: str) -> dict:
    now = utcnow()
    async with sessions() as db:
        stored = await db.get(RefreshToken, hash_secret(token))
        if stored is None:
            raise Unauthorized("refresh token is not valid")
        login_session = await db.get(LoginSession, stored.session_id)
        if login_session.revoked_at is not None or stored.expires_at < now:
            raise Unauthorized("this sign-in has ended; sign in again")
        # Spend atomically: of two racing refreshes only one sees its update land.
        spent = await db.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == stored.token_hash, RefreshToken.spent_at.is_(None))
            .values(spent_at=now)
        )
        if spent.rowcount != 1:
            # A spent token presented again means it leaked: end the whole sign-in.
            login_session.revoked_at = now
            await db.commit()
            raise SignInRevoked(login_session.id)
        user = await db.get(User, login_session.user_id)
        pair = await _issue_pair(db, settings, user, login_session.id)
        await db.commit()
    return pair


async def logout(sessions: async_sessionmaker, token: str) -> str | None:
    """Ends the sign-in the refresh token belongs to; returns its id (None for unknown tokens)."""
    async with sessions() as db:
        stored = await db.get(RefreshToken, hash_secret(token))
        if stored is None:
            return None
        await db.execute(
            update(LoginSession)
            .where(LoginSession.id == stored.session_id, LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        await db.commit()
        return stored.session_id


async def update_me(sessions: async_sessionmaker, settings: Settings, user_id: str, changes: dict) -> dict:
    new_password = changes.get("password")
    async with sessions() as db:
        user = await db.get(User, user_id)
        if new_password is not None:
            current = changes.get("current_password")
            if not current:
                raise ValidationFailed(
                    "current password is required", fields={"current_password": "required to change the password"}
                )
            if not await check_password(current, user.password_hash, settings.bcrypt_rounds):
                raise InvalidCredentials("current password is wrong")
            user.password_hash = await hash_password(new_password, settings.bcrypt_rounds)
        if "email" in changes:
            await _ensure_free(db, None, changes["email"], except_id=user_id)
            user.email = changes["email"]
        if changes.get("display_name") is not None:
            user.display_name = changes["display_name"]
        try:
            await db.commit()
        except IntegrityError:
            raise Conflict("email already in use", fields={"email": "already taken"}) from None
        return user_json(user)


async def delete_user(sessions: async_sessionmaker, user_id: str) -> None:
    async with sessions() as db:
        await db.execute(delete(User).where(User.id == user_id))
        await db.commit()


async def find_users(sessions: async_sessionmaker, query: str, limit: int) -> list[User]:
    query = query.strip().lower()
    async with sessions() as db:
        exact = await db.get(User, query) if query else None
        prefix = (query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")) + "%"
        found = (
            await db.scalars(select(User).where(User.login.like(prefix, escape="\\")).order_by(User.login).limit(limit))
        ).all()
    return ([exact] if exact else []) + [user for user in found if not exact or user.id != exact.id]


async def get_user(sessions: async_sessionmaker, user_id: str) -> User:
    async with sessions() as db:
        user = await db.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


async def ensure_demo_user(sessions: async_sessionmaker, settings: Settings) -> None:
    """Dev mode only: a known account so a newcomer can sign in at once."""
    async with sessions() as db:
        if await db.scalar(select(User.id).where(User.login == "ilya")):
            return
        db.add(
            User(
                login="ilya",
                email="ilya@example.com",
                display_name="Ilya",
                password_hash=await hash_password("password123", settings.bcrypt_rounds),
            )
        )
        try:
            await db.commit()
        except IntegrityError:
            pass  # another replica created it first


# TEMPORARY copy for wt-rooms (calls/ringing.py uses it); the accounts helper owns the real one.
async def other_user(db: AsyncSession, me_id: str, other_id: str, field: str = "user_id") -> User:
    """Someone else who exists: 400 on `field` for oneself, 404 for an unknown id."""
    if other_id == me_id:
        raise ValidationFailed("that is you; this needs another user", fields={field: "must be another user"})
    other = await db.get(User, other_id) if other_id else None
    if other is None:
        raise NotFound("no user with this id")
    return other
