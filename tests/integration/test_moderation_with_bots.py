"""Moderation through LiveKit's RoomService, seen by real rtc clients in a real livekit-server."""

import asyncio

import pytest
from livekit import rtc
from livekit.rtc.participant import PublishTrackError

from conference.deps import DEPS
from tests.bots import bots
from tests.helpers import create_room, error_of, join, register
from tests.servers import free_port

pytestmark = pytest.mark.livekit


async def call_of_two(client):
    host, guest = await register(client), await register(client)
    room = await create_room(client, host)
    return host, guest, room, await join(client, host, room["id"]), await join(client, guest, room["id"])


async def test_a_muted_microphone_is_muted_for_everyone(live_api):
    host, guest, room, host_join, guest_join = await call_of_two(live_api)
    async with bots("host", "guest") as (host_bot, guest_bot):
        await host_bot.connect(host_join["livekit_url"], host_join["token"])
        await guest_bot.connect(guest_join["livekit_url"], guest_join["token"])
        _, audio = await guest_bot.publish_camera_and_microphone()
        await host_bot.video_frames_from(guest.id, count=1)

        response = await live_api.post(
            f"/api/v1/rooms/{room['id']}/participants/{guest.id}/mute", headers=host.headers, json={"kind": "audio"}
        )
        assert response.status == 200, await response.text()
        assert (await response.json())["muted"] == [audio.sid]
        for _ in range(50):
            if (guest.id, audio.sid) in host_bot.muted:
                break
            await asyncio.sleep(0.1)
        assert (guest.id, audio.sid) in host_bot.muted
        remote = host_bot.room.remote_participants[guest.id].track_publications[audio.sid]
        assert remote.muted


async def test_a_removed_bot_is_disconnected_and_its_old_token_does_not_bring_it_back(live_api):
    host, guest, room, host_join, guest_join = await call_of_two(live_api)
    async with bots("host", "guest") as (host_bot, guest_bot):
        await host_bot.connect(host_join["livekit_url"], host_join["token"])
        await guest_bot.connect(guest_join["livekit_url"], guest_join["token"])
        response = await live_api.post(
            f"/api/v1/rooms/{room['id']}/participants/{guest.id}/remove", headers=host.headers
        )
        assert response.status == 200
        assert await guest_bot.wait_disconnected() == rtc.DisconnectReason.PARTICIPANT_REMOVED

    async with bots("intruder") as (intruder,):
        await intruder.connect(guest_join["livekit_url"], guest_join["token"])  # the token has not expired
        assert await intruder.wait_disconnected(timeout=15) == rtc.DisconnectReason.PARTICIPANT_REMOVED


async def test_demoting_to_viewer_makes_livekit_refuse_the_next_publish(live_api):
    host, guest, room, host_join, guest_join = await call_of_two(live_api)
    async with bots("host", "guest") as (host_bot, guest_bot):
        await host_bot.connect(host_join["livekit_url"], host_join["token"])
        await guest_bot.connect(guest_join["livekit_url"], guest_join["token"])
        await guest_bot.publish_video()  # allowed while a participant

        changed = await live_api.patch(
            f"/api/v1/rooms/{room['id']}/participants/{guest.id}", headers=host.headers, json={"role": "viewer"}
        )
        assert changed.status == 200
        for _ in range(50):
            if not guest_bot.room.local_participant.permissions.can_publish:
                break
            await asyncio.sleep(0.1)
        assert not guest_bot.room.local_participant.permissions.can_publish  # no reconnect needed
        with pytest.raises(PublishTrackError):
            await guest_bot.publish_video()
        assert guest_bot.disconnected.is_set() is False


async def test_a_removal_livekit_did_not_confirm_is_retried_until_it_does(live_api, make_api):
    # A second replica on the same database whose RoomService calls fail (nothing listens there).
    dead = f"http://127.0.0.1:{free_port()}"
    async with make_api(database=live_api.settings.database_url, livekit_api_url=dead) as cut_off:
        host, guest, room, host_join, guest_join = await call_of_two(live_api)
        url = f"/api/v1/rooms/{room['id']}/participants/{guest.id}/remove"
        async with bots("host", "guest") as (host_bot, guest_bot):
            await host_bot.connect(host_join["livekit_url"], host_join["token"])
            await guest_bot.connect(guest_join["livekit_url"], guest_join["token"])
            for _ in range(2):  # each failed try answers 503, never 404
                failed = await cut_off.post(url, headers=host.headers)
                assert await error_of(failed) == (503, "livekit_unavailable")
            await asyncio.sleep(1)
            assert not guest_bot.disconnected.is_set()  # LiveKit never heard of it
            rejoin = await live_api.post(f"/api/v1/rooms/{room['id']}/join", headers=guest.headers)
            assert await error_of(rejoin) == (403, "removed")  # but they are removed already

            retried = await live_api.post(url, headers=host.headers)
            assert retried.status == 200
            assert await retried.json() == {"room_id": room["id"], "user_id": guest.id}
            assert await guest_bot.wait_disconnected() == rtc.DisconnectReason.PARTICIPANT_REMOVED
            assert (await live_api.post(url, headers=host.headers)).status == 200  # and again: nothing left to do


async def test_a_cohost_cannot_mute_the_owner_whose_microphone_stays_on(live_api):
    owner, cohost, room, owner_join, cohost_join = await call_of_two(live_api)
    promoted = await live_api.patch(
        f"/api/v1/rooms/{room['id']}/participants/{cohost.id}", headers=owner.headers, json={"role": "host"}
    )
    assert promoted.status == 200
    async with bots("owner", "cohost") as (owner_bot, cohost_bot):
        await owner_bot.connect(owner_join["livekit_url"], owner_join["token"])
        await cohost_bot.connect(cohost_join["livekit_url"], cohost_join["token"])
        _, audio = await owner_bot.publish_camera_and_microphone()
        await cohost_bot.video_frames_from(owner.id, count=1)

        refused = await live_api.post(
            f"/api/v1/rooms/{room['id']}/participants/{owner.id}/mute", headers=cohost.headers, json={"kind": "audio"}
        )
        assert await error_of(refused) == (403, "forbidden")
        await asyncio.sleep(1)
        assert (owner.id, audio.sid) not in cohost_bot.muted
        assert not cohost_bot.room.remote_participants[owner.id].track_publications[audio.sid].muted
        seen = await live_api.server.app[DEPS].livekit.get_participant(room["id"], owner.id)
        assert not next(track for track in seen.tracks if track.sid == audio.sid).muted
