"""Two app processes sharing PostgreSQL and Redis behave as one: events posted through one reach
sockets on the other, presence is shared, and a killed replica's users lapse offline."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid

import aiohttp

from tests.helpers import Account, create_room, join, register
from tests.realtime.sockets import connect
from tests.servers import REPO, free_port, log_tail

PRESENCE_TTL_S = 2


async def befriend(api, a: Account, b: Account) -> None:
    await api.post("/api/v1/contacts", json={"user_id": b.id}, headers=a.headers)
    response = await api.post(f"/api/v1/contacts/{a.id}/accept", headers=b.headers)
    assert response.status == 200


async def test_a_client_on_one_replica_sees_what_was_posted_through_the_other(make_api, postgres, redis_server):
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    async with (
        make_api(database=database, redis_url=redis_server.url) as one,
        make_api(database=database, redis_url=redis_server.url) as two,
    ):
        alice, bob = await register(one), await register(two)
        room = await create_room(one, alice)
        await join(two, bob, room["id"])
        await befriend(one, alice, bob)
        a = await connect(one, alice)
        await a.expect("ready")
        b = await connect(two, bob)
        await b.expect("ready")
        assert (await a.expect("presence", user_id=bob.id))["data"]["online"] is True
        assert (await (await one.get(f"/api/v1/users/{bob.id}", headers=alice.headers)).json())["online"] is True

        posted = await (
            await two.post(
                f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": "from two"}, headers=bob.headers
            )
        ).json()
        assert (await a.expect("chat.message"))["data"]["id"] == posted["id"]
        assert (await b.expect("chat.message"))["data"]["id"] == posted["id"]

        await a.send(type="dm.send", to=bob.id, content="across replicas", client_id="x")
        ack = await a.expect("ack")
        assert (await b.expect("dm.message"))["data"]["id"] == ack["data"]["id"]
        assert (await a.expect("dm.receipt"))["data"]["status"] == "delivered"  # recorded by replica two

        await b.send(type="typing", room_id=room["id"])
        assert (await a.expect("typing"))["data"]["user"]["id"] == bob.id

        async def post(api, account, n):
            response = await api.post(
                f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": f"n{n}"}, headers=account.headers
            )
            assert response.status == 201

        await asyncio.gather(*(post(one if n % 2 else two, alice if n % 2 else bob, n) for n in range(20)))
        order_a = [(await a.expect("chat.message"))["data"]["id"] for _ in range(20)]
        order_b = [(await b.expect("chat.message"))["data"]["id"] for _ in range(20)]
        assert order_a == order_b == sorted(order_a)

        await b.close()
        assert (await a.expect("presence", user_id=bob.id))["data"]["online"] is False


def start_replica(settings, database: str, redis_url: str, log_path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "LIVEKIT_URL": settings.livekit_url,
        "LIVEKIT_API_URL": settings.livekit_api_url,
        "LIVEKIT_API_KEY": settings.livekit_api_key,
        "LIVEKIT_API_SECRET": settings.livekit_api_secret,
        "JWT_SECRET": settings.jwt_secret,
        "PRESENCE_TTL_S": str(PRESENCE_TTL_S),
        "LOG_LEVEL": "WARNING",
    }
    log = open(log_path, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "conference", "serve"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    return process, f"http://127.0.0.1:{port}"


async def wait_healthy(process, url: str, log_path) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(150):
            assert process.poll() is None, log_tail(log_path)
            try:
                async with session.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("replica did not come up:\n" + log_tail(log_path))


async def test_killing_a_replica_turns_its_users_offline_within_the_ttl(make_api, postgres, redis_server, tmp_path):
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    async with make_api(database=database, redis_url=redis_server.url, presence_ttl_s=PRESENCE_TTL_S) as one:
        process, url = start_replica(one.settings, database, redis_server.url, tmp_path / "replica.log")
        try:
            await wait_healthy(process, url, tmp_path / "replica.log")
            alice, bob = await register(one), await register(one)
            await befriend(one, alice, bob)
            a = await connect(one, alice)
            await a.expect("ready")
            async with aiohttp.ClientSession() as session:
                b = await connect(session, bob, base=url)
                await b.expect("ready")
                assert (await a.expect("presence", user_id=bob.id))["data"]["online"] is True
                assert (await (await one.get(f"/api/v1/users/{bob.id}", headers=alice.headers)).json())["online"]

                process.kill()  # no goodbye: the socket is not closed, the replica just stops
                killed = time.monotonic()
                process.wait()
                while (await (await one.get(f"/api/v1/users/{bob.id}", headers=alice.headers)).json())["online"]:
                    assert time.monotonic() - killed < PRESENCE_TTL_S + 0.5, "still online after the TTL"
                    await asyncio.sleep(0.05)
                went = await a.expect("presence", user_id=bob.id, timeout=PRESENCE_TTL_S)
                assert went["data"]["online"] is False  # contacts are told by a surviving replica
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
