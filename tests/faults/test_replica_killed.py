"""Fault 1: one of two app replicas is killed (SIGKILL) while people chat, join and fetch tokens.
Its clients resume on the other replica with `after`: no acknowledged message is lost, none arrives
twice, and the users it alone held go offline within the presence TTL."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp
import pytest

from tests.faults.cluster import PRESENCE_TTL_S, Replica, Replicas, record_figures
from tests.faults.load import Chatter, Traffic, settle_and_check
from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect

pytestmark = [pytest.mark.faults, pytest.mark.livekit]


async def befriend(api, a, b) -> None:
    await api.post("/api/v1/contacts", json={"user_id": b.id}, headers=a.headers)
    assert (await api.post(f"/api/v1/contacts/{a.id}/accept", headers=b.headers)).status == 200


async def test_a_killed_replica_loses_no_acknowledged_message_and_its_users_go_offline(
    fresh_database, redis_server, livekit, http, tmp_path
):
    a, b = (
        Replica(name, fresh_database, livekit.ws_url, livekit.http_url, tmp_path, redis_url=redis_server.url)
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
        # Two chat on a, two on b; each resumes on the other replica when its own refuses.
        chatters = [
            Chatter(f"p{n}", person, room["id"], [a.url, b.url] if n < 2 else [b.url, a.url])
            for n, person in enumerate(people)
        ]
        watcher, idle = await register(at_a), await register(at_a)
        await befriend(at_a, watcher, idle)
        watching = await connect(at_a, watcher)
        await watching.expect("ready")
        only_on_b = await connect(at_b, idle)  # never reconnects: b is the only replica it knew
        await only_on_b.expect("ready")
        await watching.expect("presence", user_id=idle.id, online=True)

        sending, stop = asyncio.Event(), asyncio.Event()
        for chatter in chatters:
            chatter.start(http, sending)
        await asyncio.gather(*(c.wait_ready() for c in chatters))
        calls = [("POST", f"/api/v1/rooms/{room['id']}/join"), ("POST", f"/api/v1/rooms/{room['id']}/media/token")]
        traffic = [Traffic(a.url, host, calls, 0.2), Traffic(b.url, people[3], calls, 0.2)]
        loops = [asyncio.create_task(t.run(http, stop)) for t in traffic]
        sending.set()
        await asyncio.sleep(3)

        b.kill()
        killed = time.monotonic()
        while True:  # asked through the surviving replica
            seen = await (await at_a.get(f"/api/v1/users/{idle.id}", headers=watcher.headers)).json()
            if not seen["online"]:
                offline_after = time.monotonic() - killed
                break
            assert time.monotonic() - killed < PRESENCE_TTL_S + 1, "still online after the presence TTL"
            await asyncio.sleep(0.05)
        await watching.expect("presence", user_id=idle.id, online=False, timeout=PRESENCE_TTL_S + 1)
        told_after = time.monotonic() - killed
        await asyncio.sleep(max(0.0, 3 - (time.monotonic() - killed)))  # the load goes on on a alone

        sending.clear()
        stop.set()
        await asyncio.gather(*loops)
        counts = await settle_and_check(http, a.url, host, room["id"], chatters)
        moved = chatters[2:]
        resumed_after = max(min(t for t in c.ready_at if t > killed) - killed for c in moved)
        for chatter in chatters:
            await chatter.close()

    on_a = traffic[0].answers
    assert on_a and all(answer.status == 200 for answer in on_a), Counter((x.status, x.code) for x in on_a)
    assert all(c.errors == Counter() and c.resyncs == 0 for c in chatters), [c.errors for c in chatters]
    record_figures(
        "replica_killed",
        **counts,
        clients_resumed_on_the_other_replica_within_s=round(resumed_after, 2),
        user_offline_for_get_users_within_s=round(offline_after, 2),
        contacts_told_offline_within_s=round(told_after, 2),
        presence_ttl_s=PRESENCE_TTL_S,
        http_on_the_survivor={"requests": len(on_a), "non_200": 0, "slowest_s": round(max(x.took_s for x in on_a), 3)},
    )
