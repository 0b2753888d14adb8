"""Operations that write and then call LiveKit are safe to retry: when LiveKit is away (503
livekit_unavailable), what was written lets the same request succeed once LiveKit is back."""

from __future__ import annotations

import pytest

from tests.helpers import create_room, error_of, join, register
from tests.proxy import TcpProxy
from tests.realtime.sockets import connect

pytestmark = pytest.mark.livekit


@pytest.fixture
async def flaky_livekit(livekit):
    """LiveKit's RoomService behind a proxy that a test can cut and restore."""
    async with TcpProxy(livekit.port) as proxy:
        yield proxy


async def test_a_join_during_an_outage_leaves_nothing_behind_and_works_later(make_api, flaky_livekit):
    async with make_api("sqlite", livekit_api_url=flaky_livekit.url) as api:
        host, guest = await register(api), await register(api)
        room = await create_room(api, host)
        flaky_livekit.cut_all()
        response = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=guest.headers)
        assert await error_of(response) == (503, "livekit_unavailable")
        token = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
        assert await error_of(token) == (403, "forbidden")  # not let in by the failed join
        flaky_livekit.cut = False
        assert (await join(api, guest, room["id"]))["role"] == "participant"


async def test_an_accept_whose_join_failed_can_be_accepted_again(make_api, flaky_livekit):
    async with make_api("sqlite", livekit_api_url=flaky_livekit.url) as api:
        caller, callee = await register(api), await register(api)
        caller_ws = await connect(api, caller)
        await caller_ws.expect("ready")
        call = await (await api.post("/api/v1/calls", json={"user_id": callee.id}, headers=caller.headers)).json()
        flaky_livekit.cut_all()
        failed = await api.post(f"/api/v1/calls/{call['id']}/accept", headers=callee.headers)
        assert await error_of(failed) == (503, "livekit_unavailable")
        assert await caller_ws.quiet(0.5) == []  # still ringing: the caller heard nothing
        flaky_livekit.cut = False
        accepted = await api.post(f"/api/v1/calls/{call['id']}/accept", headers=callee.headers)
        assert accepted.status == 200 and (await accepted.json())["token"]
        assert (await caller_ws.expect("call.accepted"))["data"]["id"] == call["id"]
        # The answer got lost on the way, say: accepting again joins again, and tells nobody twice.
        again = await api.post(f"/api/v1/calls/{call['id']}/accept", headers=callee.headers)
        assert again.status == 200 and (await again.json())["room_id"] == call["room_id"]
        assert await caller_ws.quiet(0.5) == []


async def test_ending_during_an_outage_keeps_the_room_and_a_retry_ends_it(make_api, flaky_livekit):
    async with make_api("sqlite", livekit_api_url=flaky_livekit.url) as api:
        host, guest = await register(api), await register(api)
        room = await create_room(api, host)
        await join(api, guest, room["id"])
        flaky_livekit.cut_all()
        failed = await api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
        assert await error_of(failed) == (503, "livekit_unavailable")
        assert (await (await api.get(f"/api/v1/rooms/{room['id']}", headers=host.headers)).json())["status"] == "active"
        flaky_livekit.cut = False
        ended = await api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
        assert ended.status == 200 and (await ended.json())["status"] == "ended"
        twice = await api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
        assert twice.status == 200 and (await twice.json())["status"] == "ended"
