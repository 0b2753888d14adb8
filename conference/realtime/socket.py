"""GET /api/v1/ws?ticket=…: one WebSocket per signed-in client — replay of what it missed, then live
events, and the frames a client sends (chat.send, dm.send, typing, read, ping, renew).

The ticket comes from POST /api/v1/ws/ticket (tickets.py); an `Authorization: Bearer` header is
accepted too, for clients that can set one (browsers cannot). A token in the URL is refused."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import WSCloseCode, WSMessage, WSMsgType, web
from pydantic import BaseModel

from conference.accounts.auth import bearer_of, signin_of_access_token
from conference.accounts.signins import SignIn
from conference.chat import direct
from conference.deps import DEPS, Deps
from conference.errors import ApiError, Unauthorized
from conference.realtime import frames, replay
from conference.realtime.hub import Envelope
from conference.realtime.presence import Presence
from conference.realtime.schemas import FRAMES, Ready
from conference.realtime.signin_watch import CLOSE_UNAUTHORIZED, SignInWatch
from conference.realtime.stream import EventStream
from conference.realtime.tickets import signin_of_ticket

log = logging.getLogger("conference.realtime")

MAX_FRAME = 64 * 1024  # a 4000-character message, escaped, fits; more closes with 1009
MAX_PENDING = 1000  # frames queued for a client that does not read; beyond it, it must resume
CLOSE_TOO_MANY = 4429  # the user already has `sockets_per_user` open

STREAM = web.AppKey("event_stream", EventStream)
PRESENCE = web.AppKey("presence", Presence)
CONNECTIONS = web.AppKey("connections", set["Connection"])
SIGNIN_WATCH = web.AppKey("signin_watch", SignInWatch)


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
        self, signin: SignIn, ws: web.WebSocketResponse, deps: Deps, transport: asyncio.Transport | None = None
    ) -> None:
        self.user = signin.user
        self.user_id = signin.user.id
        self.id = uuid.uuid4().hex  # counted against the user's socket limit under this id
        # The sign-in the socket lives on and when its access token expires (a `renew` moves both).
        self.session_id = signin.session_id
        self.expires_at = signin.expires_at
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
        self._end: tuple[int, str] | None = None  # set by `end`: the close code and reason
        self._receiving: asyncio.Future[WSMessage] | None = None
        self._writer_idle = False  # waiting for the outbox, not in the middle of a write

    def push(self, event_id: int | None, text: str, envelope: Envelope | None) -> None:
        if self.closing:
            return
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
        delivered (a database write) go through the outbox. An ended or closing socket gets nothing."""
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
        self._enqueue(reply_text(type_, data), None)

    def close_after_flush(self, code: int, reason: bytes) -> None:
        """Closes once what is already queued (say, the errors that explain why) is written."""
        self.closing = True
        self._outbox.append(_Close(code, reason))
        self._ready.set()

    def end(self, code: int, reason: str) -> None:
        """Closes now, dropping whatever is still queued: the sign-in behind the socket ended, so
        nothing more may reach it. The handler's task does the closing (see `incoming`)."""
        if self._end is not None:
            return
        self._end = (code, reason)
        self.closing = True
        self._outbox.clear()
        self._held.clear()
        self._ready.set()
        if self._receiving is not None:
            self._receiving.cancel()

    def ended(self) -> bool:
        return self._end is not None

    async def incoming(self) -> AsyncIterator[WSMessage]:
        """The client's messages until it closes, or until `end` is called; then the socket is closed
        here, in the reading task, because aiohttp drops the connection without waiting for the
        client's close frame when another task closes it mid-read (clients would see 1006)."""
        while not self.ended():
            self._receiving = asyncio.ensure_future(self.ws.receive())
            try:
                message = await self._receiving
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not self.ended() or (task is not None and task.cancelling()):
                    raise  # the handler itself is being cancelled (the peer went away)
                break
            finally:
                self._receiving = None
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return
            yield message
        if self._end is not None and not self.ws.closed:
            code, reason = self._end
            await self.ws.close(code=code, message=reason.encode()[:120])

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
        if self._end is not None or self.ws.closed:
            return  # ended meanwhile (say, during replay): nothing more goes out
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


