"""What a connecting socket gets before live events: the events it missed since `after`, or (for a client
that saw none) what is still pending for it; and whether its `after` can be honoured at all.

A resume reads each audience's events through its index, `(user_id, id)` for the user's own and
`(room_id, id)` for the rooms they are in, from `after` on: its cost follows what the user missed,
not the size of the log. An `after` older than the oldest event kept (the retention sweep deleted what
followed it) or from another event log (a reset database) cannot be replayed: the client gets a
`resync` frame and reloads what its pages show over HTTP, then resumes from the `ready` frame's id."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from conference.calls import ringing
from conference.chat import direct
from conference.deps import Deps
from conference.realtime.events import frame_of
from conference.realtime.hub import Envelope
from conference.realtime.models import Event
from conference.realtime.schemas import Resync
from conference.realtime.stream import PAGE, client_text
from conference.rooms.service import room_ids_of

if TYPE_CHECKING:
    from conference.realtime.socket import Connection


async def resume_point(deps: Deps, after: int | None, cursor: int) -> tuple[int | None, Resync | None]:
    """The `after` to replay from, or None and the `resync` to send when it cannot be replayed."""
    if after is None:
        return None, None
    async with deps.db() as db:
        oldest, newest = (await db.execute(select(func.min(Event.id), func.max(Event.id)))).one()
    newest = max(cursor, newest or 0)
    if after > newest:
        return None, Resync(reason="unknown_cursor")
    # The retention sweep deletes the oldest events and never the newest (retention.py), so every id
    # between `after` and the oldest kept one was deleted, or never existed.
    if after + 1 < (oldest if oldest is not None else newest + 1):
        return None, Resync(reason="expired")
    return after, None


def page_queries(user_id: str, room_ids: list[str], after: int, cursor: int) -> list[Select[Event]]:
    """One query per audience, each an index range read in id order (tests EXPLAIN these)."""
    window = (Event.id > after, Event.id <= cursor)
    queries = [select(Event).where(Event.user_id == user_id, *window).order_by(Event.id).limit(PAGE)]
    if room_ids:
        queries.append(select(Event).where(Event.room_id.in_(room_ids), *window).order_by(Event.id).limit(PAGE))
    return queries


async def _page(db: AsyncSession, user_id: str, after: int, cursor: int) -> list[Envelope]:
    events: dict[int, Event] = {}
    for query in page_queries(user_id, await room_ids_of(db, user_id), after, cursor):
        events.update((event.id, event) for event in await db.scalars(query))
    # The first PAGE of the union by id lies within the first PAGE of each audience.
    return [frame_of(events[event_id]) for event_id in sorted(events)[:PAGE]]


async def replay_missed(deps: Deps, connection: Connection, after: int, cursor: int) -> None:
    """Every event for this user with after < id <= cursor, in id order; the stream delivers what follows."""
    last = after
    while last < cursor:
        async with deps.db() as db:
            page = await _page(db, connection.user_id, last, cursor)
        for envelope in page:
            await connection.send_now(client_text(envelope), envelope)
        if len(page) < PAGE:
            return
        last = page[-1]["id"]


async def replay_pending(deps: Deps, connection: Connection, cursor: int) -> None:
    """For a client that saw no event yet: direct messages not delivered and calls still ringing."""
    for envelope in await _pending(deps, connection.user_id, cursor):
        await connection.send_now(client_text(envelope), envelope)


async def _pending(deps: Deps, user_id: str, cursor: int) -> list[Envelope]:
    """Direct messages not yet delivered and calls still ringing, as their original events."""
    async with deps.db() as db:
        undelivered, dm_since = await direct.undelivered_to(db, user_id)
        rings, ring_since = await ringing.ringing_for(db, user_id)
        if not undelivered and not rings:
            return []
        # Each event is written in the same transaction as its row, a moment after it.
        since = min(t for t in (dm_since, ring_since) if t is not None) - timedelta(seconds=5)
        events = await db.scalars(
            select(Event)
            .where(
                Event.user_id == user_id,
                Event.type.in_(("dm.message", "call.ring")),
                Event.id <= cursor,
                Event.created_at >= since,
            )
            .order_by(Event.id)
        )
        pending = []
        for event in events:
            key = event.data.get("id")
            if (event.type == "dm.message" and key in undelivered) or (event.type == "call.ring" and key in rings):
                pending.append(frame_of(event))
        return pending
