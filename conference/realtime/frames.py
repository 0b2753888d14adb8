"""Frames a client sends over /ws: their schemas, the per-connection budget, and what each does.

A bad frame is answered with an `error` frame and the connection stays open; only a client
that keeps flooding after being told is closed (1008)."""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Annotated, Literal

from aiohttp import WSCloseCode
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from conference import throttles
from conference.accounts.schemas import Person
from conference.accounts.service import other_user
from conference.chat import direct
from conference.chat import rooms as room_chat
from conference.chat.schemas import MAX_CONTENT
from conference.errors import ApiError, DatabaseUnavailable, Forbidden, RateLimited, Unauthorized, database_is_down
from conference.realtime.events import ephemeral
from conference.realtime.schemas import Ack, FrameError, Pong, Renewed
from conference.realtime.schemas import Typing as TypingNotice
from conference.realtime.tickets import signin_of_ticket
from conference.rooms.service import require_member
from conference.routing import reject_control_characters
from conference.uploads.schemas import MAX_ATTACHMENTS

if TYPE_CHECKING:
    from conference.realtime.socket import Connection
    from conference.realtime.stream import EventStream

log = logging.getLogger("conference.realtime")

FRAMES_PER_S = 20.0  # sustained; a burst of FRAME_BURST is fine
FRAME_BURST = 40
STRIKES_BEFORE_CLOSE = 30  # frames refused for flooding before the connection is closed
TYPING_EVERY_S = 2.0  # at most one typing event per target per this many seconds


class Frame(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)
    client_id: str | None = Field(default=None, max_length=64)
    _no_control_characters = field_validator("*")(reject_control_characters)


# Upload ids (POST /uploads), checked as the HTTP body's are: mine, not attached yet, at most ten.
Attachments = Annotated[
    list[Annotated[str, Field(max_length=64)]], Field(default_factory=list, max_length=MAX_ATTACHMENTS)
]


class ChatSend(Frame):
    """`content` may be empty when the message carries attachments (as NewMessage over HTTP)."""

    type: Literal["chat.send"]
    room_id: str = Field(min_length=1, max_length=32)
    content: str = Field(default="", max_length=MAX_CONTENT)
    reply_to: int | None = Field(default=None, ge=1)
    attachments: Attachments


class DmSend(Frame):
    type: Literal["dm.send"]
    to: str = Field(min_length=1, max_length=32)
    content: str = Field(default="", max_length=MAX_CONTENT)
    reply_to: int | None = Field(default=None, ge=1)
    attachments: Attachments


class Typing(Frame):  # what a client sends; what others get is realtime.schemas.Typing
    type: Literal["typing"]
    room_id: str | None = Field(default=None, min_length=1, max_length=32)
    to: str | None = Field(default=None, min_length=1, max_length=32)

    @model_validator(mode="after")
    def _one_target(self) -> Typing:
        if (self.room_id is None) == (self.to is None):
            raise ValueError("give either room_id or to")
        return self


class Read(Frame):
    type: Literal["read"]
    message_id: int = Field(ge=1)


class Ping(Frame):
    type: Literal["ping"]


class Renew(Frame):
    """A fresh ticket (POST /ws/ticket) before the access token behind the socket expires: the socket
    lives on with the new token's expiry instead of closing with 4401."""

    type: Literal["renew"]
    ticket: str = Field(min_length=1, max_length=100)


CLIENT_FRAMES: dict[str, type[Frame]] = {
    "chat.send": ChatSend,
    "dm.send": DmSend,
    "typing": Typing,
    "read": Read,
    "ping": Ping,
    "renew": Renew,
}


class FrameBudget:
    """A token bucket per connection, plus a count of refusals that ends a flood."""

    def __init__(self, rate: float = FRAMES_PER_S, burst: int = FRAME_BURST) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.strikes = 0
        self.typing: dict[str, float] = {}

    def take(self) -> str:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            if self.tokens >= self.burst / 2:
                self.strikes = 0  # calm again
            return "ok"
        self.strikes += 1
        return "close" if self.strikes > STRIKES_BEFORE_CLOSE else "over"

    def typing_due(self, target: str) -> bool:
        now = time.monotonic()
        if now - self.typing.get(target, 0.0) < TYPING_EVERY_S:
            return False
        self.typing[target] = now
        return True


def error(
    code: str,
    message: str,
    client_id: str | None = None,
    fields: dict[str, str] | None = None,
    retry_after: int | None = None,
) -> FrameError:
    return FrameError(code=code, message=message, client_id=client_id, fields=fields or None, retry_after=retry_after)


