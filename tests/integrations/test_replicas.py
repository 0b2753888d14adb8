"""Webhook delivery with several replicas on one PostgreSQL: claims keep two replicas from making the same
attempt, rooms stay in order, and a replica SIGKILLed in the middle of an attempt loses nothing (another one
makes the attempt again, with the same webhook-id, once the dead one's lease lapses)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections import Counter

import aiohttp
from sqlalchemy.ext.asyncio import async_sessionmaker

from conference.accounts.apikeys import create_api_key
from conference.db import create_engine
from conference.migrations import migrate
from tests.guests.steps import api_key, key_headers
from tests.helpers import join, register
from tests.realtime.test_scale_out import wait_healthy
from tests.servers import REPO, free_port

FAST = {"webhook_retry_base_s": 0.2, "webhook_poll_s": 0.2, "webhook_timeout_s": 2.0}


async def test_two_replicas_deliver_every_message_once_and_each_room_in_order(make_api, postgres, receiver):
    receiver.hold_s = 0.05  # a little slow, so both replicas have attempts in flight at once
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    limits = {"messages_per_10s": 1000, "messages_per_minute": 1000}
    async with (
        make_api(database=database, **FAST, **limits) as one,
        make_api(database=database, **FAST, **limits) as two,
    ):
        key = await api_key(one)
        made = await one.post(
            "/api/v1/webhooks", json={"url": receiver.url, "events": ["chat.message"]}, headers=key_headers(key)
        )
        receiver.secret = (await made.json())["secret"]
        teacher = await register(one)
        rooms = []
        for n in range(4):
            created = await one.post("/api/v1/rooms", json={"name": f"R{n}"}, headers=key_headers(key))
            rooms.append((await created.json())["id"])
            await join(one, teacher, rooms[-1])

        async def post(client, room_id: str, n: int) -> None:
            response = await client.post(
                f"/api/v1/rooms/{room_id}/chat/messages", json={"content": f"{n}"}, headers=teacher.headers
            )
            assert response.status == 201

        await asyncio.gather(*(post((one, two)[n % 2], rooms[n % 4], n) for n in range(60)))
        await receiver.wait_for(60, timeout=60)
        await asyncio.sleep(1)

    counts = Counter(d.webhook_id for d in receiver.deliveries)
    assert len(counts) == 60 and set(counts.values()) == {1}  # each attempt made by one replica only
    for room_id in rooms:
        ids = [d.body["data"]["id"] for d in receiver.deliveries if d.body["data"]["room_id"] == room_id]
        assert ids == sorted(ids), f"room {room_id} out of order: {ids}"


def start_replica(database: str, livekit, jwt_secret: str, log_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database,
        "LIVEKIT_URL": livekit.ws_url,
        "LIVEKIT_API_URL": livekit.http_url,
        "LIVEKIT_API_KEY": livekit.api_key,
        "LIVEKIT_API_SECRET": livekit.api_secret,
        "JWT_SECRET": jwt_secret,
        "BCRYPT_ROUNDS": "4",
        "LOG_LEVEL": "WARNING",
        "WEBHOOK_RETRY_BASE_S": "0.2",
        "WEBHOOK_POLL_S": "0.2",
        "WEBHOOK_TIMEOUT_S": "2",
    }
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "conference", "serve"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    return process, f"http://127.0.0.1:{port}"


async def test_a_replica_killed_mid_delivery_loses_nothing_and_repeats_nothing_after_a_2xx(
    make_api, postgres, livekit, receiver, tmp_path
):
    receiver.hold_once_s = 8  # the first attempt hangs until its replica is gone
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    await migrate(database)
    engine = create_engine(database)
    _, key = await create_api_key(async_sessionmaker(engine, expire_on_commit=False), "portal")
    await engine.dispose()
    jwt_secret = "replica-test-" + "x" * 32
    process, url = start_replica(database, livekit, jwt_secret, tmp_path / "replica.log")
    try:
        await wait_healthy(process, url, tmp_path / "replica.log")
        async with aiohttp.ClientSession(base_url=url) as http:
            made = await http.post(
                "/api/v1/webhooks", json={"url": receiver.url, "events": ["chat.message"]}, headers=key_headers(key)
            )
            receiver.secret = (await made.json())["secret"]
            room_id = (await (await http.post("/api/v1/rooms", json={"name": "R"}, headers=key_headers(key))).json())[
                "id"
            ]
            body = {"login": "t" + uuid.uuid4().hex[:8], "password": "password123"}
            teacher = await (await http.post("/api/v1/auth/register", json=body)).json()
            auth = {"Authorization": f"Bearer {teacher['access_token']}"}
            assert (await http.post(f"/api/v1/rooms/{room_id}/join", headers=auth)).status == 200
            for n in range(5):
                posted = await http.post(
                    f"/api/v1/rooms/{room_id}/chat/messages", json={"content": f"{n}"}, headers=auth
                )
                assert posted.status == 201
        await asyncio.wait_for(receiver.held.wait(), 15)
        process.kill()  # SIGKILL in the middle of the first attempt
        process.wait()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    async with make_api(database=database, jwt_secret=jwt_secret, **FAST):
        await receiver.wait_for(5, timeout=30)
        await asyncio.sleep(1)

    delivered = receiver.received(status=200)
    assert [d.body["data"]["content"] for d in delivered] == ["0", "1", "2", "3", "4"]  # nothing lost, in order
    assert Counter(d.webhook_id for d in delivered).most_common(1)[0][1] == 1  # none twice after a 2xx
    # The first message came twice: the attempt that hung when its replica died, then the survivor's.
    assert receiver.tries[delivered[0].webhook_id] == 2
    assert sum(receiver.tries.values()) == 6
