"""Sign-ins as the rest of the app sees them, and a short memory of those already checked.

Every request still verifies its access token's signature and expiry; what is remembered for a
few seconds is only the database's answer to "is this sign-in still open, and who is it".
When sign-ins end (logout, refresh-token reuse, a password change, account deletion) the
accounts domain sends a `SignInsEnded` notice through the hub: every replica forgets them at once,
and closes the sockets they opened (realtime/signin_watch.py). Entries read near the end of their life
are refreshed in the background (conference/ttlcache.py), so a busy user's requests do not wait for
the database every `ttl_s`; a forget also keeps a load already in flight from being stored or shared."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from conference.realtime.hub import Notice
from conference.ttlcache import TtlCache

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
        self._by_session: TtlCache[str, User] = TtlCache(ttl_s, max_entries)

    @property
    def generation(self) -> int:
        """Grows with every forget: an answer read from the database before a forget is not kept after it."""
        return self._by_session.generation

    def get(self, session_id: str, user_id: str) -> User | None:
        user = self._by_session.get(session_id)
        return user if user is not None and user.id == user_id else None

    def put(self, session_id: str, user: User, read_at_generation: int) -> None:
        """Remembers what the database said, unless something was forgotten since it was asked."""
        self._by_session.put(session_id, user, read_at_generation)

    async def recall(self, session_id: str, user_id: str, load: Callable[[], Awaitable[User | None]]) -> User | None:
        """The open sign-in's user, from memory or from `load` (which checks the database)."""
        user = await self._by_session.recall(session_id, load)
        return user if user is not None and user.id == user_id else None

    def forget_session(self, session_id: str | None) -> None:
        if session_id:
            self._by_session.forget(session_id)
        else:
            self._by_session.generation += 1  # nothing to drop; loads in flight are still not kept

    def forget_user(self, user_id: str) -> None:
        self._by_session.forget_where(lambda _, user: user.id == user_id)

    def forget_ended(self, ended: SignInsEnded) -> None:
        self._by_session.forget_where(lambda session_id, user: ended.ends(user.id, session_id))

    async def ended(self, ended: SignInsEnded) -> None:
        """The hub's listener: the notice reached this replica."""
        self.forget_ended(ended)
