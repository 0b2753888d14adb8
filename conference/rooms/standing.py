"""A few seconds' memory of (room, user) -> room status, member state and role, for the token path.

Every ORM change to a room or a membership, committed through this app's sessions, forgets the
affected entries on this replica at once (SQLAlchemy session events). Changes of power (a role
changed, someone removed or turned away, a room ended) are also sent to every replica as a
`StandingChanged` notice through the hub, so no replica keeps a demoted co-host a host; other
changes reach other replicas within `ttl_s`. A removed person who still mints a token in that window
is put out again by the webhook check (`moderation.enforce_admission`). Entries read near the end of
their life are refreshed in the background (conference/ttlcache.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from sqlalchemy import event
from sqlalchemy.orm import Session

from conference.realtime.hub import Notice
from conference.rooms.models import Room, RoomMember
from conference.ttlcache import TtlCache


class Standing(NamedTuple):
    status: str  # the room's
    state: str | None  # the membership's; None when the user never came near the room
    role: str | None
    max_participants: int  # the room's, for LiveKit's CreateRoom


class StandingChanged(Notice):
    """A user's standing in a room changed (`user_id`), or the room's own (None: everyone's)."""

    kind = "standing.changed"
    room_id: str
    user_id: str | None = None


class StandingCache:
    def __init__(self, ttl_s: float = 3.0, max_entries: int = 100_000):
        self.ttl_s = ttl_s
        self._entries: TtlCache[tuple[str, str], Standing] = TtlCache(ttl_s, max_entries)

    @property
    def generation(self) -> int:
        """Grows with every forget: an answer read from the database before a forget is not kept after it."""
        return self._entries.generation

    def get(self, room_id: str, user_id: str) -> Standing | None:
        return self._entries.get((room_id, user_id))

    def put(self, room_id: str, user_id: str, standing: Standing, read_at_generation: int) -> None:
        self._entries.put((room_id, user_id), standing, read_at_generation)

    async def recall(
        self, room_id: str, user_id: str, load: Callable[[], Awaitable[Standing | None]]
    ) -> Standing | None:
        """The standing from memory, or from `load` (None when the room does not exist)."""
        return await self._entries.recall((room_id, user_id), load)

    def forget(self, room_id: str, user_id: str | None = None) -> None:
        if user_id is not None:
            self._entries.forget((room_id, user_id))
        else:
            self._entries.forget_where(lambda key, _: key[0] == room_id)

    async def changed(self, notice: StandingChanged) -> None:
        """The hub's listener: a change made on some replica (this one too) reached this one."""
        self.forget(notice.room_id, notice.user_id)

    def watch(self, session_class: type[Session]) -> None:
        """Forget what a session changed, once it commits (and again on flush, for readers in between)."""

        def changed(session: Session) -> list[tuple[str, str | None]]:
            keys: list[tuple[str, str | None]] = []
            for obj in (*session.new, *session.dirty, *session.deleted):
                if isinstance(obj, RoomMember):
                    keys.append((obj.room_id, obj.user_id))
                elif isinstance(obj, Room):
                    keys.append((obj.id, None))
            return keys

        @event.listens_for(session_class, "before_flush")
        def _collect(session: Session, _context: Any, _instances: Any) -> None:
            pending = session.info.setdefault("standing_changes", [])
            pending.extend(changed(session))
            for key in pending:
                self.forget(*key)

        @event.listens_for(session_class, "after_commit")
        def _forget(session: Session) -> None:
            for key in session.info.pop("standing_changes", []):
                self.forget(*key)

        @event.listens_for(session_class, "after_rollback")
        def _drop(session: Session) -> None:
            session.info.pop("standing_changes", None)
