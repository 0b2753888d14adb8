"""Tables of the recordings domain: one row per recording, which is also the recorder's job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from conference.db import Base, UtcDateTime, utcnow

# A job a worker still owes something: to start it, to write it, or to finish the file.
ACTIVE_STATUSES = ("starting", "recording", "processing")
_ACTIVE_SQL = "status IN ('starting', 'recording', 'processing')"


class Recording(Base):
    """A recording of a room, and the job of the worker that writes it.

    `status`: starting (waiting for a worker, or joining) -> recording -> processing (stopped,
    the file is being finished) -> ready; failed when nothing usable came out; interrupted when
    the worker died and its heartbeat lapsed (the partial file is kept, it plays up to the crash)."""

    __tablename__ = "recordings"
    __table_args__ = (
        Index("ix_recordings_status_heartbeat", "status", "heartbeat_at"),
        # One active recording per room, kept by the database itself against two hosts clicking at once.
        Index(
            "uq_recordings_room_active",
            "room_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
    )

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    started_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    layout: Mapped[str] = mapped_column(String(8), default="grid")  # grid | speaker
    audio_only: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="starting")
    backend: Mapped[str] = mapped_column(String(8), default="builtin")  # builtin | egress
    # The worker holding the job and its last sign of life; another worker finalizes a lapsed one.
    worker_id: Mapped[str | None] = mapped_column(String(64))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stop_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    file_key: Mapped[str | None] = mapped_column(String(200))  # where storage keeps the file
    content_type: Mapped[str] = mapped_column(String(32), default="video/mp4")
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    duration_s: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    egress_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the first frame written
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the file finished (or given up)