def reply_text(type_: str, data: BaseModel) -> str:
    if type(data) is not FRAMES.get(type_):
        raise TypeError(f"a {type_} frame cannot carry {type(data).__name__}")
    return json.dumps({"type": type_, "data": data.model_dump(mode="json")}, separators=(",", ":"))


async def websocket(request: web.Request) -> web.WebSocketResponse:
    heartbeat = request.app[DEPS].settings.ws_heartbeat_s
    # No permessage-deflate: fan-out would compress every frame once per connection.
    ws = web.WebSocketResponse(heartbeat=heartbeat, max_msg_size=MAX_FRAME, compress=False)
    await ws.prepare(request)  # accept first, so a browser sees the close code below
    try:
        signin = await _signed_in(request)
    except ApiError as error:
        await ws.close(code=CLOSE_UNAUTHORIZED, message=error.message.encode()[:120])
        return ws
    app = request.app
    deps = app[DEPS]
    connection = Connection(signin, ws, deps, request.transport)
    if not await deps.hub.claim_socket(connection.user_id, connection.id, deps.settings.sockets_per_user):
        limit = deps.settings.sockets_per_user
        message = f"too many open connections (at most {limit} per user); close one first"
        await ws.send_str(reply_text("error", frames.error("rate_limited", message)))
        await ws.close(code=CLOSE_TOO_MANY, message=message.encode()[:120])
        return ws
    try:
        return await _serve(app, connection, request)
    finally:
        await asyncio.shield(deps.hub.release_socket(connection.user_id, connection.id))


async def _serve(app: web.Application, connection: Connection, request: web.Request) -> web.WebSocketResponse:
    deps, stream, ws = app[DEPS], app[STREAM], connection.ws
    after, after_problem = _after_of(request)
    after, resync = await replay.resume_point(deps, after, stream.cursor)
    app[CONNECTIONS].add(connection)
    cursor = stream.attach(connection)
    connection.last_id = max(cursor, after or 0)
    connection.resumed_from = after
    try:
        await app[PRESENCE].opened(connection.user_id)
        if resync is not None:  # what it missed is gone: it reloads, then resumes from `ready`
            await connection.send_now(reply_text("resync", resync), None)
        if after is None:
            await replay.replay_pending(deps, connection, cursor)
        else:
            await replay.replay_missed(deps, connection, after, cursor)
        await connection.send_now(_ready_text(connection, max(cursor, after or 0)), None)
        connection.go_live()
        if after_problem:
            connection.reply("error", frames.error("validation_failed", after_problem))
        async for message in connection.incoming():
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


async def _signed_in(request: web.Request) -> SignIn:
    deps = request.app[DEPS]
    if "access_token" in request.query:
        raise Unauthorized("a token in the URL is refused: POST /api/v1/ws/ticket, then connect with ?ticket=")
    ticket = request.query.get("ticket", "").strip()
    if ticket:
        claims = await deps.tickets.redeem(ticket)
        if claims is None:
            raise Unauthorized("this ticket is spent, expired or not valid; get a new one")
        return await signin_of_ticket(deps, claims)
    token = bearer_of(request)
    if token is not None:
        return await signin_of_access_token(deps, token)
    raise Unauthorized("sign in first: the ticket is missing (POST /api/v1/ws/ticket, then ?ticket=)")


def _after_of(request: web.Request) -> tuple[int | None, str | None]:
    raw = request.query.get("after", "").strip()
    if not raw:
        return None, None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # "¹" is a digit to isdigit()
        return None, "after must be the id of an event you received; replay skipped"
    return int(raw), None


async def start(app: web.Application) -> None:
    """Called by app.py once the hub and Deps exist."""
    deps = app[DEPS]
    app[CONNECTIONS] = set()
    app[STREAM] = EventStream(deps.db, deps.hub)
    app[PRESENCE] = Presence(deps)
    app[SIGNIN_WATCH] = SignInWatch(deps, app[CONNECTIONS])
    await app[STREAM].start()
    app[SIGNIN_WATCH].start()


async def stop(app: web.Application) -> None:
    await app[SIGNIN_WATCH].close()
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
