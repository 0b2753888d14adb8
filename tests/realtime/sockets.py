"""A test's view of /api/v1/ws: get a ticket and connect as a user, read frames with short timeouts."""

from __future__ import annotations

import asyncio
import json

from aiohttp import WSMsgType

from tests.helpers import Account

WAIT_S = 5.0


class Socket:
    def __init__(self, ws):
        self.ws = ws
        self.seen: list[dict] = []

    @property
    def last_id(self) -> str | None:
        ids = [frame["id"] for frame in self.seen if frame.get("id")]
        return ids[-1] if ids else None

    async def send(self, **frame) -> None:
        await self.ws.send_str(json.dumps(frame))

    async def frame(self, timeout: float = WAIT_S) -> dict:
        message = await self.ws.receive(timeout=timeout)
        assert message.type == WSMsgType.TEXT, (
            f"expected a text frame, got {message.type} {message.data!r} {message.extra!r}"
        )
        frame = json.loads(message.data)
        self.seen.append(frame)
        return frame

    async def expect(self, type_: str, timeout: float = WAIT_S, **data) -> dict:
        """The next frame of this type whose data matches; frames of other types are skipped."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            assert left > 0, f"no {type_} frame {data} within {timeout}s; saw {self.seen[-5:]}"
            try:
                frame = await self.frame(left)
            except TimeoutError:
                raise AssertionError(f"no {type_} frame {data} within {timeout}s; saw {self.seen[-5:]}") from None
            if frame["type"] == type_ and all(frame["data"].get(k) == v for k, v in data.items()):
                return frame

    async def quiet(self, timeout: float = 0.3, ignore: tuple = ("presence",)) -> list[dict]:
        """Frames that arrive within `timeout` (except ignored types): usually expected to be none."""
        got = []
        while True:
            try:
                frame = await self.frame(timeout)
            except TimeoutError:
                return got
            if frame["type"] not in ignore:
                got.append(frame)

    async def closed(self, timeout: float = WAIT_S) -> tuple[int, str]:
        """Reads until the server closes; returns the close code and reason."""
        while True:
            message = await self.ws.receive(timeout=timeout)
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return self.ws.close_code, str(message.extra or "")

    async def close(self) -> None:
        await self.ws.close()


async def ticket_for(client, account: Account, base: str = "") -> str:
    """A single-use ticket from POST /ws/ticket. `client` is a TestClient, or an aiohttp
    ClientSession with `base` the app's URL (a replica in another process)."""
    response = await client.post(base + "/api/v1/ws/ticket", headers=account.headers)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert set(body) == {"ticket", "expires_in"}, body
    return body["ticket"]


async def connect(
    client, account: Account, after: str | None = None, via: str = "ticket", base: str = "", **options
) -> Socket:
    """Opens the socket with a fresh ticket (`via="header"`: with the bearer header instead)."""
    params = {"after": after} if after else {}
    headers = {}
    if via == "ticket":
        params["ticket"] = await ticket_for(client, account, base)
    else:
        headers = account.headers
    ws = await client.ws_connect(base + "/api/v1/ws", params=params, headers=headers, **options)
    return Socket(ws)
