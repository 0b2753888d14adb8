"""Direct calls: ring, accept (then real LiveKit media), decline, cancel, time out, busy."""

from __future__ import annotations

import asyncio

import pytest

from tests.bots import bots
from tests.helpers import error_of, register
from tests.realtime.sockets import connect


async def ring(api, caller, callee) -> dict:
    response = await api.post("/api/v1/calls", json={"user_id": callee.id}, headers=caller.headers)
    assert response.status == 201, await response.text()
    call = await response.json()
    assert call["status"] == "ringing" and call["room_id"] and call["id"]
    assert "call_id" not in call and call["caller"]["id"] == caller.id and call["callee"]["id"] == callee.id
    return call


async def test_a_call_rings_every_device_is_accepted_and_both_bots_meet_in_livekit(live_api):
    api = live_api
    caller = await register(api, display_name="Caller")
    callee = await register(api, display_name="Callee")
    caller_ws = await connect(api, caller)
    phone, laptop = await connect(api, callee), await connect(api, callee)
    for ws in (caller_ws, phone, laptop):
        await ws.expect("ready")

    call = await ring(api, caller, callee)
    for device in (phone, laptop):
        rung = await device.expect("call.ring")
        assert rung["data"]["id"] == call["id"] and rung["data"]["caller"]["display_name"] == "Caller"
        assert rung["data"]["room_id"] == call["room_id"]

    response = await api.post(f"/api/v1/calls/{call['id']}/accept", headers=callee.headers)
    assert response.status == 200
    answer = await response.json()
    assert set(answer) == {"token", "livekit_url", "identity", "expires_at", "room_id", "call_id"}
    assert answer["room_id"] == call["room_id"] and answer["call_id"] == call["id"] and answer["identity"] == callee.id
    accepted = await caller_ws.expect("call.accepted")
    assert accepted["data"]["id"] == call["id"]
    await laptop.expect("call.accepted")  # the other device stops ringing

    response = await api.post(f"/api/v1/rooms/{call['room_id']}/join", headers=caller.headers)
    assert response.status == 200
    caller_join = await response.json()
    assert caller_join["role"] == "host"

    async with bots("caller", "callee") as (caller_bot, callee_bot):
        await caller_bot.connect(caller_join["livekit_url"], caller_join["token"])
        await callee_bot.connect(answer["livekit_url"], answer["token"])
        await caller_bot.publish_video()
        frames = await callee_bot.video_frames_from(caller.id, 2)
        assert frames and frames[0].width > 0
        assert {p.identity for p in callee_bot.room.remote_participants.values()} == {caller.id}

    async def in_history(account):
        for _ in range(100):
            items = (await (await api.get("/api/v1/calls/history", headers=account.headers)).json())["items"]
            mine = [s for s in items if s["room_id"] == call["room_id"]]
            if mine and {p["user_id"] for p in mine[0]["participants"]} == {caller.id, callee.id}:
                return mine[0]
            await asyncio.sleep(0.1)
        raise AssertionError(f"call {call['room_id']} not in the history of {account.user['login']}")

    await in_history(caller)
    await in_history(callee)
    outsider = await register(api)
    locked = await api.post(f"/api/v1/rooms/{call['room_id']}/join", headers=outsider.headers)
    assert (await error_of(locked))[0] == 403


async def test_a_declined_call_tells_the_caller_and_closes_its_room(api):
    caller, callee = await register(api), await register(api)
    caller_ws = await connect(api, caller)
    await caller_ws.expect("ready")
    call = await ring(api, caller, callee)
    response = await api.post(f"/api/v1/calls/{call['id']}/decline", headers=callee.headers)
    assert response.status == 200 and (await response.json())["status"] == "declined"
    declined = await caller_ws.expect("call.declined")
    assert declined["data"]["id"] == call["id"]
    late = await api.post(f"/api/v1/calls/{call['id']}/accept", headers=callee.headers)
    assert await error_of(late) == (409, "conflict")
    joined = await api.post(f"/api/v1/rooms/{call['room_id']}/join", headers=caller.headers)
    assert await error_of(joined) == (409, "room_ended")


