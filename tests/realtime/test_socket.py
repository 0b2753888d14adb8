"""The socket itself: heartbeats, and what bad frames get (who may connect: test_tickets.py)."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import WSMsgType

from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect


async def test_a_client_that_can_set_headers_may_use_the_bearer_header_instead_of_a_ticket(api):
    alice = await register(api)
    ws = await connect(api, alice, via="header")
    ready = await ws.expect("ready")
    assert ready["data"]["user_id"] == alice.id
    await ws.send(type="ping")
    assert (await ws.frame())["type"] == "pong"


async def test_a_peer_that_stops_answering_pings_is_dropped(make_api):
    async with make_api("sqlite", ws_heartbeat_s=0.5) as client:
        alice = await register(client)
        ws = (await connect(client, alice, autoping=False)).ws
        kinds = []

        async def read():
            while True:
                message = await ws.receive()
                kinds.append(message.type)
                if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING, WSMsgType.ERROR):
                    return

        await asyncio.wait_for(read(), 5)  # the server pings, gets no pong, and closes
        assert WSMsgType.PING in kinds
        await asyncio.sleep(0.2)
        user = await (await client.get(f"/api/v1/users/{alice.id}", headers=alice.headers)).json()
        assert user["online"] is False


BAD_FRAMES = [
    ("not json at all", "invalid_json"),
    ('["chat.send"]', "invalid_frame"),
    ('{"content": "no type"}', "unknown_type"),
    ('{"type": "chat.shout", "room_id": "x", "content": "hi"}', "unknown_type"),
    ('{"type": "chat.send", "content": "no room", "client_id": "c1"}', "validation_failed"),
    ('{"type": "chat.send", "room_id": "ROOM", "client_id": "c1"}', "validation_failed"),
    ('{"type": "chat.send", "room_id": "ROOM", "content": "", "client_id": "c1"}', "validation_failed"),
    ('{"type": "chat.send", "room_id": "ROOM", "content": 42, "client_id": "c1"}', "validation_failed"),
    (
        '{"type": "chat.send", "room_id": "ROOM", "content": "%s", "client_id": "c1"}' % ("x" * 4001),
        "validation_failed",
    ),
    ('{"type": "chat.send", "room_id": "OTHER", "content": "not my room", "client_id": "c1"}', "forbidden"),
    ('{"type": "chat.send", "room_id": "zzz-zzzz-zzz", "content": "no such room", "client_id": "c1"}', "not_found"),
    ('{"type": "dm.send", "to": "nobody-at-all", "content": "hi", "client_id": "c1"}', "not_found"),
    ('{"type": "dm.send", "to": "ME", "content": "to myself", "client_id": "c1"}', "validation_failed"),
    ('{"type": "typing"}', "validation_failed"),
    ('{"type": "typing", "room_id": "OTHER"}', "forbidden"),
    ('{"type": "read", "message_id": "1"}', "validation_failed"),
    ('{"type": "read", "message_id": 999999}', "not_found"),
]


@pytest.mark.parametrize("raw, code", BAD_FRAMES)
async def test_a_bad_frame_gets_an_error_and_changes_nothing(shared_api, raw, code):
    api = shared_api
    alice, bob = await register(api), await register(api)
    room = await create_room(api, alice)
    other = await create_room(api, bob)
    ws = await connect(api, alice)
    await ws.expect("ready")
    raw = raw.replace("ROOM", room["id"]).replace("OTHER", other["id"]).replace('"ME"', json.dumps(alice.id))
    await ws.ws.send_str(raw)
    error = await ws.expect("error")
    assert error["data"]["code"] == code
    assert error["data"]["message"]
    assert "id" not in error
    if '"client_id": "c1"' in raw:
        assert error["data"]["client_id"] == "c1"
    # still open, and nothing was stored
    await ws.send(type="ping")
    await ws.expect("pong")
    for room_id, account in ((room["id"], alice), (other["id"], bob)):
        history = await (await api.get(f"/api/v1/rooms/{room_id}/chat/messages", headers=account.headers)).json()
        assert history["items"] == []
    assert (await (await api.get("/api/v1/dm", headers=alice.headers)).json())["items"] == []


async def test_binary_frames_are_refused_politely(api):
    alice = await register(api)
    ws = await connect(api, alice)
    await ws.expect("ready")
    await ws.ws.send_bytes(b"\x00\x01")
    assert (await ws.expect("error"))["data"]["code"] == "invalid_frame"


async def test_an_oversized_frame_closes_with_1009_and_others_carry_on(api):
    alice = await register(api)
    room = await create_room(api, alice)
    big, calm = await connect(api, alice), await connect(api, alice)
    await big.expect("ready")
    await calm.expect("ready")
    await big.send(type="chat.send", room_id=room["id"], content="x" * 200_000, client_id="big")
    code, _ = await big.closed()
    assert code == 1009
    await calm.send(type="chat.send", room_id=room["id"], content="still here", client_id="ok")
    assert (await calm.expect("ack"))["data"]["content"] == "still here"
    history = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=alice.headers)).json()
    assert [m["content"] for m in history["items"]] == ["still here"]


async def test_flooding_is_told_then_closed_with_1008(api):
    alice, bob = await register(api), await register(api)
    flood, bystander = await connect(api, alice), await connect(api, bob)
    await flood.expect("ready")
    await bystander.expect("ready")
    for _ in range(150):
        await flood.send(type="ping")
    kinds = []
    while True:
        message = await flood.ws.receive(timeout=5)
        if message.type != WSMsgType.TEXT:
            break
        kinds.append(json.loads(message.data)["type"] if "rate_limited" not in message.data else "rate_limited")
    assert flood.ws.close_code == 1008
    assert "pong" in kinds and "rate_limited" in kinds
    assert kinds.index("rate_limited") > kinds.index("pong")
    await bystander.send(type="ping")
    assert (await bystander.frame())["type"] == "pong"


async def test_typing_reaches_the_room_and_the_dm_peer_throttled_and_unstored(api):
    alice, bob, carol = await register(api), await register(api), await register(api)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])
    a, b, c = await connect(api, alice), await connect(api, bob), await connect(api, carol)
    for ws in (a, b, c):
        await ws.expect("ready")

    await a.send(type="typing", room_id=room["id"])
    await a.send(type="typing", room_id=room["id"])  # throttled: one event is enough
    frame = await b.expect("typing")
    assert "id" not in frame
    assert frame["data"]["room_id"] == room["id"] and frame["data"]["user"]["id"] == alice.id
    assert await b.quiet() == []
    assert await c.quiet(0.2) == []
    assert await a.quiet(0.2) == []  # not echoed to the typist

    await c.send(type="typing", to=alice.id)
    frame = await a.expect("typing")
    assert frame["data"]["user"]["id"] == carol.id and frame["data"]["to"] == alice.id
    assert await b.quiet(0.2) == []

    # nothing stored: a resume from before shows no typing
    resumed = await connect(api, bob, after="0")
    frames = []
    while (frame := await resumed.frame())["type"] != "ready":
        frames.append(frame["type"])
    assert "typing" not in frames


@pytest.mark.parametrize("after", ["abc", "¹2", "-1", "9" * 19])
async def test_an_after_that_is_no_event_id_skips_the_replay_and_says_so(api, after):
    alice = await register(api)
    ws = await connect(api, alice, after=after)
    error = await ws.expect("error")
    assert error["data"]["code"] == "validation_failed" and "replay skipped" in error["data"]["message"]
    await ws.send(type="ping")
    await ws.expect("pong")  # the socket lives on
