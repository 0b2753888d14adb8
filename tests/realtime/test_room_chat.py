"""Room chat over the WebSocket: posts through HTTP or chat.send reach every member, in order."""

from __future__ import annotations

import asyncio

from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect


async def test_a_message_posted_over_http_reaches_every_connected_member(api):
    host, guest, outsider = await register(api), await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    host_ws, guest_ws, outsider_ws = [await connect(api, a) for a in (host, guest, outsider)]
    for ws in (host_ws, guest_ws, outsider_ws):
        await ws.expect("ready")

    response = await api.post(
        f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": "hello all"}, headers=guest.headers
    )
    assert response.status == 201
    posted = await response.json()

    for ws in (host_ws, guest_ws):
        frame = await ws.expect("chat.message")
        assert frame["data"] == posted
        assert frame["id"].isdigit()
    assert await outsider_ws.quiet() == []


async def test_chat_send_is_acked_once_stored_and_delivered_in_stored_order(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    host_ws, guest_ws = await connect(api, host), await connect(api, guest)
    await host_ws.expect("ready")
    await guest_ws.expect("ready")

    for n in range(5):
        await guest_ws.send(type="chat.send", room_id=room["id"], content=f"m{n}", client_id=f"c{n}")
    posted_http = api.post(
        f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": "from http"}, headers=host.headers
    )
    await (await posted_http).json()

    acks = []
    while len(acks) < 5:
        frame = await guest_ws.frame()
        if frame["type"] == "ack":
            acks.append(frame)
            assert "id" not in frame
    assert [a["data"]["client_id"] for a in acks] == [f"c{n}" for n in range(5)]

    received = []
    while len(received) < 6:
        frame = await host_ws.expect("chat.message")
        received.append(frame)
    history = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=host.headers)).json()
    assert [f["data"]["id"] for f in received] == [m["id"] for m in history["items"]]
    ids = [int(f["id"]) for f in received]
    assert ids == sorted(ids) and len(set(ids)) == 6
    assert {a["data"]["id"] for a in acks} <= {m["id"] for m in history["items"]}


async def test_concurrent_posters_are_seen_in_the_same_order_by_everyone(api):
    host = await register(api)
    room = await create_room(api, host)
    posters = [await register(api) for _ in range(4)]
    for poster in posters:
        await join(api, poster, room["id"])
    watchers = [await connect(api, a) for a in [host, *posters]]
    for ws in watchers:
        await ws.expect("ready")

    async def post(account, n):
        response = await api.post(
            f"/api/v1/rooms/{room['id']}/chat/messages",
            json={"content": f"{account.user['login']} {n}"},
            headers=account.headers,
        )
        assert response.status == 201

    await asyncio.gather(*(post(a, n) for a in posters for n in range(5)))
    seen = []
    for ws in watchers:
        frames = [await ws.expect("chat.message") for _ in range(20)]
        seen.append([f["data"]["id"] for f in frames])
        event_ids = [int(f["id"]) for f in frames]
        assert event_ids == sorted(event_ids)
    assert all(order == seen[0] for order in seen)
    assert sorted(seen[0]) == seen[0]  # message ids follow the event order too
