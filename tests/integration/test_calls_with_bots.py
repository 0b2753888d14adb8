"""Real calls: livekit rtc bots join with tokens from our API, media flows through a real
livekit-server, the host ends the room, and LiveKit's own webhooks become call history."""

import asyncio
import time

import pytest
from livekit import api as lkapi
from livekit import rtc
from livekit.rtc.participant import PublishTrackError
from sqlalchemy import select

from conference.accounts.apikeys import create_api_key, revoke_api_key
from conference.calls.models import CallParticipant
from conference.deps import DEPS
from tests.bots import bots
from tests.helpers import create_room, error_of, join, register

pytestmark = pytest.mark.livekit


async def eventually(check, timeout: float = 20, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(every)


async def test_two_bots_call_the_host_ends_it_and_history_records_both(live_api):
    host, guest = await register(live_api, display_name="Host Bot"), await register(live_api, display_name="Guest")
    room = await create_room(live_api, host, name="Bot call")
    host_join, guest_join = await join(live_api, host, room["id"]), await join(live_api, guest, room["id"])

    async with bots("host", "guest") as (host_bot, guest_bot):
        await host_bot.connect(host_join["livekit_url"], host_join["token"])
        await guest_bot.connect(guest_join["livekit_url"], guest_join["token"])
        await host_bot.publish_camera_and_microphone()

        frames = await guest_bot.video_frames_from(host.id, count=5)
        assert all(frame.width > 0 and frame.height > 0 for frame in frames)
        kinds = {type(track) for track in guest_bot.subscribed[host.id]}
        assert rtc.RemoteAudioTrack in kinds

        listed = await (await live_api.get(f"/api/v1/rooms/{room['id']}/participants", headers=guest.headers)).json()
        by_identity = {p["identity"]: p for p in listed["items"]}
        assert set(by_identity) == {host.id, guest.id}
        assert by_identity[host.id]["role"] == "host" and by_identity[host.id]["name"] == "Host Bot"
        assert {t["source"] for t in by_identity[host.id]["tracks"]} == {"camera", "microphone"}

        await asyncio.sleep(1.5)  # a call of a couple of seconds, so durations are visibly non-zero
        ended = await live_api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
        assert ended.status == 200
        reasons = await asyncio.gather(host_bot.wait_disconnected(), guest_bot.wait_disconnected())
        assert all(reason == rtc.DisconnectReason.ROOM_DELETED for reason in reasons)

    async def finished_session():
        response = await live_api.get(f"/api/v1/rooms/{room['id']}/sessions", headers=guest.headers)
        items = (await response.json())["items"]
        if (
            items
            and items[0]["ended_at"]
            and len(items[0]["participants"]) == 2
            and all(p["left_at"] for p in items[0]["participants"])
        ):
            return items[0]
        return None

    session = await eventually(finished_session)
    assert session, "LiveKit's webhooks did not produce a finished session with both participants"
    attendance = {p["user_id"]: p for p in session["participants"]}
    assert set(attendance) == {host.id, guest.id}
    assert all(p["duration_s"] > 1 for p in attendance.values())
    assert attendance[guest.id]["display_name"] == "Guest"
    assert session["duration_s"] >= attendance[guest.id]["duration_s"]
    history = (await (await live_api.get("/api/v1/calls/history", headers=host.headers)).json())["items"]
    assert history[0]["id"] == session["id"]
    again = await live_api.post(f"/api/v1/rooms/{room['id']}/join", headers=guest.headers)
    assert await error_of(again) == (409, "room_ended")


async def test_a_viewer_token_cannot_publish(live_api):
    _, key = await create_api_key(live_api.server.app[DEPS].db, "portal")
    headers = {"Authorization": f"Bearer {key}"}
    room = await (await live_api.post("/api/v1/rooms", json={"name": "Lecture"}, headers=headers)).json()
    minted = await live_api.post(
        "/api/v1/tokens", headers=headers, json={"room": room["id"], "identity": "student-1", "role": "viewer"}
    )
    viewer_token = (await minted.json())["token"]
    async with bots("viewer") as (viewer,):
        await viewer.connect(live_api.settings.livekit_url, viewer_token)
        with pytest.raises(PublishTrackError):
            await viewer.publish_video()
        # LiveKit itself holds the viewer to no publishing, and nothing of theirs is in the room.
        seen = await live_api.server.app[DEPS].livekit.get_participant(room["id"], "ext:student-1")
        assert seen.permission.can_subscribe and not seen.permission.can_publish
        assert list(seen.tracks) == []


async def test_an_integrator_token_lets_a_bot_join_and_a_revoked_key_gets_401(live_api):
    key_id, key = await create_api_key(live_api.server.app[DEPS].db, "crm")
    headers = {"Authorization": f"Bearer {key}"}
    room = await (await live_api.post("/api/v1/rooms", json={"name": "Support"}, headers=headers)).json()
    minted = await (
        await live_api.post(
            "/api/v1/tokens", headers=headers, json={"room": room["id"], "identity": "crm-agent-1", "name": "Agent"}
        )
    ).json()
    assert minted["identity"] == "ext:crm-agent-1"  # integrators' identities live apart from user ids
    async with bots("agent", "customer") as (agent, customer):
        await agent.connect(minted["livekit_url"], minted["token"])
        await agent.publish_video()
        second = await (
            await live_api.post(
                "/api/v1/tokens", headers=headers, json={"room": room["id"], "identity": "crm-customer-9"}
            )
        ).json()
        await customer.connect(second["livekit_url"], second["token"])
        frames = await customer.video_frames_from("ext:crm-agent-1", count=3)
        assert frames
    await revoke_api_key(live_api.server.app[DEPS].db, key_id)
    revoked = await live_api.post("/api/v1/tokens", headers=headers, json={"room": room["id"], "identity": "x"})
    assert await error_of(revoked) == (401, "unauthorized")


async def test_an_integrator_identity_equal_to_a_user_id_never_reaches_that_users_history(live_api):
    alice = await register(live_api)
    _, key = await create_api_key(live_api.server.app[DEPS].db, "crm")
    headers = {"Authorization": f"Bearer {key}"}
    room = await (await live_api.post("/api/v1/rooms", json={"name": "Support"}, headers=headers)).json()
    response = await live_api.post("/api/v1/tokens", headers=headers, json={"room": room["id"], "identity": alice.id})
    minted = await response.json()
    assert minted["identity"] == f"ext:{alice.id}"
    claims = lkapi.TokenVerifier(live_api.settings.livekit_api_key, live_api.settings.livekit_api_secret).verify(
        minted["token"]
    )
    assert claims.identity == f"ext:{alice.id}"
    async with bots("lookalike") as (bot,):
        await bot.connect(minted["livekit_url"], minted["token"])

        async def attendance():
            async with live_api.server.app[DEPS].db() as db:
                return await db.scalar(select(CallParticipant).where(CallParticipant.identity == f"ext:{alice.id}"))

        seen = await eventually(attendance)
        assert seen is not None, "LiveKit's participant_joined webhook did not arrive"
        assert seen.user_id is None
    history = await (await live_api.get("/api/v1/calls/history", headers=alice.headers)).json()
    assert history["items"] == []


@pytest.mark.parametrize("identity", ["x" * 125, "", "has space", "semi;colon"])
async def test_bad_integrator_identities_are_refused(live_api, identity):
    _, key = await create_api_key(live_api.server.app[DEPS].db, "crm")
    headers = {"Authorization": f"Bearer {key}"}
    room = await (await live_api.post("/api/v1/rooms", json={"name": "Support"}, headers=headers)).json()
    response = await live_api.post("/api/v1/tokens", headers=headers, json={"room": room["id"], "identity": identity})
    assert await error_of(response) == (400, "validation_failed")


async def test_a_full_room_refuses_one_more(live_api):
    host, guest, third = await register(live_api), await register(live_api), await register(live_api)
    room = await create_room(live_api, host, max_participants=2)
    host_join, guest_join = await join(live_api, host, room["id"]), await join(live_api, guest, room["id"])
    async with bots("host", "guest") as (host_bot, guest_bot):
        await host_bot.connect(host_join["livekit_url"], host_join["token"])
        await guest_bot.connect(guest_join["livekit_url"], guest_join["token"])
        full = await live_api.post(f"/api/v1/rooms/{room['id']}/join", headers=third.headers)
        assert await error_of(full) == (409, "room_full")
        # Someone already inside asking again (a page reload) is not "one more".
        assert (await join(live_api, guest, room["id"]))["role"] == "participant"