async def handle(connection: Connection, stream: EventStream, raw: str | None) -> None:
    if connection.closing:
        return
    verdict = connection.limiter.take()
    if verdict == "close":
        connection.close_after_flush(WSCloseCode.POLICY_VIOLATION, b"too many frames; slow down")
        return
    if raw is None:
        connection.reply("error", error("invalid_frame", "frames are JSON text, not binary"))
        return
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        connection.reply("error", error("invalid_json", "frame is not valid JSON"))
        return
    if not isinstance(data, dict):
        connection.reply("error", error("invalid_frame", "a frame is a JSON object with a type"))
        return
    client_id = data["client_id"][:64] if isinstance(data.get("client_id"), str) else None
    if verdict == "over":
        connection.reply("error", error("rate_limited", "too many frames; slow down", client_id))
        return
    model = CLIENT_FRAMES.get(data["type"]) if isinstance(data.get("type"), str) else None
    if model is None:
        known = ", ".join(CLIENT_FRAMES)
        connection.reply("error", error("unknown_type", f"unknown frame type; use one of {known}", client_id))
        return
    try:
        frame = model.model_validate(data)
    except ValidationError as problem:
        fields = {".".join(str(p) for p in item["loc"]) or "frame": item["msg"] for item in problem.errors()}
        connection.reply("error", error("validation_failed", "frame is not valid", client_id, fields))
        return
    try:
        await _act(connection, stream, frame)
    except ApiError as problem:
        retry_after = problem.retry_after if isinstance(problem, RateLimited) else None
        connection.reply("error", error(problem.code, problem.message, client_id, problem.fields, retry_after))
    except Exception as problem:
        if database_is_down(problem):  # said as over HTTP: 503 database_unavailable, try again later
            log.warning("database unreachable for a %s frame of %s", data["type"], connection.user_id)
            unavailable = DatabaseUnavailable()
            connection.reply("error", error(unavailable.code, unavailable.message, client_id))
            return
        log.exception("a %s frame of %s failed", data["type"], connection.user_id)
        connection.reply("error", error("internal_error", "the server could not handle this frame", client_id))


def _guest_may(frame: Frame) -> bool:
    """A guest's socket serves its one room: chat and typing there, pings and renewals; no direct messages."""
    if isinstance(frame, Typing):
        return frame.room_id is not None
    return isinstance(frame, ChatSend | Ping | Renew)


async def _act(connection: Connection, stream: EventStream, frame: Frame) -> None:
    deps, user = connection.deps, connection.user
    if user.guest and not _guest_may(frame):
        raise Forbidden("a guest may only chat in its room")
    if isinstance(frame, Ping):
        connection.reply("pong", Pong())
    elif isinstance(frame, ChatSend):
        message = await room_chat.post_message(
            deps, frame.room_id, user, frame.content, frame.client_id, frame.attachments, reply_to=frame.reply_to
        )
        connection.reply("ack", Ack(message))
    elif isinstance(frame, DmSend):
        sent = await direct.send(
            deps,
            user,
            frame.to,
            frame.content,
            frame.client_id,
            field="to",
            attachments=frame.attachments,
            reply_to=frame.reply_to,
        )
        connection.reply("ack", Ack(sent))
    elif isinstance(frame, Read):
        await direct.mark_read(deps, user.id, message_id=frame.message_id)
    elif isinstance(frame, Typing):
        await _typing(connection, stream, frame)
    elif isinstance(frame, Renew):
        await _renew(connection, frame)


async def _renew(connection: Connection, frame: Renew) -> None:
    claims = await connection.deps.tickets.redeem(frame.ticket)
    if claims is None:
        raise Unauthorized("this ticket is spent, expired or not valid; get a new one")
    if claims.user_id != connection.user_id:
        raise Forbidden("this ticket belongs to someone else")
    signin = await signin_of_ticket(connection.deps, claims)
    connection.session_id, connection.expires_at = signin.session_id, signin.expires_at
    connection.reply("renewed", Renewed(expires_in=max(0, int(signin.expires_at - time.time()))))


async def _typing(connection: Connection, stream: EventStream, frame: Typing) -> None:
    deps, user = connection.deps, connection.user
    await throttles.typing(deps, user.id)
    if frame.room_id is not None:
        async with deps.db() as db:
            room, _ = await require_member(db, frame.room_id, user.id)
        if not connection.limiter.typing_due("room:" + room.id):
            return
        audience = (await stream.members_of({room.id}))[room.id] - {user.id}
        notice = TypingNotice(user=Person.model_validate(user), room_id=room.id)
    else:
        async with deps.db() as db:
            peer = await other_user(db, user.id, frame.to or "", field="to")
        if not connection.limiter.typing_due("user:" + peer.id):
            return
        audience = {peer.id}
        notice = TypingNotice(user=Person.model_validate(user), to=peer.id)
    if audience:
        await deps.hub.publish(ephemeral("typing", notice, audience))
