"""Per-user limits: each one is hit, answers 429 rate_limited with Retry-After over HTTP (an error
frame with code rate_limited over the socket), and leaves other users alone."""

from __future__ import annotations

import asyncio
import time
import uuid

from tests.helpers import create_room, error_of, join, register
from tests.realtime.sockets import Socket, connect
from tests.realtime.test_event_models import problems_of


async def fresh_window(seconds: int, needed: float = 3.0) -> None:
    """Fixed windows: start a test early in one, so its hits cannot straddle two."""
    left = seconds - time.time() % seconds
    if left < needed:
        await asyncio.sleep(left + 0.05)


async def limited(response, window_s: int) -> None:
    assert await error_of(response) == (429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= window_s


async def post_chat(api, account, room_id: str, content: str = "hi"):
    return await api.post(f"/api/v1/rooms/{room_id}/chat/messages", json={"content": content}, headers=account.headers)


async def post_dm(api, account, to: str, content: str = "hi"):
    return await api.post(f"/api/v1/dm/{to}/messages", json={"content": content}, headers=account.headers)


async def test_messages_count_room_chat_and_direct_messages_over_http_and_the_socket_together(make_api):
    async with make_api("sqlite", messages_per_10s=3) as api:
        alice, bob = await register(api), await register(api)
        room = await create_room(api, alice)
        await join(api, bob, room["id"])
        ws = await connect(api, alice)
        await ws.expect("ready")
        await fresh_window(10)
        assert (await post_chat(api, alice, room["id"], "one")).status == 201
        await ws.send(type="dm.send", to=bob.id, content="two", client_id="c2")
        await ws.expect("ack")
        assert (await post_dm(api, alice, bob.id, "three")).status == 201

        await limited(await post_chat(api, alice, room["id"], "four"), 10)
        await limited(await post_dm(api, alice, bob.id, "five"), 10)
        await ws.send(type="chat.send", room_id=room["id"], content="six", client_id="c6")
        refused = await ws.expect("error", code="rate_limited")
        assert refused["data"]["client_id"] == "c6" and 1 <= refused["data"]["retry_after"] <= 10
        assert problems_of(refused) == []

        assert (await post_chat(api, bob, room["id"], "bob is fine")).status == 201
        history = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=bob.headers)).json()
        assert [m["content"] for m in history["items"]] == ["one", "bob is fine"]


async def test_messages_have_a_per_minute_pace_too(make_api):
    async with make_api("sqlite", messages_per_minute=3) as api:
        alice, bob = await register(api), await register(api)
        await fresh_window(60, needed=5)
        for n in range(3):
            assert (await post_dm(api, alice, bob.id, f"m{n}")).status == 201
        await limited(await post_dm(api, alice, bob.id, "one too many"), 60)
        assert (await post_dm(api, bob, alice.id, "bob is fine")).status == 201


async def test_every_replica_counts_a_users_messages_together(make_api, postgres, redis_server):
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    async with (
        make_api(database=database, redis_url=redis_server.url, messages_per_10s=3) as one,
        make_api(database=database, redis_url=redis_server.url, messages_per_10s=3) as two,
    ):
        alice, bob = await register(one), await register(one)
        await fresh_window(10)
        for api in (one, two, one):
            assert (await post_dm(api, alice, bob.id)).status == 201
        await limited(await post_dm(two, alice, bob.id), 10)
        assert (await post_dm(two, bob, alice.id)).status == 201


async def test_typing_frames_are_limited_per_user(make_api):
    async with make_api("sqlite", typing_per_10s=2) as api:
        alice, bob, carol = await register(api), await register(api), await register(api)
        a, b, c = await connect(api, alice), await connect(api, bob), await connect(api, carol)
        for ws in (a, b, c):
            await ws.expect("ready")
        await fresh_window(10)
        await a.send(type="typing", to=bob.id)
        await a.send(type="typing", to=carol.id)
        await b.expect("typing")
        await c.expect("typing")
        await a.send(type="typing", to=carol.id, client_id="t3")
        refused = await a.expect("error", code="rate_limited")
        assert refused["data"]["client_id"] == "t3" and 1 <= refused["data"]["retry_after"] <= 10
        await b.send(type="typing", to=alice.id)  # bob's own budget
        assert (await a.expect("typing"))["data"]["user"]["id"] == bob.id


async def ring(api, caller, callee):
    return await api.post("/api/v1/calls", json={"user_id": callee.id}, headers=caller.headers)


async def test_a_caller_rings_a_limited_number_of_times_a_minute(make_api):
    async with make_api("sqlite", calls_per_minute=2) as api:
        alice, bob, carol = await register(api), await register(api), await register(api)
        await fresh_window(60, needed=5)
        for _ in range(2):
            call = await ring(api, alice, bob)
            assert call.status == 201
            await api.post(f"/api/v1/calls/{(await call.json())['id']}/cancel", headers=alice.headers)
        await limited(await ring(api, alice, carol), 60)
        assert (await ring(api, carol, bob)).status == 201


