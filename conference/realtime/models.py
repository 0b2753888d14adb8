"""The event log: every pushed event is stored first, so a reconnecting client can replay it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from conference.db import Base, BigId, UtcDateTime, utcnow


class Event(Base):
    """One event for a room's members (room_id) or for one user (user_id)."""

    __tablename__ = "events"
    # Replay reads one audience's events in id order: (user_id, id) for a user's own, (room_id, id) for
    # a room's. Each also serves lookups by its first column (the foreign keys' cascades).
    __table_args__ = (
        Index("ix_events_user_id_id", "user_id", "id"),
        Index("ix_events_room_id_id", "room_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(32))
    room_id: Mapped[str | None] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)  # retention prunes by it
