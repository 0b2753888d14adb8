"""Account rules: registration, sign-in, refresh rotation with reuse detection, profile, lookup."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conference.accounts.models import LoginSession, RefreshToken, User
from conference.accounts.passwords import check_password, hash_password
from conference.accounts.schemas import Account, PeopleFound, Person, PersonOnline, Profile, SignedIn, UpdateMe
from conference.accounts.signins import EndReason, SignIn, SignInsEnded
from conference.accounts.tokens import hash_secret, issue_access_token, new_refresh_token
from conference.chat.extras import forget_direct_reactions_of
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import Conflict, InvalidCredentials, NotFound, Unauthorized, ValidationFailed
from conference.settings import Settings


class SignInRevoked(Unauthorized):
    """A spent refresh token came back: the whole sign-in is ended."""

    def __init__(self, session_id: str):
        super().__init__("refresh token was already used; this sign-in has been revoked")
        self.session_id = session_id


async def other_user(db: AsyncSession, me_id: str, other_id: str, field: str = "user_id") -> User:
    """Another user who exists: whom to add, message, call or type to. `field` names the input
    that carried `other_id`, for the error's `fields`."""
    if other_id == me_id:
        raise ValidationFailed("this must be another user", fields={field: "must be another user"})
    other = await db.get(User, other_id) if other_id else None
    if other is None or other.guest:  # a guest has no contacts, messages or calls outside its room
        raise NotFound("no user with this id")
    return other


async def _issue_pair(db: AsyncSession, settings: Settings, user: User, login_session: LoginSession) -> SignedIn:
    refresh = new_refresh_token()
    db.add(
        RefreshToken(
            token_hash=hash_secret(refresh),
            session_id=login_session.id,
            # Rotation does not extend the sign-in: every refresh token of it ends when it does.
            expires_at=signin_ends_at(settings, login_session),
        )
    )
    return SignedIn(
        user=Account.model_validate(user),
        access_token=issue_access_token(settings.jwt_secret, user.id, login_session.id, settings.access_token_ttl_s),
        refresh_token=refresh,
        expires_in=settings.access_token_ttl_s,
    )


def signin_ends_at(settings: Settings, login_session: LoginSession) -> datetime:
    return login_session.created_at + timedelta(seconds=settings.refresh_token_ttl_s)


async def _start_session(db: AsyncSession, settings: Settings, user: User) -> SignedIn:
    login_session = LoginSession(user_id=user.id, created_at=utcnow())
    db.add(login_session)
    await db.flush()
    return await _issue_pair(db, settings, user, login_session)


async def _ensure_free(db: AsyncSession, login: str | None, email: str | None, except_id: str = "") -> None:
    taken = {}
    if login and await db.scalar(select(User.id).where(User.login == login, User.id != except_id)):
        taken["login"] = "already taken"
    if email and await db.scalar(select(User.id).where(User.email == email, User.id != except_id)):
        taken["email"] = "already taken"
    if taken:
        raise Conflict("already in use", fields=taken)


async def register(deps: Deps, login: str, password: str, email: str | None, display_name: str | None) -> SignedIn:
    # A taken login or email is refused before the (slow on purpose) hash is computed.
    async with deps.db() as db:
        await _ensure_free(db, login, email)
    password_hash = await hash_password(password, deps.settings.bcrypt_rounds)
    async with deps.db() as db:
        user = User(login=login, email=email, display_name=display_name or login, password_hash=password_hash)
        db.add(user)
        try:
            await db.flush()
            signed_in = await _start_session(db, deps.settings, user)
            await db.commit()
        except IntegrityError:  # a concurrent registration won the race
            raise Conflict("login or email already in use") from None
    return signed_in


async def login(deps: Deps, login_or_email: str, password: str) -> SignedIn:
    key = login_or_email.strip().lower()
    async with deps.db() as db:
        user = await db.scalar(
            select(User).where(or_(User.login == key, User.email == key), User.guest_room_id.is_(None))
        )
    # The hash is slow on purpose: no connection waits for it, so a burst of sign-ins cannot empty the pool.
    known = await check_password(password, user.password_hash if user else None, deps.settings.bcrypt_rounds)
    if user is None or not known:
        raise InvalidCredentials()
    async with deps.db() as db:
        signed_in = await _start_session(db, deps.settings, user)  # reads only the user's loaded fields
        await db.commit()
    return signed_in


