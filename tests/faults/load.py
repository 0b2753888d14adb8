"""The fault tests' load driver: people chatting in one room over their sockets (chat.send with client
ids, at a steady pace) and steady HTTP traffic (joins, media tokens, /users/me), with what was
acknowledged, received and answered all counted, so a test can show that nothing acknowledged was lost,
nothing arrived twice, and how long every answer took."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp

from tests.helpers import Account

TIMEOUT = aiohttp.ClientTimeout(total=15)


class Chatter:
    """One person on one socket. It sends a chat.send every `every_s` while its socket is ready, and
    when the socket drops it reconnects with `after` (to the next of `bases` when one refuses)."""

    def __init__(self, name: str, account: Account, room_id: str, bases: list[str], every_s: float = 0.25):
        self.name, self.account, self.room_id = name, account, room_id
        self.bases = bases
        self.base = 0
        self.every_s = every_s
        self.acked: dict[str, int] = {}  # client_id -> id of the stored message
        self.sent = 0
        self.errors: Counter[str] = Counter()  # codes of error frames
        self.received: list[int] = []  # message ids of chat.message events, in arrival order
        self.event_ids: list[int] = []
        self.last_id: str | None = None
        self.ready_at: list[float] = []  # monotonic times a socket became ready
        self.dropped_at: list[float] = []
        self.resyncs = 0
        self.ready = False
        self.away = False  # set by a test: stay disconnected until cleared
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def base_url(self) -> str:
        return self.bases[self.base]

    def start(self, session: aiohttp.ClientSession, sending: asyncio.Event) -> None:
        self._tasks = [
            asyncio.create_task(self._connect_forever(session)),
            asyncio.create_task(self._send_while(sending)),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._ws is not None:
            await self._ws.close()

    async def leave(self) -> None:
        """The person goes away (closes the socket) until `come_back`."""
        self.away = True
        if self._ws is not None:
            await self._ws.close()

    def come_back(self) -> None:
        self.away = False

    async def wait_ready(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready:
            assert time.monotonic() < deadline, f"{self.name} did not get a ready socket"
            await asyncio.sleep(0.05)

    async def _connect_forever(self, session: aiohttp.ClientSession) -> None:
        while True:
            if self.away:
                await asyncio.sleep(0.05)
                continue
            try:
                ws = await self._open(session)
            except (aiohttp.ClientError, OSError, TimeoutError, AssertionError, RuntimeError):
                self.base = (self.base + 1) % len(self.bases)
                await asyncio.sleep(0.2)
                continue
            self._ws = ws
            try:
                async for message in ws:
                    if message.type != aiohttp.WSMsgType.TEXT:
                        break
                    self._receive(json.loads(message.data))
            except (aiohttp.ClientError, OSError):
                pass
            finally:
                self._ws, self.ready = None, False
                self.dropped_at.append(time.monotonic())
            await asyncio.sleep(0.1)

    async def _open(self, session: aiohttp.ClientSession) -> aiohttp.ClientWebSocketResponse:
        answer = await session.post(
            self.base_url + "/api/v1/ws/ticket", headers=self.account.headers, timeout=aiohttp.ClientTimeout(total=3)
        )
        assert answer.status == 200, f"ticket: {answer.status}"
        params = {"ticket": (await answer.json())["ticket"]}
        if self.last_id:
            params["after"] = self.last_id
        return await session.ws_connect(
            self.base_url + "/api/v1/ws", params=params, timeout=aiohttp.ClientWSTimeout(ws_close=2), heartbeat=None
        )

    def _receive(self, frame: dict) -> None:
        kind, data = frame["type"], frame.get("data") or {}
        if frame.get("id"):
            self.last_id = frame["id"]
        if kind == "ready":
            self.ready = True
            self.ready_at.append(time.monotonic())
        elif kind == "chat.message" and data.get("room_id") == self.room_id:
            self.received.append(data["id"])
            self.event_ids.append(int(frame["id"]))
        elif kind == "ack" and data.get("client_id"):
            self.acked[data["client_id"]] = data["id"]
        elif kind == "error":
            self.errors[data.get("code", "?")] += 1
        elif kind == "resync":
            self.resyncs += 1

    async def _send_while(self, sending: asyncio.Event) -> None:
        n = 0
        while True:
            await asyncio.sleep(self.every_s)
            ws = self._ws
            if not sending.is_set() or ws is None or not self.ready:
                continue
            n += 1
            client_id = f"{self.name}-{n}"
            with contextlib.suppress(aiohttp.ClientError, OSError, ConnectionError, RuntimeError):
                await ws.send_str(
                    json.dumps(
                        {"type": "chat.send", "room_id": self.room_id, "content": client_id, "client_id": client_id}
                    )
                )
                self.sent += 1


@dataclass
class Answer:
    at: float  # monotonic, when the request was made
    what: str
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    code: str
    took_s: float


@dataclass
class Traffic:
    """Requests in a loop against one replica, every answer kept."""

    base: str
    account: Account
    calls: list[tuple[str, str]]  # (method, path)
    every_s: float = 0.1
    answers: list[Answer] = field(default_factory=list)

    async def run(self, session: aiohttp.ClientSession, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for method, path in self.calls:
                started = time.monotonic()
                status, code = 0, "unreachable"
                try:
                    async with session.request(
                        method, self.base + path, headers=self.account.headers, timeout=TIMEOUT
                    ) as response:
                        status = response.status
                        body = await response.json(content_type=None) if response.status != 204 else None
                        code = (body or {}).get("error", {}).get("code", "") if isinstance(body, dict) else ""
                except (aiohttp.ClientError, OSError, TimeoutError, ValueError):
                    pass
                self.answers.append(Answer(started, f"{method} {path}", status, code, time.monotonic() - started))
            await asyncio.sleep(self.every_s)

    def between(self, start: float, end: float) -> list[Answer]:
        return [a for a in self.answers if start <= a.at < end]

    def first_success_after(self, moment: float) -> float | None:
        """Seconds from `moment` until an answer that began after it succeeded."""
        for answer in self.answers:
            if answer.at >= moment and 200 <= answer.status < 300:
                return answer.at + answer.took_s - moment
        return None


async def stored_messages(session: aiohttp.ClientSession, base: str, account: Account, room_id: str) -> list[dict]:
    """Every message of the room, oldest first, through the paged HTTP list."""
    items: list[dict] = []
    before = None
    while True:
        query = {"limit": "100", **({"before": before} if before else {})}
        async with session.get(
            f"{base}/api/v1/rooms/{room_id}/chat/messages", params=query, headers=account.headers, timeout=TIMEOUT
        ) as response:
            assert response.status == 200, await response.text()
            page = await response.json()
        items = page["items"] + items
        before = page.get("next_before")
        if not before or not page["items"]:
            return items


async def settle_and_check(
    session: aiohttp.ClientSession, base: str, reader: Account, room_id: str, chatters: list[Chatter]
) -> dict[str, int]:
    """After the senders stopped: waits until every chatter received every stored message (at most
    10 s), then checks that no acknowledged message is missing from the room and no chatter got one
    twice. Returns the counts for the figures."""
    stored: list[dict] = []
    deadline = time.monotonic() + 10
    while True:
        stored = await stored_messages(session, base, reader, room_id)
        ids = {m["id"] for m in stored}
        if all(ids <= set(c.received) for c in chatters) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    ids = {m["id"] for m in stored}
    acked = {message_id for c in chatters for message_id in c.acked.values()}
    lost = acked - ids
    assert not lost, f"{len(lost)} acknowledged messages are not in the room: {sorted(lost)[:10]}"
    for chatter in chatters:
        missing = ids - set(chatter.received)
        assert not missing, f"{chatter.name} never received {len(missing)} stored messages: {sorted(missing)[:10]}"
        doubled = [m for m, n in Counter(chatter.received).items() if n > 1]
        assert not doubled, f"{chatter.name} received {len(doubled)} messages twice: {doubled[:10]}"
        assert chatter.event_ids == sorted(chatter.event_ids), f"{chatter.name} saw event ids out of order"
    by_client = Counter(m["client_id"] for m in stored if m.get("client_id"))
    assert all(n == 1 for n in by_client.values()), "a client id stored twice"
    return {
        "messages_sent": sum(c.sent for c in chatters),
        "messages_acknowledged": len(acked),
        # more than acknowledged when a socket closed while an ack was still on its way
        "messages_stored": len(ids),
        "acknowledged_lost": len(lost),
        "duplicates_received": 0,
    }
