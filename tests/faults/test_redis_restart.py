"""Fault 3: Redis restarts (stopped 2 s, started empty) under load with two replicas. Meanwhile each
replica serves on its own knowledge and events cross through the event log; afterwards fan-out and
presence resume within seconds on both, and no event is lost for a client that resumes."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp
import pytest
import redis.asyncio as aioredis

from conference.realtime.redis import channel_of
from tests.faults.cluster import Replica, Replicas, record_figures
from tests.faults.load import Chatter, Traffic, settle_and_check
from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect
from tests.servers import start_redis

pytestmark = [pytest.mark.faults, pytest.mark.livekit]
DOWN_S = 2.0


@pytest.fixture
async def own_redis(tmp_path):
    servers = [await asyncio.to_thread(start_redis, tmp_path / "redis")]
    yield servers  # a test that restarts it appends the new process
    for server in servers:
        server.stop()


async def until(check, timeout: float, what: str) -> float:
    """Seconds until `check()` holds."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < timeout, f"{what} not within {timeout}s"
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def test_a_redis_restart_loses_no_event_and_fan_out_and_presence_come_back(
    fresh_database, own_redis, livekit, http, tmp_path
):
    redis_url = own_redis[0].url
    a, b = (
        Replica(name, fresh_database, livekit.ws_url, livekit.http_url, tmp_path, redis_url=redis_url)
        for name in ("a", "b")
    )
    async with (
        Replicas(a, b),
        aiohttp.ClientSession(base_url=a.url) as at_a,
        aiohttp.ClientSession(base_url=b.url) as at_b,
    ):
        host = await register(at_a)
        room = await create_room(at_a, host)
        people = [await register(at_a) for _ in range(4)]
        for person in people:
            await join(at_a, person, room["id"])
        chatters = [Chatter(f"p{n}", p, room["id"], [a.url] if n % 2 else [b.url]) for n, p in enumerate(people)]
        watcher, friend = people[1], people[2]  # on a and on b
        await at_a.post("/api/v1/contacts", json={"user_id": friend.id}, headers=watcher.headers)
        await at_a.post(f"/api/v1/contacts/{watcher.id}/accept", headers=friend.headers)
        typist, reader = await connect(at_a, host), await connect(at_b, friend)
        await typist.expect("ready")
        await reader.expect("ready")

        sending, stop = asyncio.Event(), asyncio.Event()
        for chatter in chatters:
            chatter.start(http, sending)
        await asyncio.gather(*(c.wait_ready() for c in chatters))
        calls = [
            ("GET", "/api/v1/users/me"),
            ("POST", f"/api/v1/rooms/{room['id']}/media/token"),
            ("POST", f"/api/v1/rooms/{room['id']}/join"),
        ]
        traffic = [Traffic(a.url, people[1], calls, 0.1), Traffic(b.url, people[0], calls, 0.1)]
        loops = [asyncio.create_task(t.run(http, stop)) for t in traffic]
        sending.set()
        await asyncio.sleep(2)

        await chatters[0].leave()  # away before the outage, back during it
        down = time.monotonic()
        await asyncio.to_thread(own_redis[0].stop)
        await asyncio.sleep(DOWN_S / 2)
        chatters[0].come_back()
        await chatters[3].leave()  # away during the outage, back after it
        await asyncio.sleep(DOWN_S / 2)
        own_redis.append(await asyncio.to_thread(start_redis, tmp_path / "redis", port=own_redis[0].port))
        up = time.monotonic()
        chatters[3].come_back()

        probe = aioredis.from_url(redis_url)
        try:

            async def both_subscribed() -> bool:
                [(_, subscribers)] = await probe.pubsub_numsub(channel_of(fresh_database))
                return subscribers == 2

            await until(both_subscribed, 10, "both replicas subscribed again")
            fan_out_back = time.monotonic() - up
        finally:
            await probe.aclose()

        async def friend_online() -> bool:  # on b, asked through a: presence read from Redis again
            seen = await (await at_a.get(f"/api/v1/users/{friend.id}", headers=watcher.headers)).json()
            return bool(seen["online"])

        await until(friend_online, 10, "presence written back")
        presence_back = time.monotonic() - up
        typed = time.monotonic()
        await typist.send(type="typing", room_id=room["id"])  # ephemeral: only Redis carries it across
        await reader.expect("typing", room_id=room["id"], timeout=3)
        typing_crossed = time.monotonic() - typed
        await asyncio.sleep(2)

        sending.clear()
        stop.set()
        await asyncio.gather(*loops)
        counts = await settle_and_check(http, a.url, host, room["id"], chatters)
        came_back = min(t for t in chatters[0].ready_at if t > down) - down
        for chatter in chatters:
            await chatter.close()

    during = [x for t in traffic for x in t.between(down, up)]
    outcomes = Counter((x.status, x.code) for x in during)
    assert during and set(outcomes) == {(200, "")}, outcomes  # each replica serves on its own knowledge
    assert all(not c.errors and c.resyncs == 0 for c in chatters), [c.errors for c in chatters]
    record_figures(
        "redis_restart",
        **counts,
        down_s=round(up - down, 2),
        requests_during_outage=len(during),
        non_200_during_outage=0,
        slowest_answer_during_outage_s=round(max(x.took_s for x in during), 3),
        client_reconnected_during_outage_within_s=round(came_back, 2),
        fan_out_resubscribed_on_both_replicas_after_start_s=round(fan_out_back, 2),
        presence_written_back_after_start_s=round(presence_back, 2),
        typing_across_replicas_after_that_s=round(typing_crossed, 3),
    )
