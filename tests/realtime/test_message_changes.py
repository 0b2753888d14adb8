"""Edits, deletes and reactions reach the other side live, also when the change is made on another
replica than the one holding the socket (two replicas over Redis and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from urllib.parse import quote

import pytest

from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect
from tests.realtime.test_event_models import problems_of

THUMBS = "👍"


@pytest.fixture(params=["one replica", "two replicas"])
def replicas(request, make_api):
    """(front, back): changes go to `front`, the sockets live on `back`."""

    @contextlib.asynccontextmanager
    async def start():
        if request.param == "one replica":
            async with make_api("sqlite") as app:
                yield app, app
            return
        database = request.getfixturevalue("postgres").create_database("t_" + uuid.uuid4().hex[:12])
        redis_url = request.getfixturevalue("redis_server").url
        async with (
            make_api(database=database, redis_url=redis_url) as front,
            make_api(database=database, redis_url=redis_url) as back,
        ):
            yield front, back

    return start


async def test_room_message_changes_reach_every_member_live(replicas):
    async with replicas() as (front, back):
        host, guest, outsider = await register(front), await register(front), await register(front)
        room = await create_room(front, host)
        await join(front, guest, room["id"])
        sockets = [await connect(back, account) for account in (host, guest, outsider)]
        for ws in sockets:
            await ws.expect("ready")
        host_ws, guest_ws, outsider_ws = sockets
        base = f"/api/v1/rooms/{room['id']}/chat/messages"
        message = await (await front.post(base, json={"content": "helo"}, headers=guest.headers)).json()

        edited = await (
            await front.patch(f"{base}/{message['id']}", json={"content": "hello"}, headers=guest.headers)
        ).json()
        reacted = await (
            await front.put(f"{base}/{message['id']}/reactions/{quote(THUMBS)}", headers=host.headers)
        ).json()
        deleted = await (await front.delete(f"{base}/{message['id']}", headers=host.headers)).json()

        for ws in (host_ws, guest_ws):
            frame = await ws.expect("chat.message.edited")
            assert frame["data"] == edited and problems_of(frame) == []
            frame = await ws.expect("chat.reaction")
            assert frame["data"] == reacted and frame["data"]["reactions"][0]["user_ids"] == [host.id]
            frame = await ws.expect("chat.message.deleted")
            assert frame["data"] == deleted and frame["data"]["deleted"] is True
        assert [f for f in await outsider_ws.quiet() if f["type"].startswith("chat.")] == []


async def test_direct_message_changes_reach_both_sides_live(replicas):
    async with replicas() as (front, back):
        alice, bob = await register(front), await register(front)
        alice_ws, bob_ws = await connect(back, alice), await connect(back, bob)
        for ws in (alice_ws, bob_ws):
            await ws.expect("ready")
        sent = await (
            await front.post(f"/api/v1/dm/{bob.id}/messages", json={"content": "hi"}, headers=alice.headers)
        ).json()
        url = f"/api/v1/dm/{bob.id}/messages/{sent['id']}"
        edited = await (await front.patch(url, json={"content": "hi!"}, headers=alice.headers)).json()
        reacted = await (
            await front.put(
                f"/api/v1/dm/{alice.id}/messages/{sent['id']}/reactions/{quote(THUMBS)}", headers=bob.headers
            )
        ).json()
        deleted = await (await front.delete(url, headers=alice.headers)).json()
        for ws in (alice_ws, bob_ws):
            assert (await ws.expect("dm.message.edited"))["data"] == edited
            assert (await ws.expect("dm.reaction"))["data"] == reacted
            assert (await ws.expect("dm.message.deleted"))["data"] == deleted


async def test_a_change_that_changes_nothing_tells_nobody(replicas):
    async with replicas() as (front, back):
        host = await register(front)
        room = await create_room(front, host)
        base = f"/api/v1/rooms/{room['id']}/chat/messages"
        message = await (await front.post(base, json={"content": "same"}, headers=host.headers)).json()
        await front.put(f"{base}/{message['id']}/reactions/{quote(THUMBS)}", headers=host.headers)
        ws = await connect(back, host)
        await ws.expect("ready")
        await front.patch(f"{base}/{message['id']}", json={"content": "same"}, headers=host.headers)
        await front.put(f"{base}/{message['id']}/reactions/{quote(THUMBS)}", headers=host.headers)
        await front.delete(f"{base}/{message['id']}/reactions/{quote('🎉')}", headers=host.headers)
        assert await ws.quiet(0.5) == []


async def test_reactions_at_once_are_told_one_at_a_time_so_the_last_event_has_them_all(replicas):
    async with replicas() as (front, back):
        host = await register(front)
        guests = [await register(front) for _ in range(4)]
        room = await create_room(front, host)
        for guest in guests:
            await join(front, guest, room["id"])
        ws = await connect(back, host)
        await ws.expect("ready")
        base = f"/api/v1/rooms/{room['id']}/chat/messages"
        message = await (await front.post(base, json={"content": "vote"}, headers=host.headers)).json()
        url = f"{base}/{message['id']}/reactions/{quote(THUMBS)}"
        answers = await asyncio.gather(*(front.put(url, headers=guest.headers) for guest in guests))
        assert [answer.status for answer in answers] == [200] * 4
        counts = [(await ws.expect("chat.reaction"))["data"]["reactions"][0]["count"] for _ in guests]
        assert counts == [1, 2, 3, 4]
