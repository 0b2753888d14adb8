"""Joining asks LiveKit who is in a room only when it matters: the room is created once, a roster
read a moment ago answers joins well below the limit, and near it LiveKit is asked again."""

from __future__ import annotations

import asyncio
from collections import Counter

from livekit import api as lkapi

from conference.deps import DEPS
from conference.errors import RoomFull
from tests.bots import bots
from tests.helpers import create_room, error_of, join, register


def count_livekit_calls(client) -> Counter:
    """Counts the RoomService calls the join path makes; each still goes to the real LiveKit."""
    livekit = client.server.app[DEPS].livekit
    calls: Counter = Counter()
    for name in ("ensure_room", "list_participants"):
        real = getattr(livekit, name)

        async def counted(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return await _real(*args, **kwargs)

        setattr(livekit, name, counted)
    return calls


async def test_a_burst_of_joins_well_below_the_limit_asks_livekit_once(live_api):
    host = await register(live_api)
    people = [await register(live_api) for _ in range(5)]
    room = await create_room(live_api, host, max_participants=20)
    calls = count_livekit_calls(live_api)
    answers = await asyncio.gather(*(join(live_api, person, room["id"]) for person in [host, *people]))
    assert {answer["role"] for answer in answers} == {"host", "participant"}
    assert calls == {"list_participants": 1, "ensure_room": 1}
    listed = await live_api.server.app[DEPS].livekit.rooms.list_rooms(lkapi.ListRoomsRequest(names=[room["id"]]))
    assert [made.name for made in listed.rooms] == [room["id"]]  # and the room exists in LiveKit


async def test_near_the_limit_livekit_decides_and_a_full_room_still_refuses(live_api):
    host, guest, third = await register(live_api), await register(live_api), await register(live_api)
    room = await create_room(live_api, host, max_participants=2)
    calls = count_livekit_calls(live_api)
    host_join = await join(live_api, host, room["id"])
    guest_join = await join(live_api, guest, room["id"])
    assert calls["list_participants"] == 2  # the second of two places is decided on LiveKit's word
    async with bots("host", "guest") as (host_bot, guest_bot):
        await host_bot.connect(host_join["livekit_url"], host_join["token"])
        await guest_bot.connect(guest_join["livekit_url"], guest_join["token"])
        full = await live_api.post(f"/api/v1/rooms/{room['id']}/join", headers=third.headers)
        assert await error_of(full) == (409, "room_full")
        assert (await join(live_api, guest, room["id"]))["role"] == "participant"  # a reload is not one more


async def test_a_closed_livekit_room_is_created_again(live_api):
    host = await register(live_api)
    room = await create_room(live_api, host)
    await join(live_api, host, room["id"])
    deps = live_api.server.app[DEPS]
    await deps.livekit.delete_room(room["id"])
    deps.occupancy.forget(room["id"])  # what LiveKit's room_finished webhook does
    calls = count_livekit_calls(live_api)
    await join(live_api, host, room["id"])
    assert calls == {"list_participants": 1, "ensure_room": 1}
    listed = await deps.livekit.rooms.list_rooms(lkapi.ListRoomsRequest(names=[room["id"]]))
    assert [made.name for made in listed.rooms] == [room["id"]]


def test_room_full_is_the_contract_error():
    assert (RoomFull.status, RoomFull.code) == (409, "room_full")


async def test_media_tokens_ask_livekit_for_the_room_only_once_its_last_answer_is_old(live_api):
    host = await register(live_api)
    room = await create_room(live_api, host)
    await join(live_api, host, room["id"])  # CreateRoom answered for the room just now
    calls = count_livekit_calls(live_api)
    for _ in range(3):
        minted = await live_api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=host.headers)
        assert minted.status == 200
    assert calls["ensure_room"] == 0
    deps = live_api.server.app[DEPS]
    await deps.livekit.delete_room(room["id"])
    deps.occupancy.forget(room["id"])  # what room_finished, close_room and the reconcile do
    minted = await live_api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=host.headers)
    assert minted.status == 200 and calls["ensure_room"] == 1
    listed = await deps.livekit.rooms.list_rooms(lkapi.ListRoomsRequest(names=[room["id"]]))
    assert [made.name for made in listed.rooms] == [room["id"]]  # the token's room exists again
