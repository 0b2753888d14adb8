"""Guests in a real livekit-server: an admitted guest's token carries it into the call, the call history
marks it as a guest, and a removed guest is put out and stays out."""

from __future__ import annotations

import asyncio

import pytest
from livekit import rtc

from tests.bots import bots
from tests.guests.steps import join_as_guest
from tests.helpers import create_room, error_of, join, register
from tests.realtime.sockets import connect

pytestmark = pytest.mark.livekit


async def attendance(client, host, room_id: str, count: int) -> list[dict]:
    for _ in range(100):
        response = await client.get(f"/api/v1/rooms/{room_id}/sessions", headers=host.headers)
        sessions = (await response.json())["items"]
        people = sessions[0]["participants"] if sessions else []
        if len(people) >= count:
            return people
        await asyncio.sleep(0.1)
    raise AssertionError(f"attendance of {count} never arrived: {people}")


async def test_an_admitted_guest_meets_the_host_and_the_history_says_it_was_a_guest(live_api):
    host = await register(live_api, display_name="Hannah")
    room = await create_room(live_api, host)
    host_grant = await join(live_api, host, room["id"])
    guest = await join_as_guest(live_api, room["id"], "Gwen")
    assert guest.status == 202
    socket = await connect(live_api, guest)
    await socket.expect("ready")
    admitted = await live_api.post(f"/api/v1/rooms/{room['id']}/lobby/{guest.id}/admit", headers=host.headers)
    assert admitted.status == 200
    assert (await socket.expect("lobby.admitted"))["data"]["role"] == "participant"
    grant = (await join_as_guest(live_api, room["id"], "Gwen", headers=guest.headers)).answer
    async with bots("host", "guest") as (host_bot, guest_bot):
        await host_bot.connect(host_grant["livekit_url"], host_grant["token"])
        await guest_bot.connect(grant["livekit_url"], grant["token"])
        await guest_bot.publish_video()
        await host_bot.video_frames_from(guest.id, count=2)
        people = await attendance(live_api, host, room["id"], 2)
    by_identity = {person["identity"]: person for person in people}
    assert by_identity[guest.id]["guest"] is True and by_identity[guest.id]["display_name"] == "Gwen"
    assert by_identity[host.id]["guest"] is False


async def test_a_removed_guest_is_put_out_and_neither_its_session_nor_its_media_token_bring_it_back(live_api):
    host = await register(live_api)
    room = await create_room(live_api, host, guest_access="open")
    guest = await join_as_guest(live_api, room["id"], "Rex")
    async with bots("guest") as (guest_bot,):
        await guest_bot.connect(guest.answer["livekit_url"], guest.answer["token"])
        removed = await live_api.post(
            f"/api/v1/rooms/{room['id']}/participants/{guest.id}/remove", headers=host.headers
        )
        assert removed.status == 200
        assert await guest_bot.wait_disconnected() == rtc.DisconnectReason.PARTICIPANT_REMOVED
    refresh = await live_api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert await error_of(refresh) == (403, "removed")
    async with bots("intruder") as (intruder,):
        await intruder.connect(guest.answer["livekit_url"], guest.answer["token"])  # not expired yet
        assert await intruder.wait_disconnected(timeout=15) == rtc.DisconnectReason.PARTICIPANT_REMOVED
