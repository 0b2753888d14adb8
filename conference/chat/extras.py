"""What a message (room chat, direct or group) shows beside its own row: the quote of the message it
replies to, its reactions and its files, read for a whole page at once (three queries, whatever the page size)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, cast

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.chat.models import ChatMessage, DirectMessage, MessageReaction
from conference.chat.reactions import REACTIONS
from conference.chat.schemas import Quote, ReactionCount
from conference.errors import MessageDeleted, NotFound
from conference.groups.models import GroupMessage
from conference.uploads.schemas import Attachment

Kind = Literal["room", "dm", "group"]
MessageRow = ChatMessage | DirectMessage | GroupMessage
EXCERPT = 140
TABLES: dict[Kind, type[ChatMessage] | type[DirectMessage] | type[GroupMessage]] = {
    "room": ChatMessage,
    "dm": DirectMessage,
    "group": GroupMessage,
}


@dataclass(frozen=True)
class Extras:
    quotes: dict[int, Quote] = field(default_factory=dict)  # original's id -> its quote
    reactions: dict[int, list[ReactionCount]] = field(default_factory=dict)  # message id -> counts
    attachments: dict[int, list[Attachment]] = field(default_factory=dict)  # message id -> its files

    def quote_for(self, row: MessageRow) -> Quote | None:
        return self.quotes.get(row.reply_to_id) if row.reply_to_id is not None else None

    def reactions_for(self, row: MessageRow) -> list[ReactionCount]:
        return self.reactions.get(row.id, [])

    def attachments_for(self, row: MessageRow) -> list[Attachment]:
        return self.attachments.get(row.id, [])


NO_EXTRAS = Extras()


def require_original(original: MessageRow | None, in_conversation: bool) -> None:
    """The message a reply quotes: in the same conversation (checked by the caller) and not deleted."""
    if original is None or not in_conversation:
        raise NotFound("no message with this id in this conversation", fields={"reply_to": "not in this conversation"})
    if original.deleted_at is not None:
        raise MessageDeleted("the message you reply to was deleted")


def quote_of(row: MessageRow, sender: User | None) -> Quote:
    deleted = row.deleted_at is not None
    return Quote(
        id=row.id,
        sender=Person.model_validate(sender) if sender is not None else None,
        excerpt="" if deleted else row.content[:EXCERPT],
        deleted=deleted,
    )


async def reactions_of(db: AsyncSession, kind: Kind, ids: Iterable[int]) -> dict[int, list[ReactionCount]]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await db.execute(
        select(MessageReaction.message_id, MessageReaction.emoji, MessageReaction.user_id)
        .where(MessageReaction.kind == kind, MessageReaction.message_id.in_(wanted))
        .order_by(MessageReaction.created_at, MessageReaction.user_id)
    )
    who: dict[int, dict[str, list[str]]] = {}
    for message_id, emoji, user_id in rows:
        who.setdefault(message_id, {}).setdefault(emoji, []).append(user_id)
    return {
        message_id: [
            ReactionCount(emoji=emoji, count=len(by_emoji[emoji]), user_ids=by_emoji[emoji])
            for emoji in REACTIONS
            if emoji in by_emoji
        ]
        for message_id, by_emoji in who.items()
    }


async def quotes_of(db: AsyncSession, kind: Kind, ids: Iterable[int]) -> dict[int, Quote]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    table = TABLES[kind]
    query = select(table, User).outerjoin(User, User.id == table.sender_id).where(table.id.in_(wanted))
    found = cast(Iterable[tuple[MessageRow, User | None]], await db.execute(query))
    return {row.id: quote_of(row, sender) for row, sender in found}


async def extras_of(db: AsyncSession, kind: Kind, rows: Sequence[MessageRow]) -> Extras:
    quotes = await quotes_of(db, kind, (row.reply_to_id for row in rows if row.reply_to_id is not None))
    alive = [row.id for row in rows if row.deleted_at is None]
    reactions = await reactions_of(db, kind, alive)
    from conference.uploads.service import attachments_of  # uploads reads chat's tables to check readers

    return Extras(quotes, reactions, dict(await attachments_of(db, kind, alive)))


async def forget_direct_reactions_of(db: AsyncSession, user_id: str) -> None:
    """Before a user is deleted (their direct messages go by cascade): the reactions on those messages,
    which have no foreign key to them. SQLite may give a later message a freed id; no reaction may carry over."""
    theirs = select(DirectMessage.id).where(
        or_(DirectMessage.sender_id == user_id, DirectMessage.recipient_id == user_id)
    )
    await db.execute(
        delete(MessageReaction).where(MessageReaction.kind == "dm", MessageReaction.message_id.in_(theirs))
    )
