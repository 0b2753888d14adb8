"""Read positions and unread counts: room chat keeps a position per reader, direct messages their
read marks; GET /unread sums them and every device of the reader hears `read.position`."""

from __future__ import annotations

import asyncio

from tests.helpers import create_room, error_of, join, register
from tests.realtime.sockets import connect


async def post(api, account, room_id: str, content: str) -> dict:
    response = await api.post(
        f"/api/v1/rooms/{room_id}/chat/messages", json={"content": content}, headers=account.headers
    )
    assert response.status == 201
    return await response.json()


async def unread(api, account) -> dict:
    response = await api.get("/api/v1/unread", headers=account.headers)
    assert response.status == 200
    return await response.json()


async def read_room(api, account, room_id: str, message_id):
    return await api.post(
        f"/api/v1/rooms/{room_id}/chat/read", json={"message_id": message_id}, headers=account.headers
    )


async def test_room_unread_counts_others_messages_after_the_position(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    first = await post(api, host, room["id"], "one")
    await post(api, guest, room["id"], "my own")
    second = await post(api, host, room["id"], "two")
    deleted = await post(api, host, room["id"], "gone")
    await api.delete(f"/api/v1/rooms/{room['id']}/chat/messages/{deleted['id']}", headers=host.headers)
    assert await unread(api, guest) == {
        "total": 2,
        "rooms": [{"room_id": room["id"], "unread": 2, "last_read_id": None}],
        "dms": [],
        "groups": [],
    }
    response = await read_room(api, guest, room["id"], first["id"])
    assert response.status == 200
    assert await response.json() == {
        "kind": "room",
        "conversation_id": room["id"],
        "message_id": first["id"],
        "unread": 1,
    }
    assert (await unread(api, guest))["rooms"] == [{"room_id": room["id"], "unread": 1, "last_read_id": first["id"]}]
    await read_room(api, guest, room["id"], second["id"])
    back = await (await read_room(api, guest, room["id"], first["id"])).json()
    assert back["message_id"] == second["id"], "a position never moves back"
    assert await unread(api, guest) == {"total": 0, "rooms": [], "dms": [], "groups": []}


async def test_dm_unread_and_the_total(api):
    alice, bob = await register(api), await register(api)
    for n in range(3):
        await api.post(f"/api/v1/dm/{bob.id}/messages", json={"content": f"m{n}"}, headers=alice.headers)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])
    await post(api, alice, room["id"], "in the room")
    counts = await unread(api, bob)
    assert counts["dms"] == [{"user_id": alice.id, "unread": 3}] and counts["total"] == 4
    await api.post(f"/api/v1/dm/{alice.id}/read", json={}, headers=bob.headers)
    assert (await unread(api, bob))["total"] == 1


async def test_reading_on_one_device_tells_the_others(api):
    alice, bob = await register(api), await register(api)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])
    message = await post(api, alice, room["id"], "hi")
    dm = await (await api.post(f"/api/v1/dm/{bob.id}/messages", json={"content": "psst"}, headers=alice.headers)).json()
    laptop, phone = await connect(api, bob), await connect(api, bob)
    for ws in (laptop, phone):
        await ws.expect("ready")
    await read_room(api, bob, room["id"], message["id"])
    await api.post(f"/api/v1/dm/{alice.id}/read", json={}, headers=bob.headers)
    for ws in (laptop, phone):
        room_read = await ws.expect("read.position", kind="room")
        assert room_read["data"] == {
            "kind": "room",
            "conversation_id": room["id"],
            "message_id": message["id"],
            "unread": 0,
        }
        dm_read = await ws.expect("read.position", kind="dm")
        assert dm_read["data"] == {"kind": "dm", "conversation_id": alice.id, "message_id": dm["id"], "unread": 0}


async def test_bad_read_marks_are_refused(api):
    host, stranger = await register(api), await register(api)
    room = await create_room(api, host)
    other = await create_room(api, host)
    elsewhere = await post(api, host, other["id"], "elsewhere")
    assert await error_of(await read_room(api, host, room["id"], elsewhere["id"])) == (404, "not_found")
    assert await error_of(await read_room(api, host, room["id"], 0)) == (400, "validation_failed")
    assert await error_of(await read_room(api, host, room["id"], "1")) == (400, "validation_failed")
    assert await error_of(await read_room(api, stranger, other["id"], elsewhere["id"])) == (403, "forbidden")


async def test_two_devices_reading_at_once_both_succeed_and_the_further_one_wins(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    ids = [(await post(api, host, room["id"], f"m{n}"))["id"] for n in range(3)]
    answers = await asyncio.gather(*(read_room(api, guest, room["id"], message_id) for message_id in ids * 2))
    assert [answer.status for answer in answers] == [200] * 6
    assert (await unread(api, guest))["rooms"] == []
    position = await (await read_room(api, guest, room["id"], ids[0])).json()
    assert position["message_id"] == ids[2] and position["unread"] == 0
