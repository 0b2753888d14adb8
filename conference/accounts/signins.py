"""A short memory of sign-ins already checked against the database.

Every request still verifies its access token's signature and expiry; what is remembered for a
few seconds is only the database's answer to "is this sign-in still open, and who is it".
Logout, refresh-token reuse, profile changes and account deletion forget the entry on this
replica at once; another replica notices within `ttl_s`. Entries read near the end of their
life are refreshed in the background (see conference/ttlcache.py), so a busy user's requests do
not wait for the database every `ttl_s`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from conference.ttlcache import TtlCache

if TYPE_CHECKING:
    from conference.accounts.models import User


class SignInCache:
    def __init__(self, ttl_s: float = 5.0, max_entries: int = 50_000):
        self.ttl_s = ttl_s
        self._by_session: TtlCache[str, User] = TtlCache(ttl_s, max_entries)

    def get(self, session_id: str, user_id: str) -> User | None:
        user = self._by_session.get(session_id)
        return user if user is not None and user.id == user_id else None

    def put(self, session_id: str, user: User) -> None:
        self._by_session.put(session_id, user)

    async def recall(self, session_id: str, user_id: str, load: Callable[[], Awaitable[User | None]]) -> User | None:
        """The open sign-in's user, from memory or from `load` (which checks the database)."""
        user = await self._by_session.recall(session_id, load)
        return user if user is not None and user.id == user_id else None

    def forget_session(self, session_id: str | None) -> None:
        if session_id:
            self._by_session.forget(session_id)

    def forget_user(self, user_id: str) -> None:
        self._by_session.forget_where(lambda _, user: user.id == user_id)
