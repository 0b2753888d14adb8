"""A Redis that stops answering costs a request at most its deadline, once: the app marks it down,
serves on this replica's own knowledge (limits, tickets, presence, fan-out) and says so in /readyz."""

from __future__ import annotations

import asyncio
import time

from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect


async def black_hole() -> tuple[asyncio.AbstractServer, str]:
    """A TCP port that accepts connections and never answers, like a Redis behind a dead network link."""

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(65536):
            pass

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"redis://127.0.0.1:{port}/0"


async def timed(what: str, call, limit_s: float = 2.5):
    started = time.monotonic()
    answer = await call
    took = time.monotonic() - started
    assert took < limit_s, f"{what} took {took:.2f}s with Redis unanswering"
    return answer


async def test_the_app_keeps_serving_on_its_own_knowledge_while_redis_does_not_answer(make_api):
    server, url = await black_hole()
    try:
        async with make_api("sqlite", redis_url=url, messages_per_10s=3) as api:
            alice = await timed("register", register(api))
            bob = await timed("register", register(api))
            room = await timed("create a room", create_room(api, alice))
            await timed("join", join(api, bob, room["id"]))
            token = await timed("media token", api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=bob.headers))
            assert token.status == 200
            b = await timed("socket", connect(api, bob))  # a ticket kept in this process
            await b.expect("ready")
            for n in range(3):
                posted = await timed(
                    "post",
                    api.post(
                        f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": f"{n}"}, headers=alice.headers
                    ),
                )
                assert posted.status == 201
                assert (await b.expect("chat.message"))["data"]["content"] == str(n)  # fan-out on this replica
            # Limits still hold, counted on this replica.
            over = await api.post(
                f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": "x"}, headers=alice.headers
            )
            assert over.status == 429
            ready = await timed("readyz", api.get("/readyz"), 4)
            assert ready.status == 200
            assert await ready.json() == {
                "status": "degraded",
                "checks": {"database": "ok", "livekit": "ok", "redis": "unreachable"},
            }
    finally:
        server.close()