async def refresh(deps: Deps, token: str) -> SignedIn:
    now = utcnow()
    async with deps.db() as db:
        stored = await db.get(RefreshToken, hash_secret(token))
        if stored is None:
            raise Unauthorized("refresh token is not valid")
        login_session = await db.get(LoginSession, stored.session_id)
        if (
            login_session is None
            or login_session.revoked_at is not None
            or stored.expires_at < now
            or signin_ends_at(deps.settings, login_session) <= now
        ):
            raise Unauthorized("this sign-in has ended; sign in again")
        # Spend atomically: of two racing refreshes only one sees its update land.
        spent = await db.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == stored.token_hash, RefreshToken.spent_at.is_(None))
            .values(spent_at=now)
        )
        if cast(CursorResult[Any], spent).rowcount != 1:
            # A spent token presented again means it leaked: end the whole sign-in.
            login_session.revoked_at = now
            await db.commit()
            await end_signins(deps, login_session.user_id, "revoked", session_ids=[login_session.id])
            raise SignInRevoked(login_session.id)
        user = await db.get(User, login_session.user_id)
        if user is None:  # deleted meanwhile; the session row goes with it
            raise Unauthorized("this sign-in has ended; sign in again")
        signed_in = await _issue_pair(db, deps.settings, user, login_session)
        await db.commit()
    return signed_in


async def logout(deps: Deps, token: str) -> None:
    """Ends the sign-in the refresh token belongs to (an unknown token changes nothing)."""
    async with deps.db() as db:
        stored = await db.get(RefreshToken, hash_secret(token))
        if stored is None:
            return
        login_session = await db.get(LoginSession, stored.session_id)
        if login_session is None:
            return
        if login_session.revoked_at is None:
            login_session.revoked_at = utcnow()
        await db.commit()
    await end_signins(deps, login_session.user_id, "logout", session_ids=[login_session.id])


async def end_signins(
    deps: Deps, user_id: str, reason: EndReason, *, session_ids: list[str] | None = None, keep: str | None = None
) -> None:
    """After the database says so: this replica forgets those sign-ins now, every replica (this one
    included) forgets them and closes their sockets when the hub's notice arrives."""
    ended = SignInsEnded(user_id=user_id, session_ids=session_ids, keep=keep, reason=reason)
    deps.signins.forget_ended(ended)
    await deps.hub.notify(ended)


async def update_me(deps: Deps, signin: SignIn, change: UpdateMe) -> Account:
    rounds = deps.settings.bcrypt_rounds
    user_id = signin.user.id
    async with deps.db() as db:
        user = await db.get(User, user_id)
        if user is None:
            raise Unauthorized("this account no longer exists")
        if change.password is not None:
            if not change.current_password:
                raise ValidationFailed(
                    "current password is required", fields={"current_password": "required to change the password"}
                )
            if not await check_password(change.current_password, user.password_hash, rounds):
                raise InvalidCredentials("current password is wrong")
            user.password_hash = await hash_password(change.password, rounds)
            # Whoever knew the old password is signed out everywhere; this sign-in stays.
            await db.execute(
                update(LoginSession)
                .where(
                    LoginSession.user_id == user_id,
                    LoginSession.id != signin.session_id,
                    LoginSession.revoked_at.is_(None),
                )
                .values(revoked_at=utcnow())
            )
        if "email" in change.model_fields_set:
            await _ensure_free(db, None, change.email, except_id=user_id)
            user.email = change.email
        if change.display_name is not None:
            user.display_name = change.display_name
        try:
            await db.commit()
        except IntegrityError:
            raise Conflict("email already in use", fields={"email": "already taken"}) from None
    deps.signins.forget_user(user_id)  # the next request reads the new name
    if change.password is not None:
        await end_signins(deps, user_id, "password_changed", keep=signin.session_id)
    return Account.model_validate(user)


async def delete_user(deps: Deps, user_id: str, password: str) -> None:
    async with deps.db() as db:
        user = await db.get(User, user_id)
        if user is None:
            raise Unauthorized("this account no longer exists")
        if not await check_password(password, user.password_hash, deps.settings.bcrypt_rounds):
            raise InvalidCredentials("password is wrong")
        await forget_direct_reactions_of(db, user_id)
        await db.execute(delete(User).where(User.id == user_id))
        await db.commit()
    await end_signins(deps, user_id, "deleted")


async def find_users(deps: Deps, query: str, limit: int) -> PeopleFound:
    """By exact id first, then by login prefix."""
    query = query.strip().lower()
    async with deps.db() as db:
        exact = await db.get(User, query) if query else None
        exact = exact if exact is not None and not exact.guest else None
        prefix = (query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")) + "%"
        people = select(User).where(User.login.like(prefix, escape="\\"), User.guest_room_id.is_(None))
        found = (await db.scalars(people.order_by(User.login).limit(limit))).all()
    users = ([exact] if exact else []) + [user for user in found if not exact or user.id != exact.id]
    online = await deps.hub.online([user.id for user in users])
    return PeopleFound(
        items=[PersonOnline(**Person.model_validate(user).model_dump(), online=user.id in online) for user in users]
    )


async def profile(deps: Deps, user_id: str) -> Profile:
    async with deps.db() as db:
        user = await db.get(User, user_id)
    if user is None or user.guest:
        raise NotFound("no such user")
    online = await deps.hub.online([user.id])
    return Profile(**Person.model_validate(user).model_dump(), online=user.id in online, last_seen_at=user.last_seen_at)


async def ensure_demo_user(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """Dev mode only: a known account so a newcomer can sign in at once (runs before Deps exists)."""
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
