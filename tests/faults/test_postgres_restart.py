"""Fault 2: PostgreSQL stops for 5 s and starts again under load. Requests during the outage get 503
database_unavailable at once (none hangs for 2 s), the app recovers without a restart, and no
acknowledged message is lost."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp
import pytest

from conference.migrations import migrate
from tests.faults.cluster import Replica, Replicas, record_figures
from tests.faults.load import Chatter, Traffic, settle_and_check
from tests.helpers import create_room, join, register
from tests.servers import start_postgres

pytestmark = [pytest.mark.faults, pytest.mark.livekit]
DOWN_S = 5.0


@pytest.fixture
async def own_postgres(tmp_path):
    server = await asyncio.to_thread(start_postgres, tmp_path / "pg")
    yield server
    server.stop()


async def test_a_postgres_restart_answers_503_at_once_and_loses_no_acknowledged_message(
    own_postgres, redis_server, livekit, http, tmp_path
):
    await migrate(own_postgres.url)
    app = Replica("a", own_postgres.url, livekit.ws_url, livekit.http_url, tmp_path, redis_url=redis_server.url)
    async with Replicas(app), aiohttp.ClientSession(base_url=app.url) as api:
        host = await register(api)
        room = await create_room(api, host)
        people = [await register(api) for _ in range(3)]
        for person in people:
            await join(api, person, room["id"])
        chatters = [Chatter(f"p{n}", person, room["id"], [app.url]) for n, person in enumerate(people)]
        sending, stop = asyncio.Event(), asyncio.Event()
        for chatter in chatters:
            chatter.start(http, sending)
        await asyncio.gather(*(c.wait_ready() for c in chatters))
        room_calls = [("POST", f"/api/v1/rooms/{room['id']}/join"), ("POST", f"/api/v1/rooms/{room['id']}/media/token")]
        me = Traffic(app.url, host, [("GET", "/api/v1/users/me")], 0.05)
        rooms = Traffic(app.url, people[0], room_calls, 0.1)
        loops = [asyncio.create_task(t.run(http, stop)) for t in (me, rooms)]
        sending.set()
        await asyncio.sleep(2)

        down = time.monotonic()
        await asyncio.to_thread(own_postgres.pause)
        await asyncio.sleep(DOWN_S)
        await asyncio.to_thread(own_postgres.resume)
        up = time.monotonic()
        await asyncio.sleep(4)

        sending.clear()
        stop.set()
        await asyncio.gather(*loops)
        counts = await settle_and_check(http, app.url, host, room["id"], chatters)
        for chatter in chatters:
            await chatter.close()

    during = me.between(down, up) + rooms.between(down, up)
    outcomes = Counter((answer.status, answer.code) for answer in during)
    assert during and max(answer.took_s for answer in during) < 2.0, sorted(a.took_s for a in during)[-5:]
    assert set(outcomes) <= {(503, "database_unavailable"), (200, "")}, (
        outcomes
    )  # 200: sign-ins and standings the replica remembers
    assert outcomes[(503, "database_unavailable")] > 10, outcomes
    recovered_after = me.first_success_after(up)
    assert recovered_after is not None and recovered_after < 2.0, recovered_after
    settled = [a for a in me.answers + rooms.answers if a.at > up + recovered_after + 0.5]
    assert settled and all(a.status == 200 for a in settled), Counter((a.status, a.code) for a in settled)
    refused_frames = sum(c.errors["database_unavailable"] for c in chatters)
    assert all(set(c.errors) <= {"database_unavailable"} for c in chatters), [c.errors for c in chatters]
    record_figures(
        "postgres_restart",
        **counts,
        down_s=round(up - down, 2),
        requests_during_outage=len(during),
        answered_503_database_unavailable=outcomes[(503, "database_unavailable")],
        slowest_answer_during_outage_s=round(max(answer.took_s for answer in during), 3),
        first_success_after_restart_s=round(recovered_after, 2),
        chat_sends_refused_with_database_unavailable=refused_frames,
    )
