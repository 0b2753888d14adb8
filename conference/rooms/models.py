"""Tables of the rooms domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from conference.db import Base, BigId, UtcDateTime, utcnow


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(
        String(8), default="room"
    )  # room | call (a direct call's) | group (a group call's)
    host_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    api_key_id: Mapped[str | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(8), default="active")  # active | ended
    max_participants: Mapped[int] = mapped_column(Integer, default=50)
    waiting_room: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who may come in without an account: off | lobby (a host admits them) | open. Rooms made before
    # guests existed stay off; new ones default to lobby.
    guest_access: Mapped[str] = mapped_column(String(8), default="lobby", server_default="off")
    # A scheduled meeting (rooms/schedule.py): only hosts before starts_at; it ends itself at expires_at.
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # Media is end-to-end encrypted; the key lives only in the link's fragment, never here.
    e2ee: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RoomMember(Base):
    """A user's standing in a room. `state`: joined, left, waiting (lobby), denied, removed."""

    __tablename__ = "room_members"

    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(16), default="participant")
    state: Mapped[str] = mapped_column(String(16), default="joined")
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class RaisedHand(Base):
    """A hand up in a room's call; the id orders the queue (first raised, first in line)."""

    __tablename__ = "raised_hands"
    __table_args__ = (UniqueConstraint("room_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
