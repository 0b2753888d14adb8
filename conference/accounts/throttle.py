"""Sign-in and sign-up throttling after OWASP's authentication advice, as decorators of the handlers.

- Per client address: at most `login_rate_per_minute` sign-in attempts a minute, whatever the account.
- Per account and client address: after `login_free_failures_per_client` failures in a row, each
  further attempt waits 1 s, 2 s, 4 s ... up to `login_backoff_max_s`. A success resets the streak.
- Per account from addresses it never signed in from: the same backoff after the higher
  `login_free_failures_per_account`, against guessing from many addresses. An address the account
  signed in (or registered) from skips this one, so nobody can lock a user out of their own sign-in:
  another client's failures never delay it.
- Registration: at most `registrations_per_hour` per client address.

An attempt counts before the password is checked, so parallel guesses cannot slip in between the
check and the count; a success forgets it again. Accounts are keyed by user id (login and email
share one streak); an unknown name gets a streak of its own, so the answers do not tell them apart.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from aiohttp import web
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conference.accounts.models import User
from conference.clientaddr import client_address
from conference.deps import Deps, deps
from conference.errors import RateLimited

STREAK_TTL_S = 24 * 3600  # a streak of failures is forgotten a day after its last attempt
KNOWN_CLIENT_TTL_S = 90 * 24 * 3600  # how long an address counts as one the account signs in from
REGISTRATION_WINDOW_S = 3600


class NamesAnAccount(Protocol):
    login: str


BodyT = TypeVar("BodyT", bound=NamesAnAccount)
AnswerT = TypeVar("AnswerT")
Handler = Callable[[web.Request, BodyT], Awaitable[AnswerT]]


async def account_key(db: async_sessionmaker[AsyncSession], login_or_email: str) -> str:
    name = login_or_email.strip().lower()
    async with db() as session:
        user_id = await session.scalar(select(User.id).where(or_(User.login == name, User.email == name)))
    return f"user:{user_id}" if user_id else f"name:{name}"


class LoginThrottle:
    def __init__(self, deps: Deps):
        self.limiter, self.settings = deps.limiter, deps.settings

    async def before_attempt(self, account: str, client: str) -> None:
        """Counts the attempt, or refuses it with 429 and the seconds to wait."""
        await self.limiter.hit(f"login:{client}", self.settings.login_rate_per_minute)
        await self._backoff(f"login:{account}:{client}", self.settings.login_free_failures_per_client)
        if not await self.limiter.remembers(f"login-known:{account}", client):
            await self._backoff(f"login:{account}", self.settings.login_free_failures_per_account)

    async def succeeded(self, account: str, client: str) -> None:
        pair, whole = f"login:{account}:{client}", f"login:{account}"
        await self.limiter.forget(f"{pair}:streak", f"{pair}:hold", f"{whole}:streak", f"{whole}:hold")
        await self.limiter.remember(f"login-known:{account}", client, KNOWN_CLIENT_TTL_S)

    async def _backoff(self, key: str, free_failures: int) -> None:
        waiting = await self.limiter.held_for(f"{key}:hold")
        if waiting:
            raise RateLimited(waiting)
        streak = await self.limiter.count(f"{key}:streak", STREAK_TTL_S)
        if streak <= free_failures:
            return
        delay = min(self.settings.login_backoff_max_s, 2 ** min(streak - free_failures - 1, 30))
        # Of attempts racing past the check above, only the one that takes the hold goes on.
        if not await self.limiter.hold(f"{key}:hold", delay):
            raise RateLimited(await self.limiter.held_for(f"{key}:hold") or 1)


def login_attempts(handler: Handler[BodyT, AnswerT]) -> Handler[BodyT, AnswerT]:
    """POST /auth/login: throttled before the password is checked; a success resets the streaks."""

    @functools.wraps(handler)
    async def throttled(request: web.Request, body: BodyT) -> AnswerT:
        throttle, client = LoginThrottle(deps(request)), client_address(request)
        account = await account_key(deps(request).db, body.login)
        await throttle.before_attempt(account, client)
        answer = await handler(request, body)  # a wrong password raises: the attempt stays counted
        await throttle.succeeded(account, client)
        return answer

    return throttled


def registration_attempts(handler: Handler[BodyT, AnswerT]) -> Handler[BodyT, AnswerT]:
    """POST /auth/register: limited per client address; the address becomes one the account knows."""

    @functools.wraps(handler)
    async def throttled(request: web.Request, body: BodyT) -> AnswerT:
        settings, client = deps(request).settings, client_address(request)
        await deps(request).limiter.hit(f"register:{client}", settings.registrations_per_hour, REGISTRATION_WINDOW_S)
        answer = await handler(request, body)
        account = await account_key(deps(request).db, body.login)
        await deps(request).limiter.remember(f"login-known:{account}", client, KNOWN_CLIENT_TTL_S)
        return answer

    return throttled
