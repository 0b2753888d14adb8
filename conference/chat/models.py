"""Tables of the chat domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, PrimaryKeyConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from conference.db import Base, BigId, UtcDateTime, utcnow


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_room_id_id", "room_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    room_id: Mapped[str] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    sender_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # content is cleared; the row is the marker
    reply_to_id: Mapped[int | None] = mapped_column(BigId)  # no foreign key: a gone original quotes as null


class DirectMessage(Base):
    __tablename__ = "direct_messages"
    __table_args__ = (
        Index("ix_direct_messages_pair", "sender_id", "recipient_id", "id"),
        Index("ix_direct_messages_recipient", "recipient_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recipient_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content: Mapped[str] = mapped_column(Text)
    client_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # content is cleared; the row is the marker
    reply_to_id: Mapped[int | None] = mapped_column(BigId)  # no foreign key: a gone original quotes as null


class MessageReaction(Base):
    """One person's emoji on one message; `kind` names the message table (room, dm, group)."""

    __tablename__ = "message_reactions"
    __table_args__ = (PrimaryKeyConstraint("kind", "message_id", "user_id", "emoji"),)

    kind: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[int] = mapped_column(BigId)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    emoji: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ReadPosition(Base):
    """The newest message a person has read in one conversation (a room's chat, a group)."""

    __tablename__ = "read_positions"
    __table_args__ = (PrimaryKeyConstraint("user_id", "kind", "conversation_id"),)

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    conversation_id: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[int] = mapped_column(BigId)
