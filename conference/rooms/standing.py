"""A few seconds' memory of (room, user) -> room status, member state and role, for the token path.

Every ORM change to a room or a membership, committed through this app's sessions, forgets the
affected entries on this replica at once (SQLAlchemy session events); other replicas see a
change within `ttl_s`. A removed person who still mints a token in that window is put out again
by the webhook check (`moderation.enforce_admission`)."""

from __future__ import annotations

import time
from typing import Any, NamedTuple

from sqlalchemy import event
from sqlalchemy.orm import Session

from conference.rooms.models import Room, RoomMember


class Standing(NamedTuple):
    status: str  # the room's
    state: str | None  # the membership's; None when the user never came near the room
    role: str | None
    max_participants: int  # the room's, for LiveKit's CreateRoom


class StandingCache:
    def __init__(self, ttl_s: float = 3.0, max_entries: int = 100_000):
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[tuple[str, str], tuple[float, Standing]] = {}

    def get(self, room_id: str, user_id: str) -> Standing | None:
        entry = self._entries.get((room_id, user_id))
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, room_id: str, user_id: str, standing: Standing) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[(room_id, user_id)] = (time.monotonic() + self.ttl_s, standing)

    def forget(self, room_id: str, user_id: str | None = None) -> None:
        if user_id is not None:
            self._entries.pop((room_id, user_id), None)
            return
        for key in [key for key in self._entries if key[0] == room_id]:
            del self._entries[key]

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
