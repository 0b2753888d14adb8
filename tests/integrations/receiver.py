"""A webhook receiver on loopback (aiohttp), as an integrator would write one: it checks every delivery with
the Standard Webhooks algorithm (written here from the spec, not taken from the app), records it, and answers
what the test tells it to."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from tests.servers import free_port

TOLERANCE_S = 5 * 60  # the spec's suggested window for webhook-timestamp


def verify(secret: str, headers: dict[str, str], body: bytes) -> None:
    """Raises AssertionError unless one of the v1 signatures is HMAC-SHA256(base64decode(secret sans whsec_),
    "<webhook-id>.<webhook-timestamp>.<body>"), and the timestamp is recent."""
    msg_id, stamp, signatures = headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"]
    assert abs(time.time() - int(stamp)) <= TOLERANCE_S, f"stale webhook-timestamp {stamp}"
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest())
    given = [part.split(",", 1)[1].encode() for part in signatures.split(" ") if part.startswith("v1,")]
    assert any(hmac.compare_digest(expected, signature) for signature in given), "no signature matches"


@dataclass
class Delivery:
    webhook_id: str
    timestamp: int
    signatures: list[str]
    body: dict
    raw: bytes
    received_at: float  # time.time()
    answered: int

    @property
    def type(self) -> str:
        return self.body["type"]


@dataclass
class Receiver:
    """`answer(delivery_number_of_this_id)` picks the status: 1 for the first try of a webhook-id."""

    secret: str = ""
    answer: Callable[[str, int], int] = lambda webhook_id, attempt: 200
    hold_s: float = 0.0  # keep the first attempt of every id waiting this long (a slow endpoint)
    hold_once_s: float = 0.0  # keep the very first request waiting this long, then answer it 503
    held: asyncio.Event = field(default_factory=asyncio.Event)  # set when that first request came in
    deliveries: list[Delivery] = field(default_factory=list)
    tries: dict[str, int] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        headers = {key.lower(): value for key, value in request.headers.items()}
        if self.secret:
            verify(self.secret, headers, raw)
        webhook_id = headers["webhook-id"]
        self.tries[webhook_id] = self.tries.get(webhook_id, 0) + 1
        attempt = self.tries[webhook_id]
        status = None
        if self.hold_once_s and not self.held.is_set():
            self.held.set()
            await asyncio.sleep(self.hold_once_s)
            status = 503  # never a 2xx: its sender may be gone by now
        elif self.hold_s and attempt == 1:
            await asyncio.sleep(self.hold_s)
        status = status or self.answer(webhook_id, attempt)
        self.deliveries.append(
            Delivery(
                webhook_id,
                int(headers["webhook-timestamp"]),
                headers["webhook-signature"].split(" "),
                json.loads(raw),
                raw,
                time.time(),
                status,
            )
        )
        self.arrived.set()
        return web.Response(status=status, text="ok")

    def received(self, type_: str | None = None, status: int | None = None) -> list[Delivery]:
        return [
            d
            for d in self.deliveries
            if (type_ is None or d.type == type_) and (status is None or d.answered == status)
        ]

    async def wait_for(self, count: int, type_: str | None = None, timeout: float = 20, status: int = 200) -> None:
        """Until `count` deliveries (of a type) were answered `status`."""
        deadline = time.monotonic() + timeout
        while len(self.received(type_, status)) < count:
            left = deadline - time.monotonic()
            assert left > 0, f"{len(self.received(type_, status))} of {count} {type_ or ''} deliveries arrived"
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except TimeoutError:
                pass


async def start_receiver(receiver: Receiver) -> web.AppRunner:
    app = web.Application()
    app.router.add_post("/hooks", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    receiver.url = f"http://127.0.0.1:{port}/hooks"
    return runner