async def test_one_ring_at_a_time_per_caller_and_callee_and_rings_never_make_anyone_busy(api):
    alice, bob, carol = await register(api), await register(api), await register(api)
    first = await ring(api, alice, bob)
    assert first.status == 201
    again = await ring(api, alice, bob)
    assert await error_of(again) == (409, "conflict")
    assert "already ringing" in (await again.json())["error"]["message"]
    assert (await ring(api, carol, bob)).status == 201  # bob is rung, not busy
    cancelled = await api.post(f"/api/v1/calls/{(await first.json())['id']}/cancel", headers=alice.headers)
    assert cancelled.status == 200
    assert (await ring(api, alice, bob)).status == 201


async def test_a_repeated_knock_while_waiting_is_the_same_202_and_tells_the_hosts_once(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host, waiting_room=True)
    host_ws = await connect(api, host)
    await host_ws.expect("ready")
    answers = [await api.post(f"/api/v1/rooms/{room['id']}/join", headers=guest.headers) for _ in range(3)]
    assert [a.status for a in answers] == [202, 202, 202]
    bodies = [await a.json() for a in answers]
    assert bodies[0] == bodies[1] == bodies[2]
    await host_ws.expect("lobby.request")
    assert [f for f in await host_ws.quiet(0.5) if f["type"] == "lobby.request"] == []
    lobby = await (await api.get(f"/api/v1/rooms/{room['id']}/lobby", headers=host.headers)).json()
    assert [item["user"]["id"] for item in lobby["items"]] == [guest.id]


async def test_lobby_knocks_are_limited_per_user(make_api):
    async with make_api("sqlite", lobby_knocks_per_minute=2) as api:
        host, guest, other = await register(api), await register(api), await register(api)
        room = await create_room(api, host, waiting_room=True)
        url = f"/api/v1/rooms/{room['id']}"
        await fresh_window(60, needed=5)
        for _ in range(2):  # knock, then walk away from the waiting page
            assert (await api.post(url + "/join", headers=guest.headers)).status == 202
            assert (await api.post(url + "/leave", headers=guest.headers)).status == 204
        await limited(await api.post(url + "/join", headers=guest.headers), 60)
        assert (await api.post(url + "/join", headers=other.headers)).status == 202


async def test_a_user_keeps_a_limited_number_of_sockets_open(make_api):
    async with make_api("sqlite", sockets_per_user=3) as api:
        alice, bob = await register(api), await register(api)
        sockets = [await connect(api, alice) for _ in range(3)]
        for ws in sockets:
            await ws.expect("ready")
        extra = await connect(api, alice)
        refused = await extra.frame()
        assert refused["type"] == "error" and refused["data"]["code"] == "rate_limited"
        code, reason = await extra.closed()
        assert code == 4429 and "too many open connections" in reason
        await (await connect(api, bob)).expect("ready")
        await sockets[0].close()
        await asyncio.sleep(0.2)
        await (await connect(api, alice)).expect("ready")


async def test_every_replica_counts_a_users_sockets_together(make_api, postgres, redis_server):
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    async with (
        make_api(database=database, redis_url=redis_server.url, sockets_per_user=3) as one,
        make_api(database=database, redis_url=redis_server.url, sockets_per_user=3) as two,
    ):
        alice = await register(one)
        opened: list[Socket] = []
        for api in (one, one, two):
            opened.append(await connect(api, alice))
            await opened[-1].expect("ready")
        extra = await connect(two, alice)
        code, _ = await extra.closed()
        assert code == 4429
        await opened[0].close()
        await asyncio.sleep(0.3)
        await (await connect(two, alice)).expect("ready")


async def test_socket_tickets_are_limited_per_user(make_api):
    async with make_api("sqlite", ws_tickets_per_minute=2) as api:
        alice, bob = await register(api), await register(api)
        await fresh_window(60, needed=5)
        for _ in range(2):
            assert (await api.post("/api/v1/ws/ticket", headers=alice.headers)).status == 200
        await limited(await api.post("/api/v1/ws/ticket", headers=alice.headers), 60)
        assert (await api.post("/api/v1/ws/ticket", headers=bob.headers)).status == 200


async def test_a_refused_socket_is_not_counted(make_api):
    async with make_api("sqlite", sockets_per_user=1) as api:
        alice = await register(api)
        first = await connect(api, alice)
        await first.expect("ready")
        for _ in range(3):
            extra = await connect(api, alice)
            assert (await extra.closed())[0] == 4429
        await first.close()
        await asyncio.sleep(0.2)
        again = await connect(api, alice)
        await again.expect("ready")
        await again.send(type="ping")
        await again.expect("pong")
