"""GET /api/v1/ws: one WebSocket per signed-in client — replay of what it missed, then live events,
and the frames a client sends (chat.send, dm.send, typing, read, ping)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from dataclasses import dataclass
from datetime import timedelta

from aiohttp import WSCloseCode, WSMsgType, web
from pydantic import BaseModel
from sqlalchemy import func, select

from conference.accounts.auth import bearer_of, user_of_access_token
from conference.accounts.models import User
from conference.calls import ringing
from conference.chat import direct
from conference.deps import DEPS, Deps
from conference.errors import ApiError, Unauthorized
from conference.realtime import frames
from conference.realtime.events import frame_of
from conference.realtime.hub import Envelope
from conference.realtime.models import Event
from conference.realtime.presence import Presence
from conference.realtime.schemas import FRAMES, Ready
from conference.realtime.stream import PAGE, EventStream, audience_filter, client_text

log = logging.getLogger("conference.realtime")

MAX_FRAME = 64 * 1024  # a 4000-character message, escaped, fits; more closes with 1009
MAX_PENDING = 1000  # frames queued for a client that does not read; beyond it, it must resume
CLOSE_UNAUTHORIZED = 4401

STREAM = web.AppKey("event_stream", EventStream)
PRESENCE = web.AppKey("presence", Presence)
CONNECTIONS = web.AppKey("connections", set["Connection"])


@dataclass(frozen=True)
class _Close:
    """Queued behind the frames that explain why."""

    code: int
    reason: bytes


Outgoing = tuple[str, Envelope | None] | _Close


class Connection:
    """One open socket: an ordered outbox written by its own task, so a slow reader never
    holds up the stream, and ids only grow."""

    def __init__(
        self, user: User, ws: web.WebSocketResponse, deps: Deps, transport: asyncio.Transport | None = None
    ) -> None:
        self.user = user
        self.user_id = user.id
        self.ws = ws
        self.deps = deps
        self.transport = transport  # the socket's, to see whether writes are backing up (uvloop's too)
        self.last_id = 0
        self.sent_max = 0  # highest event id written to the socket
        self.resumed_from: int | None = None  # the client's `after`
        self.replaying = True
        self.closing = False
        self.limiter = frames.FrameBudget()
        self._held: list[tuple[str, Envelope | None]] = []
        self._outbox: deque[Outgoing] = deque()
        self._ready = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._writer_idle = False  # waiting for the outbox, not in the middle of a write

    def push(self, event_id: int | None, text: str, envelope: Envelope | None) -> None:
        if event_id is not None:
            if event_id <= self.last_id:
                return  # already replayed or delivered
            self.last_id = event_id
        if self.replaying:
            self._held.append((text, envelope))
        else:
            self._enqueue(text, envelope)

    async def deliver(self, event_id: int | None, text: str, envelope: Envelope | None) -> None:
        """push(), but written at once when the frame would be the next one out anyway and the socket
        keeps up: a fan-out to a thousand sockets then costs a thousand writes instead of a thousand
        writer-task switches as well (bench/ws_fanout.py). The write cannot wait here: the socket's
        buffer is empty, so aiohttp's writer does not drain, and frames that mark a direct message
        delivered (a database write) go through the outbox."""
        writable = self._writer_idle and not self._outbox and not self.replaying and not self.closing
        if (
            not writable
            or self.ws.closed
            or self.transport is None
            or self.transport.get_write_buffer_size() > 0
            or (envelope is not None and direct.is_undelivered_to(envelope, self.user_id))
        ):
            self.push(event_id, text, envelope)
            return
        if event_id is not None:
            if event_id <= self.last_id:
                return
            self.last_id = event_id
        try:
            await self.send_now(text, envelope)
        except (ConnectionError, RuntimeError):
            pass  # the socket went away; the reader notices and cleans up

    def reply(self, type_: str, data: BaseModel) -> None:
        """A frame for this connection only (ack, error, pong): no id, not stored."""
        if type(data) is not FRAMES.get(type_):
            raise TypeError(f"a {type_} frame cannot carry {type(data).__name__}")
        self._enqueue(json.dumps({"type": type_, "data": data.model_dump(mode="json")}, separators=(",", ":")), None)

    def close_after_flush(self, code: int, reason: bytes) -> None:
        """Closes once what is already queued (say, the errors that explain why) is written."""
        self.closing = True
        self._outbox.append(_Close(code, reason))
        self._ready.set()

    def _enqueue(self, text: str, envelope: Envelope | None) -> None:
        if len(self._outbox) >= MAX_PENDING:
            self._outbox.clear()
            asyncio.ensure_future(
                self.ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"client too slow; reconnect with after")
            )
            return
        self._outbox.append((text, envelope))
        self._ready.set()

    async def send_now(self, text: str, envelope: Envelope | None) -> None:
        await self.ws.send_str(text)
        if envelope is not None and envelope.get("id") is not None:
            self.sent_max = max(self.sent_max, envelope["id"])
        if envelope is not None and direct.is_undelivered_to(envelope, self.user_id):
            await direct.mark_delivered(self.deps, envelope["data"]["id"], self.user_id)

    def go_live(self) -> None:
        self.replaying = False
        held, self._held = self._held, []
        for text, envelope in held:
            self._enqueue(text, envelope)
        self._writer = asyncio.create_task(self._write())

    async def _write(self) -> None:
        try:
            while not self.ws.closed:
                if not self._outbox:
                    self._ready.clear()
                    self._writer_idle = True
                    await self._ready.wait()
                    self._writer_idle = False
                    continue
                outgoing = self._outbox.popleft()
                if isinstance(outgoing, _Close):
                    await self.ws.close(code=outgoing.code, message=outgoing.reason)
                    return
                await self.send_now(*outgoing)
        except (ConnectionError, RuntimeError):
            pass  # the socket went away; the reader notices and cleans up
        except Exception:
            log.exception("writer of a connection of %s failed", self.user_id)
            await self.ws.close(code=WSCloseCode.INTERNAL_ERROR, message=b"server error")

    async def stop(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            await asyncio.gather(self._writer, return_exceptions=True)


async def websocket(request: web.Request) -> web.WebSocketResponse:
    heartbeat = request.app[DEPS].settings.ws_heartbeat_s
    # No permessage-deflate: fan-out would compress every frame once per connection.
    ws = web.WebSocketResponse(heartbeat=heartbeat, max_msg_size=MAX_FRAME, compress=False)
    await ws.prepare(request)  # accept first, so a browser sees the close code below
    try:
        user = await _signed_in(request)
    except ApiError as error:
        await ws.close(code=CLOSE_UNAUTHORIZED, message=error.message.encode()[:120])
        return ws
    after, after_problem = _after_of(request)
    app = request.app
    deps, stream = app[DEPS], app[STREAM]
    if after is not None and after > stream.cursor and after > await _newest_event_id(deps):
        after = None  # a cursor from another event log (a reset database): start afresh
    connection = Connection(user, ws, deps, request.transport)
    app[CONNECTIONS].add(connection)
    cursor = stream.attach(connection)
    connection.last_id = max(cursor, after or 0)
    connection.resumed_from = after
    try:
        await app[PRESENCE].opened(user.id)
        await _replay(deps, connection, after, cursor)
        await connection.send_now(_ready_text(connection, max(cursor, after or 0)), None)
        connection.go_live()
        if after_problem:
            connection.reply("error", frames.error("validation_failed", after_problem))
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                await frames.handle(connection, app[STREAM], message.data)
            elif message.type == WSMsgType.BINARY:
                await frames.handle(connection, app[STREAM], None)
            elif message.type == WSMsgType.ERROR:
                break
    finally:
        stream.detach(connection)
        app[CONNECTIONS].discard(connection)
        # Shielded: aiohttp may cancel this handler once the peer is gone, and the count of
        # the user's connections must still go down.
        await asyncio.shield(_closed(app, connection))
    return ws


async def _closed(app: web.Application, connection: Connection) -> None:
    await connection.stop()
    await app[PRESENCE].closed(connection.user_id)


def _ready_text(connection: Connection, position: int) -> str:
    """Replay is over and live events follow. Its id is the stream position the replay reached
    (when the client does not know it yet), so a client that saw no event still has a cursor."""
    frame = {"type": "ready", "data": Ready(user_id=connection.user_id).model_dump(mode="json")}
    if connection.resumed_from is None or position > max(connection.sent_max, connection.resumed_from):
        frame = {"id": str(position), **frame}
    return json.dumps(frame, separators=(",", ":"))


async def _signed_in(request: web.Request) -> User:
    token = bearer_of(request) or request.query.get("access_token", "").strip()
    if not token:
        raise Unauthorized("sign in first: access_token is missing")
    return await user_of_access_token(request.app[DEPS], token)


async def _newest_event_id(deps: Deps) -> int:
    async with deps.db() as db:
        newest: int | None = await db.scalar(select(func.max(Event.id)))
    return newest or 0


def _after_of(request: web.Request) -> tuple[int | None, str | None]:
    raw = request.query.get("after", "").strip()
    if not raw:
        return None, None
    if not raw.isdigit() or len(raw) > 18:
        return None, "after must be the id of an event you received; replay skipped"
    return int(raw), None


async def _replay(deps: Deps, connection: Connection, after: int | None, cursor: int) -> None:
    """Everything for this user with after < id <= cursor; the stream delivers what follows.
    A client that never saw an event (no `after`) gets what is still pending for it."""
    if after is None:
        for envelope in await _pending(deps, connection.user_id, cursor):
            await connection.send_now(client_text(envelope), envelope)
        return
    last = after
    while last < cursor:
        async with deps.db() as db:
            page = [
                frame_of(event)
                for event in await db.scalars(
                    select(Event)
                    .where(Event.id > last, Event.id <= cursor, audience_filter(connection.user_id))
                    .order_by(Event.id)
                    .limit(PAGE)
                )
            ]
        for envelope in page:
            await connection.send_now(client_text(envelope), envelope)
        if len(page) < PAGE:
            return
        last = page[-1]["id"]


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


async def start(app: web.Application) -> None:
    """Called by app.py once the hub and Deps exist."""
    deps = app[DEPS]
    app[CONNECTIONS] = set()
    app[STREAM] = EventStream(deps.db, deps.hub)
    app[PRESENCE] = Presence(deps)
    await app[STREAM].start()


async def stop(app: web.Application) -> None:
    await app[STREAM].close()


async def _going_away(app: web.Application) -> None:
    await asyncio.gather(
        *(
            connection.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")
            for connection in list(app.get(CONNECTIONS, ()))
        ),
        return_exceptions=True,
    )


def register(app: web.Application) -> None:
    app.router.add_get("/api/v1/ws", websocket)
    app.on_shutdown.append(_going_away)
