"""Sign-ins as the rest of the app sees them, and a short memory of those already checked.

Every request still verifies its access token's signature and expiry; what is remembered for a
few seconds is only the database's answer to "is this sign-in still open, and who is it".
When sign-ins end (logout, refresh-token reuse, a password change, account deletion) the
accounts domain sends a `SignInsEnded` notice through the hub: every replica forgets them at once,
and closes the sockets they opened (realtime/signin_watch.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from conference.realtime.hub import Notice

if TYPE_CHECKING:
    from conference.accounts.models import User

EndReason = Literal["logout", "revoked", "password_changed", "deleted", "guest_ended"]


@dataclass(frozen=True)
class SignIn:
    """Who is calling, through which sign-in (login session), until when their access token is valid."""

    user: User
    session_id: str
    expires_at: int  # the access token's `exp`, seconds since the epoch


class SignInsEnded(Notice):
    """Sign-ins of one user that ended: the listed ones, or all of them (`session_ids` None) except `keep`."""

    kind = "signins.ended"
    user_id: str
    session_ids: list[str] | None = None
    keep: str | None = None
    reason: EndReason

    def ends(self, user_id: str, session_id: str) -> bool:
        if user_id != self.user_id or session_id == self.keep:
            return False
        return self.session_ids is None or session_id in self.session_ids


class SignInCache:
    def __init__(self, ttl_s: float = 5.0, max_entries: int = 50_000):
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._by_session: dict[str, tuple[float, User]] = {}
        # Grows with every forget: an answer read from the database before a forget is not kept after it.
        self.generation = 0

    def get(self, session_id: str, user_id: str) -> User | None:
        entry = self._by_session.get(session_id)
        if entry is None:
            return None
        expires, user = entry
        if expires < time.monotonic() or user.id != user_id:
            self._by_session.pop(session_id, None)
            return None
        return user

    def put(self, session_id: str, user: User, read_at_generation: int) -> None:
        """Remembers what the database said, unless something was forgotten since it was asked."""
        if read_at_generation != self.generation:
            return
        if len(self._by_session) >= self.max_entries:
            self._by_session.clear()  # rare; cheaper than an LRU on the hot path
        self._by_session[session_id] = (time.monotonic() + self.ttl_s, user)

    def forget_session(self, session_id: str | None) -> None:
        self.generation += 1
        if session_id:
            self._by_session.pop(session_id, None)

    def forget_user(self, user_id: str) -> None:
        self.generation += 1
        for session_id in [sid for sid, (_, user) in self._by_session.items() if user.id == user_id]:
            self._by_session.pop(session_id, None)

    def forget_ended(self, ended: SignInsEnded) -> None:
        self.generation += 1
        for session_id in [sid for sid, (_, user) in self._by_session.items() if ended.ends(user.id, sid)]:
            self._by_session.pop(session_id, None)

    async def ended(self, ended: SignInsEnded) -> None:
        """The hub's listener: the notice reached this replica."""
        self.forget_ended(ended)
