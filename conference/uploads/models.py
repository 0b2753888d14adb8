"""Tables of the uploads domain: one row per uploaded file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from conference.db import Base, UtcDateTime, utcnow


class Upload(Base):
    """A stored file. Its owner alone sees it until a message takes it (`kind` + `message_id`, one
    message per upload); from then on whoever can read that message. `detached_at` marks a file whose
    message was deleted: nobody reads it any more, and the sweep removes the file and the row."""

    __tablename__ = "uploads"
    __table_args__ = (
        Index("ix_uploads_message", "kind", "message_id"),
        Index("ix_uploads_owner_created", "owner_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    # SET NULL, not CASCADE: a deleted account's files in room chat stay with their messages, and the
    # sweep finds (and removes the files of) the rest; a cascade would lose the rows and leak the files.
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(String(100))
    thumbnail_key: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    kind: Mapped[str | None] = mapped_column(String(8))  # "room" | "dm" | "group", with message_id
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    detached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