async def test_a_cancelled_call_stops_ringing_and_a_ring_waits_for_an_offline_callee(api):
    caller, callee = await register(api), await register(api)
    call = await ring(api, caller, callee)
    callee_ws = await connect(api, callee)  # came online while it rings: the ring is pending
    rung = await callee_ws.expect("call.ring")
    assert rung["data"]["id"] == call["id"]
    response = await api.post(f"/api/v1/calls/{call['id']}/cancel", headers=caller.headers)
    assert response.status == 200
    cancelled = await callee_ws.expect("call.cancelled")
    assert cancelled["data"]["status"] == "cancelled"
    again = await connect(api, callee)  # no longer pending
    assert (await again.frame())["type"] == "ready"


async def test_an_unanswered_call_ends_as_missed_for_both(make_api):
    async with make_api("sqlite", call_ring_timeout_s=0.5) as api:
        caller, callee = await register(api), await register(api)
        caller_ws, callee_ws = await connect(api, caller), await connect(api, callee)
        await caller_ws.expect("ready")
        await callee_ws.expect("ready")
        call = await ring(api, caller, callee)
        await callee_ws.expect("call.ring")
        for ws in (caller_ws, callee_ws):
            missed = await ws.expect("call.cancelled", timeout=3)
            assert missed["data"]["id"] == call["id"] and missed["data"]["status"] == "missed"
        late = await api.post(f"/api/v1/calls/{call['id']}/accept", headers=callee.headers)
        assert await error_of(late) == (409, "conflict")


async def test_a_callee_in_another_call_is_busy(api):
    alice, bob, carol, dave = await register(api), await register(api), await register(api), await register(api)
    first = await ring(api, alice, bob)
    # A ring does not make anyone busy: rings from several callers may wait at once.
    waiting = await ring(api, carol, bob)
    await api.post(f"/api/v1/calls/{waiting['id']}/cancel", headers=carol.headers)
    await api.post(f"/api/v1/calls/{first['id']}/accept", headers=bob.headers)
    response = await api.post("/api/v1/calls", json={"user_id": bob.id}, headers=dave.headers)
    assert await error_of(response) == (409, "busy")
    response = await api.post("/api/v1/calls", json={"user_id": bob.id}, headers=carol.headers)
    assert await error_of(response) == (409, "busy")
    response = await api.post("/api/v1/calls", json={"user_id": alice.id}, headers=carol.headers)
    assert await error_of(response) == (409, "busy")  # the caller is in that call too


@pytest.mark.parametrize(
    "who, path, body, status, code",
    [
        ("caller", "/calls", {"user_id": "CALLER"}, 400, "validation_failed"),
        ("caller", "/calls", {"user_id": "nobody"}, 404, "not_found"),
        ("caller", "/calls", {}, 400, "validation_failed"),
        ("caller", "/calls", {"user_id": ["x"]}, 400, "validation_failed"),
        ("caller", "/calls/CALL/accept", None, 403, "forbidden"),
        ("caller", "/calls/CALL/decline", None, 403, "forbidden"),
        ("callee", "/calls/CALL/cancel", None, 403, "forbidden"),
        ("stranger", "/calls/CALL/accept", None, 403, "forbidden"),
        ("callee", "/calls/no-such-call/accept", None, 404, "not_found"),
    ],
)
async def test_bad_call_requests(shared_api, who, path, body, status, code):
    api = shared_api
    people = {"caller": await register(api), "callee": await register(api), "stranger": await register(api)}
    call = await ring(api, people["caller"], people["callee"])
    path = path.replace("CALL", call["id"])
    if body and body.get("user_id") == "CALLER":
        body = {"user_id": people["caller"].id}
    response = await api.post("/api/v1" + path, json=body, headers=people[who].headers)
    assert await error_of(response) == (status, code)
    ws = await connect(api, people["callee"])
    assert (await ws.expect("call.ring"))["data"]["status"] == "ringing"  # still ringing, unchanged
