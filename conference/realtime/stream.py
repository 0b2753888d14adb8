"""This replica's ordered event stream: events reach local connections in id order, once.

Envelopes arrive from the hub in whatever order their publishers finished; the stream keeps a
cursor (the highest id handed out) and only moves it forward over ids it has seen in a row.
When an id is missing (a publisher still on its way, a rolled-back transaction, a replica
that died between commit and publish) it reads the log from the database instead, which is
always right because event ids become visible in order (see `lock_event_log`). A slow poll
does the same, so a lost publish delays an event by at most `POLL_S`, never drops it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import Result, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conference.errors import database_is_down
from conference.realtime.events import frame_of
from conference.realtime.hub import Envelope, Hub
from conference.realtime.models import Event
from conference.rooms.models import Room, RoomMember
from conference.rooms.service import MEMBER_STATES

if TYPE_CHECKING:
    from conference.realtime.socket import Connection

log = logging.getLogger("conference.realtime")
POLL_S = 1.0
PAGE = 500


def client_text(envelope: Envelope) -> str:
    """The frame a client receives: ids travel as strings, the audience stays on the server."""
    frame: dict[str, object] = {"type": envelope["type"], "data": envelope["data"]}
    if envelope.get("id") is not None:
        frame = {"id": str(envelope["id"]), **frame}
    return json.dumps(frame, separators=(",", ":"))


class EventStream:
    def __init__(self, db: async_sessionmaker[AsyncSession], hub: Hub) -> None:
        self.db = db
        self.hub = hub
        self.cursor = 0
        self.by_user: dict[str, set[Connection]] = {}
        self._inbox: dict[int, Envelope] = {}
        self._wake = asyncio.Event()
        self._read_log = False
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.hub.listeners.append(self.receive)  # listen first: nothing is missed while reading
        async with self.db() as db:
            self.cursor = await db.scalar(select(func.max(Event.id))) or 0
        self._tasks = [
            asyncio.create_task(self._pump(), name="event-pump"),
            asyncio.create_task(self._poll(), name="event-poll"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.receive in self.hub.listeners:
            self.hub.listeners.remove(self.receive)

    # ------------------------------------------------------------------ connections
    def attach(self, connection: Connection) -> int:
        """Adds a connection; it gets every event above the returned cursor from the stream."""
        self.by_user.setdefault(connection.user_id, set()).add(connection)
        return self.cursor

    def detach(self, connection: Connection) -> None:
        mine = self.by_user.get(connection.user_id)
        if mine is not None:
            mine.discard(connection)
            if not mine:
                del self.by_user[connection.user_id]

    # ------------------------------------------------------------------ intake
    async def receive(self, envelope: Envelope) -> None:
        if envelope.get("id") is None:  # ephemeral: typing, presence
            text = client_text(envelope)
            for user_id in envelope.get("user_ids") or []:
                for connection in list(self.by_user.get(user_id, ())):
                    await connection.deliver(None, text, envelope)
            return
        event_id = int(envelope["id"])
        if event_id > self.cursor:
            self._inbox[event_id] = {**envelope, "id": event_id}
            self._wake.set()

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            self._read_log = True
            self._wake.set()

    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._drain()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a database hiccup: the next wake or poll tries again
                if database_is_down(error):
                    log.warning("event stream waits for the database at %s", self.cursor)
                else:
                    log.exception("event stream could not advance past %s", self.cursor)
                await asyncio.sleep(0.2)
                self._read_log = True
                self._wake.set()

    async def _drain(self) -> None:
        while True:
            batch: list[Envelope] = []
            while self.cursor + len(batch) + 1 in self._inbox:
                batch.append(self._inbox.pop(self.cursor + len(batch) + 1))
            gap = any(event_id > self.cursor + len(batch) for event_id in self._inbox)
            if (gap or self._read_log) and not batch:
                self._read_log = False
                batch = await self._read_after(self.cursor)
                if not batch and gap:
                    # A published event is committed before it is published, so a read that
                    # started after it arrived would see it: these envelopes are not ours.
                    log.warning("dropping %d envelopes that are not in the event log", len(self._inbox))
                    self._inbox.clear()
            if not batch:
                return
            await self._dispatch(batch)
            for event_id in [i for i in self._inbox if i <= self.cursor]:
                del self._inbox[event_id]

    async def _read_after(self, cursor: int) -> list[Envelope]:
        async with self.db() as db:
            events = await db.scalars(select(Event).where(Event.id > cursor).order_by(Event.id).limit(PAGE))
            return [frame_of(event) for event in events]

    # ------------------------------------------------------------------ fan-out
    async def _dispatch(self, envelopes: list[Envelope]) -> None:
        # Move the cursor before any await: a connection attaching meanwhile replays these
        # from the database, and the duplicates it might also get here are dropped by id.
        # Put it back when the audience cannot be read (the database went away): nothing was
        # handed out, and the next round reads these events from the log again.
        before, self.cursor = self.cursor, envelopes[-1]["id"]
        rooms = {e["room_id"] for e in envelopes if e.get("room_id")}
        try:
            members = await self.members_of(rooms) if rooms and self.by_user else {}
        except BaseException:
            self.cursor = before
            raise
        for envelope in envelopes:
            audience: Iterable[str]
            if envelope.get("room_id"):
                audience = members.get(envelope["room_id"], ())
            else:
                audience = (envelope["user_id"],)
            text = None
            for user_id in audience:
                for connection in list(self.by_user.get(user_id, ())):
                    text = text or client_text(envelope)
                    await connection.deliver(envelope["id"], text, envelope)

    async def members_of(self, room_ids: set[str]) -> dict[str, set[str]]:
        """Who belongs to these rooms now: hosts and people let in (one round trip)."""
        members: dict[str, set[str]] = {room_id: set() for room_id in room_ids}
        joined = select(RoomMember.room_id, RoomMember.user_id).where(
            RoomMember.room_id.in_(room_ids), RoomMember.state.in_(MEMBER_STATES)
        )
        hosts = select(Room.id, Room.host_id).where(Room.id.in_(room_ids), Room.host_id.is_not(None))
        async with self.db() as db:
            rows: Result[str, str] = await db.execute(union_all(joined, hosts))
        for room_id, user_id in rows:
            members[room_id].add(user_id)
        return members
