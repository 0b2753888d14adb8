"""Fault 4: LiveKit crashes mid-call (SIGKILL: no webhooks) and starts again 6 s later, with two rtc bots
in the call and load on the app. Joins during the outage get 503 livekit_unavailable within the
timeout once the roster LiveKit gave before the crash is no longer trusted (rooms/occupancy.py, 4 s);
the bots get back in (a fresh token recreates the room); the reconcile closes the call
LiveKit lost, so history shows it closed and the new one open."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp
import pytest

from tests.bots import Bot
from tests.faults.cluster import Replica, Replicas, record_figures
from tests.faults.load import Chatter, Traffic, settle_and_check
from tests.helpers import create_room, join, register
from tests.servers import free_port, start_livekit

pytestmark = [pytest.mark.faults, pytest.mark.livekit]
DOWN_S = 6.0  # longer than the 4 s a room's roster is trusted, so the later joins must meet the outage
ROSTER_TRUSTED_S = 4.0  # Occupancy(fresh_s): joins within it may be let in from what LiveKit said before
LIVEKIT_TIMEOUT_S = 5.0  # the app's RoomService deadline (conference/livekit.py)


async def sessions_of(api, account, room_id: str) -> list[dict]:
    response = await api.get(f"/api/v1/rooms/{room_id}/sessions", headers=account.headers)
    assert response.status == 200
    return (await response.json())["items"]


async def until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (found := await check()):
        assert time.monotonic() < deadline, f"{what} not within {timeout}s"
        await asyncio.sleep(0.2)
    return found


async def enter(api, account, room_id: str, publish: bool) -> Bot:
    """A media token (503 while LiveKit is away: ask again), then a fresh rtc connection."""
    while True:
        response = await api.post(f"/api/v1/rooms/{room_id}/media/token", headers=account.headers)
        if response.status == 200:
            break
        assert (response.status, (await response.json())["error"]["code"]) == (503, "livekit_unavailable")
        await asyncio.sleep(0.3)
    grant = await response.json()
    bot = await Bot(account.id).connect(grant["livekit_url"], grant["token"])
    if publish:
        await bot.publish_video()
    return bot


async def test_a_livekit_crash_mid_call_ends_in_correct_history_and_bots_back_in(fresh_database, http, tmp_path):
    port = free_port()
    server = await asyncio.to_thread(
        start_livekit, tmp_path / "livekit", f"http://127.0.0.1:{port}/api/v1/livekit/webhook"
    )
    app = Replica(
        "a", fresh_database, server.ws_url, server.http_url, tmp_path, port=port, env={"LIVEKIT_RECONCILE_S": "1"}
    )
    bots: list[Bot] = []
    try:
        async with Replicas(app), aiohttp.ClientSession(base_url=app.url) as api:
            host, guest, visitor = await register(api), await register(api), await register(api)
            room = await create_room(api, host)
            for person in (host, guest, visitor):
                await join(api, person, room["id"])
            bots = [await enter(api, host, room["id"], publish=True), await enter(api, guest, room["id"], False)]
            assert await bots[1].video_frames_from(host.id, count=3)

            async def both_in_call():
                items = await sessions_of(api, host, room["id"])
                live = [p for p in items[0]["participants"] if p["left_at"] is None] if items else []
                return len(live) == 2

            await until(both_in_call, 20, "webhooks recording both bots")
            chatters = [Chatter(f"p{n}", p, room["id"], [app.url]) for n, p in enumerate((host, guest))]
            sending, stop = asyncio.Event(), asyncio.Event()
            for chatter in chatters:
                chatter.start(http, sending)
            await asyncio.gather(*(c.wait_ready() for c in chatters))
            room_calls = [
                ("POST", f"/api/v1/rooms/{room['id']}/join"),
                ("POST", f"/api/v1/rooms/{room['id']}/media/token"),
            ]
            traffic = Traffic(app.url, visitor, room_calls, 0.2)
            loop = asyncio.create_task(traffic.run(http, stop))
            sending.set()
            await asyncio.sleep(1)

            server.kill()  # no webhooks, no goodbyes
            down = time.monotonic()
            await asyncio.sleep(DOWN_S)
            starting = time.monotonic()  # what began before this met no LiveKit at all
            server.start_again()
            await asyncio.to_thread(server.wait_until, server.answers_http, 30, "answering HTTP again")
            up = time.monotonic()
            for bot in bots:
                await bot.close()
            bots = [await enter(api, host, room["id"], publish=True), await enter(api, guest, room["id"], False)]
            assert await bots[1].video_frames_from(host.id, count=3)
            media_back = time.monotonic() - up

            async def history_right():
                items = await sessions_of(api, host, room["id"])
                if len(items) != 2:
                    return None
                new, old = items
                fixed = old["ended_at"] and all(p["left_at"] for p in old["participants"])
                live = new["ended_at"] is None and sorted(p["user_id"] for p in new["participants"] if not p["left_at"])
                return items if fixed and live == sorted([host.id, guest.id]) else None

            new, old = await until(history_right, 20, "call history reconciled")
            history_fixed = time.monotonic() - up
            assert {p["user_id"] for p in old["participants"]} == {host.id, guest.id}
            sending.clear()
            stop.set()
            await loop
            counts = await settle_and_check(http, app.url, host, room["id"], chatters)
            for chatter in chatters:
                await chatter.close()

            ended = await api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
            assert ended.status == 200
            await asyncio.gather(*(bot.wait_disconnected() for bot in bots))

            async def all_closed():
                items = await sessions_of(api, host, room["id"])
                return all(s["ended_at"] and all(p["left_at"] for p in s["participants"]) for s in items)

            await until(all_closed, 20, "the ended call closed by its webhooks")
    finally:
        for bot in bots:
            await bot.close()
        server.stop()

    during = traffic.between(down, starting)
    untrusted = traffic.between(down + ROSTER_TRUSTED_S, starting)
    outcomes = Counter((x.status, x.code) for x in untrusted if x.what.endswith("/join"))
    assert outcomes and set(outcomes) <= {(503, "livekit_unavailable")}, outcomes
    early = Counter(
        (x.status, x.code) for x in traffic.between(down, down + ROSTER_TRUSTED_S) if x.what.endswith("/join")
    )
    assert set(early) <= {(200, ""), (503, "livekit_unavailable")}, early
    slowest = max(x.took_s for x in during)
    assert slowest < LIVEKIT_TIMEOUT_S + 0.5, slowest
    record_figures(
        "livekit_restart",
        **counts,
        down_s=round(starting - down, 2),
        livekit_start_took_s=round(up - starting, 2),
        joins_during_outage=sum(outcomes.values()),
        joins_answered_503_livekit_unavailable=outcomes[(503, "livekit_unavailable")],
        slowest_answer_during_outage_s=round(slowest, 3),
        bots_back_with_media_after_start_s=round(media_back, 2),
        history_reconciled_after_start_s=round(history_fixed, 2),
        reconcile_every_s=1,
    )
