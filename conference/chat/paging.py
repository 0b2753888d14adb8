"""History pages of a conversation: the newest, older than `before`, newer than `after`, or a window
`around` one message (jumping to the original of a reply)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aiohttp import web
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from conference.errors import NotFound, ValidationFailed
from conference.routing import query_int

MAX_ID = 2**62


@dataclass(frozen=True)
class PageCursor:
    before: int | None = None
    after: int | None = None
    around: int | None = None
    limit: int = 50


M = TypeVar("M")  # the message row
S = TypeVar("S")  # its sender


@dataclass(frozen=True)
class Window(Generic[M, S]):
    rows: list[tuple[M, S]]  # oldest to newest
    next_before: int | None
    next_after: int | None


def page_cursor(request: web.Request) -> PageCursor:
    """At most one of `before`, `after`, `around` (message ids), and `limit`."""
    given = {
        name: query_int(request, name, 0, 1, MAX_ID)
        for name in ("before", "after", "around")
        if request.query.get(name)
    }
    if len(given) > 1:
        fields = {name: "give only one of before, after, around" for name in given}
        raise ValidationFailed("query is not valid", fields=fields)
    return PageCursor(**given, limit=query_int(request, "limit", 50, 1, 100))


async def window(db: AsyncSession, query: Select[M, S], id_column: Any, cursor: PageCursor) -> Window[M, S]:
    """`query` selects the conversation's (message, sender) rows; `id_column` pages through them."""

    async def fetch(where: Any, order: Any, count: int) -> list[tuple[M, S]]:
        rows = (await db.execute(query.where(where).order_by(order).limit(count))).all()
        return [(row[0], row[1]) for row in rows]

    limit = cursor.limit
    if cursor.around is not None:
        if not await fetch(id_column == cursor.around, id_column, 1):
            raise NotFound("no message with this id in this conversation")
        older_n = limit // 2
        older = await fetch(id_column < cursor.around, id_column.desc(), older_n + 1)
        newer_n = limit - min(len(older), older_n)
        newer = await fetch(id_column >= cursor.around, id_column, newer_n + 1)
        rows = [*reversed(older[:older_n]), *newer[:newer_n]]
        more_older, more_newer = len(older) > older_n, len(newer) > newer_n
        return Window(rows, _first_id(rows) if more_older else None, _last_id(rows) if more_newer else None)
    if cursor.after is not None:
        newer = await fetch(id_column > cursor.after, id_column, limit + 1)
        rows = newer[:limit]
        return Window(rows, _first_id(rows), _last_id(rows) if len(newer) > limit else None)
    older = await fetch(id_column < (cursor.before or MAX_ID), id_column.desc(), limit + 1)
    rows = list(reversed(older[:limit]))
    return Window(rows, _first_id(rows) if len(older) > limit else None, None)


def _first_id(rows: list[tuple[Any, Any]]) -> int | None:
    return int(rows[0][0].id) if rows else None


def _last_id(rows: list[tuple[Any, Any]]) -> int | None:
    return int(rows[-1][0].id) if rows else None
