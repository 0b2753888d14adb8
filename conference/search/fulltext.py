"""Full-text search over the messages a person can read: room chat of the rooms they are a member of,
their direct messages and the messages of their groups.

SQLite matches through FTS5 tables (`<table>_fts`, external content kept in step by triggers, Porter
stemming for English); PostgreSQL through a GIN index over Russian and English tsvectors of the
content, so "встречи" finds "встреча" and "meetings" finds "meeting". Both tables and index are made by
migration 0010_groups_search. Each kind is one indexed query newest first; the pages are merged in
Python by (created_at, kind, id) so a cursor continues exactly where the previous page stopped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, ColumnElement, String, and_, case, column, func, literal_column, or_, select, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import TableClause

from conference.accounts.models import User
from conference.accounts.schemas import Person
from conference.chat.models import ChatMessage, DirectMessage
from conference.deps import Deps
from conference.errors import ValidationFailed
from conference.groups.membership import group_ids_of
from conference.groups.models import Group, GroupMessage
from conference.rooms.models import Room
from conference.rooms.service import room_ids_of
from conference.search.schemas import MessageKind, SearchHit, SearchResults, SnippetPart

KINDS: tuple[MessageKind, ...] = ("room", "dm", "group")  # their rank breaks ties of created_at
START, STOP = "\x02", "\x03"  # around matches in a snippet; message content never holds control characters
# ShortWord=0: short words at the ends of a snippet stay (by default ts_headline drops words of 3 letters).
HEADLINE_OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, ShortWord=0"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

MessageModel = type[ChatMessage] | type[DirectMessage] | type[GroupMessage]


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    rank: int
    message_id: int

    def encode(self) -> str:
        micros = (self.created_at - EPOCH) // timedelta(microseconds=1)
        return f"{micros}.{self.rank}.{self.message_id}"


def parse_cursor(raw: str) -> Cursor:
    match = re.fullmatch(r"(\d{1,18})\.([0-2])\.(\d{1,18})", raw)
    if match is None:
        raise ValidationFailed("query is not valid", fields={"before": "not a cursor from next_before"})
    micros, rank, message_id = (int(part) for part in match.groups())
    return Cursor(EPOCH + timedelta(microseconds=micros), rank, message_id)


def fts_words(words: str) -> str:
    """The FTS5 query for plain words: each one quoted (so no word acts as an operator), all required."""
    tokens = re.findall(r"\w+", words)
    if not tokens:
        raise ValidationFailed("query is not valid", fields={"q": "needs at least one letter or digit"})
    return " ".join('"' + token.replace('"', '""') + '"' for token in tokens[:32])


@dataclass(frozen=True)
class Found:
    kind: MessageKind
    row: Any
    sender: User | None
    snippet: str

    @property
    def key(self) -> tuple[datetime, int, int]:
        return (self.row.created_at, KINDS.index(self.kind), self.row.id)


async def search(deps: Deps, user_id: str, words: str, before: Cursor | None, limit: int) -> SearchResults:
    fts_query = fts_words(words)  # refuses a query with no word at all, on both databases
    async with deps.db() as db:
        postgres = db.get_bind().dialect.name == "postgresql"
        room_ids = await room_ids_of(db, user_id)
        found: list[Found] = []
        models: tuple[tuple[MessageKind, MessageModel], ...] = (
            ("room", ChatMessage),
            ("dm", DirectMessage),
            ("group", GroupMessage),
        )
        for kind, model in models:
            match, snippet = _postgres_match(model, words) if postgres else _sqlite_match(model, fts_query)
            # The page's ids first, sorted with nothing but their keys; the snippets only for them after.
            if postgres:
                # The matches through the GIN index first, then who may read them: left to itself the planner
                # may walk the reader's messages and compute every one's tsvector instead.
                matches = select(model).where(match).cte(f"matches_{kind}").prefix_with("MATERIALIZED")
                entity: Any = aliased(model, matches)
                page_ids = select(entity.id)
            else:
                entity, fts = model, _fts_table(model)
                page_ids = select(model.id).join(fts, fts.c.rowid == model.id).where(match)
            page_ids = page_ids.where(_readable(kind, entity, user_id, room_ids))
            if before is not None:
                page_ids = page_ids.where(_older_than(entity, KINDS.index(kind), before))
            page_ids = page_ids.order_by(entity.created_at.desc(), entity.id.desc()).limit(limit + 1)
            query = (
                select(model, User, snippet)
                .outerjoin(User, User.id == model.sender_id)
                .where(model.id.in_(page_ids.scalar_subquery()))
            )
            if not postgres:  # snippet() needs the MATCH in its own query
                query = query.join(_fts_table(model), _fts_table(model).c.rowid == model.id).where(match)
            found += [Found(kind, row, sender, text_) for row, sender, text_ in (await db.execute(query)).all()]
        found.sort(key=lambda hit: hit.key, reverse=True)
        page = found[:limit]
        titles = await _titles(db, user_id, page)
    items = [
        SearchHit(
            kind=hit.kind,
            conversation_id=_conversation_of(hit, user_id),
            conversation_title=titles.get((hit.kind, _conversation_of(hit, user_id)), ""),
            message_id=hit.row.id,
            sender=Person.model_validate(hit.sender) if hit.sender is not None else None,
            created_at=hit.row.created_at,
            snippet=snippet_parts(hit.snippet),
        )
        for hit in page
    ]
    more = len(found) > limit
    return SearchResults(items=items, next_before=Cursor(*page[-1].key).encode() if more and page else None)


def _fts_table(model: MessageModel) -> TableClause:
    return table(f"{model.__tablename__}_fts", column("rowid"))


def _sqlite_match(model: MessageModel, fts_query: str) -> tuple[ColumnElement[bool], ColumnElement[str]]:
    fts: ColumnElement[Any] = literal_column(f"{model.__tablename__}_fts")
    snippet = func.snippet(fts, 0, func.char(2), func.char(3), "…", 16, type_=String)
    return fts.op("MATCH", return_type=Boolean)(fts_query), snippet


def _regconfig(name: str) -> ColumnElement[Any]:
    return literal_column(f"'{name}'::regconfig")


def _postgres_match(model: MessageModel, words: str) -> tuple[ColumnElement[bool], ColumnElement[str]]:
    # The index's expression: to_tsvector('russian', content) || to_tsvector('english', content).
    vector = func.to_tsvector(_regconfig("russian"), model.content).op("||")(
        func.to_tsvector(_regconfig("english"), model.content)
    )
    query = func.plainto_tsquery(_regconfig("russian"), words).op("||")(
        func.plainto_tsquery(_regconfig("english"), words)
    )
    headline = func.ts_headline(_regconfig("russian"), model.content, query, HEADLINE_OPTIONS, type_=String)
    return vector.op("@@", return_type=Boolean)(query), headline


def _readable(kind: MessageKind, message: Any, user_id: str, room_ids: list[str]) -> ColumnElement[bool]:
    """Messages this user may read, of one kind (`message` is the table or an alias of it)."""
    condition: ColumnElement[bool]
    if kind == "room":
        condition = message.room_id.in_(room_ids)
    elif kind == "dm":
        condition = or_(message.sender_id == user_id, message.recipient_id == user_id)
    else:
        condition = and_(message.group_id.in_(group_ids_of(user_id)), message.deleted_at.is_(None))
    return condition


def _older_than(model: Any, rank: int, cursor: Cursor) -> ColumnElement[bool]:
    """Rows after the cursor in (created_at, kind, id) descending order."""
    created_at: ColumnElement[datetime] = model.created_at
    if rank < cursor.rank:
        return created_at <= cursor.created_at
    if rank > cursor.rank:
        return created_at < cursor.created_at
    return or_(created_at < cursor.created_at, and_(created_at == cursor.created_at, model.id < cursor.message_id))


def _conversation_of(hit: Found, user_id: str) -> str:
    if hit.kind == "room":
        return str(hit.row.room_id)
    if hit.kind == "group":
        return str(hit.row.group_id)
    return str(hit.row.recipient_id if hit.row.sender_id == user_id else hit.row.sender_id)


async def _titles(db: AsyncSession, user_id: str, page: list[Found]) -> dict[tuple[str, str], str]:
    wanted: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for hit in page:
        wanted[hit.kind].add(_conversation_of(hit, user_id))
    titles: dict[tuple[str, str], str] = {}
    for room_id, name in (await db.execute(select(Room.id, Room.name).where(Room.id.in_(wanted["room"])))).all():
        titles["room", room_id] = name
    people = await db.execute(
        select(User.id, case((User.display_name != "", User.display_name), else_=User.login)).where(
            User.id.in_(wanted["dm"])
        )
    )
    for peer_id, name in people.all():
        titles["dm", peer_id] = name
    for group_id, title in (await db.execute(select(Group.id, Group.title).where(Group.id.in_(wanted["group"])))).all():
        titles["group", group_id] = title
    return titles


def snippet_parts(snippet: str) -> list[SnippetPart]:
    """`a \x02b\x03 c` -> [a , b (hit), c]: the client marks the hits without parsing any markup."""
    parts: list[SnippetPart] = []
    for piece in re.split(f"({START}[^{STOP}]*{STOP})", snippet):
        if piece.startswith(START):
            parts.append(SnippetPart(text=piece.strip(START + STOP), hit=True))
        elif piece:
            parts.append(SnippetPart(text=piece, hit=False))
    return parts
