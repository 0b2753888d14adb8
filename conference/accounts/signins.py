"""A short memory of sign-ins already checked against the database.

Every request still verifies its access token's signature and expiry; what is remembered for a
few seconds is only the database's answer to "is this sign-in still open, and who is it".
Logout, refresh-token reuse, profile changes and account deletion forget the entry on this
replica at once; another replica notices within `ttl_s`."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conference.accounts.models import User


class SignInCache:
    def __init__(self, ttl_s: float = 5.0, max_entries: int = 50_000):
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._by_session: dict[str, tuple[float, User]] = {}

    def get(self, session_id: str, user_id: str) -> User | None:
        entry = self._by_session.get(session_id)
        if entry is None:
            return None
        expires, user = entry
        if expires < time.monotonic() or user.id != user_id:
            self._by_session.pop(session_id, None)
            return None
        return user

    def put(self, session_id: str, user: User) -> None:
        if len(self._by_session) >= self.max_entries:
            self._by_session.clear()  # rare; cheaper than an LRU on the hot path
        self._by_session[session_id] = (time.monotonic() + self.ttl_s, user)

    def forget_session(self, session_id: str | None) -> None:
        if session_id:
            self._by_session.pop(session_id, None)

    def forget_user(self, user_id: str) -> None:
        for session_id in [sid for sid, (_, user) in self._by_session.items() if user.id == user_id]:
            self._by_session.pop(session_id, None)
