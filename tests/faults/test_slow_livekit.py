"""Fault 5: LiveKit's RoomService answers 4.5 s late (a TCP proxy holds its answers back). 40 people join
at once, each join waiting on two such answers; no database connection waits with them, so
`GET /users/me` on the same replica stays fast throughout (p99 under 200 ms)."""

from __future__ import annotations

import asyncio
import http.client
import statistics
import time
from collections import Counter

import aiohttp
import pytest

from tests.faults.cluster import Replica, Replicas, record_figures
from tests.helpers import create_room, register
from tests.proxy import TcpProxy

pytestmark = [pytest.mark.faults, pytest.mark.livekit]
DELAY_S = 4.5
JOINS = 40


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


async def test_joins_waiting_on_a_slow_livekit_do_not_stall_other_requests(fresh_database, livekit, tmp_path):
    async with TcpProxy(livekit.port, delay_s=DELAY_S) as proxy:
        app = Replica("a", fresh_database, livekit.ws_url, proxy.url, tmp_path)
        async with Replicas(app), aiohttp.ClientSession(base_url=app.url) as api:
            host = await register(api)
            room = await create_room(api, host, max_participants=100)
            people = await asyncio.gather(*(register(api) for _ in range(JOINS)))

            def me_while(going_on) -> list[float]:
                """GET /users/me over and over from a thread of its own, so what this test's own event loop
                does (40 clients, the proxy) does not count against the replica."""
                took = []
                connection = http.client.HTTPConnection("127.0.0.1", app.port, timeout=10)
                try:
                    while going_on():
                        started = time.monotonic()
                        connection.request("GET", "/api/v1/users/me", headers=host.headers)
                        response = connection.getresponse()
                        response.read()
                        assert response.status == 200, response.status
                        took.append(time.monotonic() - started)
                        time.sleep(0.02)
                finally:
                    connection.close()
                return took

            calm_until = time.monotonic() + 2
            quiet = await asyncio.to_thread(me_while, lambda: time.monotonic() < calm_until)

            async def join(person) -> tuple[int, float]:
                started = time.monotonic()
                async with api.post(f"/api/v1/rooms/{room['id']}/join", headers=person.headers) as response:
                    body = await response.json()
                    return response.status, body.get("error", {}).get("code", ""), time.monotonic() - started

            joining = asyncio.ensure_future(asyncio.gather(*(join(person) for person in people)))
            busy = await asyncio.to_thread(me_while, lambda: not joining.done())
            joined = await joining

    outcomes = Counter((status, code) for status, code, _ in joined)
    assert set(outcomes) <= {(200, ""), (503, "livekit_unavailable")}, outcomes
    assert outcomes[(200, "")] >= JOINS // 2, outcomes  # most fit in the 5 s deadline per call
    assert p99(busy) < 0.2, (
        f"p99 of GET /users/me while {JOINS} joins wait on LiveKit: {p99(busy):.3f}s (before: {p99(quiet):.3f}s); "
        f"slowest: {sorted(busy)[-6:]}"
    )
    record_figures(
        "slow_livekit",
        livekit_answer_delay_s=DELAY_S,
        concurrent_joins=JOINS,
        joins_200=outcomes[(200, "")],
        joins_503_livekit_unavailable=outcomes[(503, "livekit_unavailable")],
        join_took_s_median=round(statistics.median(t for _, _, t in joined), 2),
        users_me_requests_during_joins=len(busy),
        users_me_p99_during_joins_ms=round(p99(busy) * 1000, 1),
        users_me_p99_before_ms=round(p99(quiet) * 1000, 1),
        users_me_slowest_during_joins_ms=round(max(busy) * 1000, 1),
    )
