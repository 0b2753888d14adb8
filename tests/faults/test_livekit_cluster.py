"""Fault 6: a two-node LiveKit cluster (two livekit-server processes sharing one Redis) behind two app
replicas, each replica talking to its own node. Rooms land on both nodes; joins, mute, remove and end
work whichever node hosts the room and whichever replica gets the request; each node's webhooks reach
its replica and build the same call history; bots in rooms on different nodes exchange media."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
import redis.asyncio as aioredis
from livekit import rtc

from tests.bots import Bot
from tests.faults.cluster import Replica, Replicas, record_figures
from tests.faults.load import Chatter, Traffic, settle_and_check
from tests.helpers import create_room, join, register
from tests.servers import free_port, start_livekit, start_redis

pytestmark = [pytest.mark.faults, pytest.mark.livekit]
# Each new room goes to the node with the fewest rooms, so a few rooms cover both nodes.
PLACEMENT = "node_selector:\n  kind: any\n  sort_by: rooms\n"


@pytest.fixture
async def cluster(tmp_path):
    """Redis and two LiveKit nodes on it; yields (redis, [node1, node2], [app port 1, app port 2])."""
    redis = await asyncio.to_thread(start_redis, tmp_path / "redis")
    ports = [free_port(), free_port()]
    nodes = []
    try:
        for n, port in enumerate(ports):
            nodes.append(
                await asyncio.to_thread(
                    start_livekit,
                    tmp_path / f"livekit{n + 1}",
                    f"http://127.0.0.1:{port}/api/v1/livekit/webhook",
                    redis_address=f"127.0.0.1:{redis.port}",
                    extra_yaml=PLACEMENT,
                )
            )
        yield redis, nodes, ports
    finally:
        for node in nodes:
            node.stop()
        redis.stop()


async def until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (found := await check()):
        assert time.monotonic() < deadline, f"{what} not within {timeout}s"
        await asyncio.sleep(0.2)
    return found


async def test_two_livekit_nodes_serve_rooms_on_both_through_either_replica(cluster, fresh_database, http, tmp_path):
    redis, nodes, ports = cluster
    a, b = (
        Replica(name, fresh_database, node.ws_url, node.http_url, tmp_path, redis_url=redis.url, port=port)
        for name, node, port in zip(("a", "b"), nodes, ports, strict=True)
    )
    probe = aioredis.from_url(redis.url)
    bots: list[Bot] = []
    chatters: list[Chatter] = []
    try:
        async with (
            Replicas(a, b),
            aiohttp.ClientSession(base_url=a.url) as at_a,
            aiohttp.ClientSession(base_url=b.url) as at_b,
        ):
            host, guest = await register(at_a), await register(at_a)
            # Rooms one by one (each created in LiveKit through replica a's node) until both nodes host one.
            placed: dict[str, str] = {}  # room id -> LiveKit node id
            rooms = []
            while len(set(placed.values())) < 2:
                assert len(rooms) < 8, f"LiveKit placed every room on one node: {placed}"
                room = await create_room(at_a, host)
                rooms.append(room)
                await join(at_a, host, room["id"])
                node_of = await probe.hget("room_node_map", room["id"])
                assert node_of, "LiveKit keeps no placement for the room in Redis"
                placed[room["id"]] = node_of.decode()
                await asyncio.sleep(1.2)  # nodes report their room counts to Redis every second or so
            first = next(r for r in rooms if placed[r["id"]] == placed[rooms[0]["id"]])
            second = next(r for r in rooms if placed[r["id"]] != placed[first["id"]])
            pair = [first, second]

            lounge = await create_room(at_a, host, name="Lounge")  # chat goes on here, away from moderation
            await join(at_b, guest, lounge["id"])
            chatters = [Chatter("host", host, lounge["id"], [a.url]), Chatter("guest", guest, lounge["id"], [b.url])]
            sending, stop = asyncio.Event(), asyncio.Event()
            for chatter in chatters:
                chatter.start(http, sending)
            await asyncio.gather(*(c.wait_ready() for c in chatters))
            calls = [("POST", f"/api/v1/rooms/{r['id']}/media/token") for r in pair]
            traffic = [Traffic(a.url, host, calls, 0.2), Traffic(b.url, host, calls, 0.2)]
            loops = [asyncio.create_task(t.run(http, stop)) for t in traffic]
            sending.set()

            # In each room the host comes in through node 1 (replica a), the guest through node 2 (b).
            calls_in: dict[str, tuple[Bot, Bot, rtc.LocalTrackPublication]] = {}
            for room in pair:
                host_entry = await join(at_a, host, room["id"])
                guest_entry = await join(at_b, guest, room["id"])
                assert host_entry["livekit_url"] == nodes[0].ws_url and guest_entry["livekit_url"] == nodes[1].ws_url
                host_bot = await Bot("host").connect(host_entry["livekit_url"], host_entry["token"])
                guest_bot = await Bot("guest").connect(guest_entry["livekit_url"], guest_entry["token"])
                bots += [host_bot, guest_bot]
                await host_bot.publish_video()
                guest_video = await guest_bot.publish_video()
                calls_in[room["id"]] = (host_bot, guest_bot, guest_video)
            exchanged = time.monotonic()
            for room in pair:
                host_bot, guest_bot, _ = calls_in[room["id"]]
                assert await guest_bot.video_frames_from(host.id, count=3)
                assert await host_bot.video_frames_from(guest.id, count=3)
            media_s = time.monotonic() - exchanged

            # Moderation through the replica whose node does not host the room, and through the other.
            for room, (mute_via, remove_via, end_via) in zip(
                pair, ((at_b, at_a, at_b), (at_a, at_b, at_a)), strict=True
            ):
                host_bot, guest_bot, guest_video = calls_in[room["id"]]
                path = f"/api/v1/rooms/{room['id']}/participants/{guest.id}"
                muted = await mute_via.post(f"{path}/mute", json={"kind": "video"}, headers=host.headers)
                assert muted.status == 200 and (await muted.json())["muted"] == [guest_video.sid]

                async def seen_muted(host_bot=host_bot, sid=guest_video.sid):
                    return (guest.id, sid) in host_bot.muted

                await until(seen_muted, 10, "the host's bot seeing the guest muted")
                removed = await remove_via.post(f"{path}/remove", headers=host.headers)
                assert removed.status == 200
                assert await guest_bot.wait_disconnected() == rtc.DisconnectReason.PARTICIPANT_REMOVED
                ended = await end_via.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
                assert ended.status == 200
                assert await host_bot.wait_disconnected() == rtc.DisconnectReason.ROOM_DELETED

            async def history_of_both():
                found = []
                for room in pair:
                    answer = await (await at_a.get(f"/api/v1/rooms/{room['id']}/sessions", headers=host.headers)).json()
                    attended = [s for s in answer["items"] if s["participants"]]
                    if not attended or not attended[0]["ended_at"]:
                        return None
                    people = attended[0]["participants"]
                    if {p["user_id"] for p in people} != {host.id, guest.id} or not all(p["left_at"] for p in people):
                        return None
                    found.append(attended[0])
                return found

            await until(history_of_both, 20, "webhooks of both nodes in the call history")
            sending.clear()
            stop.set()
            await asyncio.gather(*loops)
            counts = await settle_and_check(http, a.url, host, lounge["id"], chatters)
    finally:
        for chatter in chatters:
            await chatter.close()
        for bot in bots:
            await bot.close()
        await probe.aclose()

    assert all(not c.errors and c.resyncs == 0 for c in chatters), [c.errors for c in chatters]
    answers = [x for t in traffic for x in t.answers]
    assert answers and {x.status for x in answers} <= {200, 409}, {(x.status, x.code) for x in answers}
    record_figures(
        "livekit_cluster",
        **counts,
        livekit_nodes=2,
        app_replicas=2,
        rooms_created_until_both_nodes_hosted_one=len(rooms),
        nodes_hosting_rooms=len(set(placed.values())),
        media_exchanged_in_both_rooms_within_s=round(media_s, 2),
        token_requests=len(answers),
    )
