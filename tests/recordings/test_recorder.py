"""The builtin recorder against a real LiveKit: two rtc bots publish a colour and a tone each, the
in-process worker records them, and the file is what a viewer would get."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from sqlalchemy import select

from conference.deps import DEPS
from conference.realtime.models import Event
from tests.bots import bots
from tests.helpers import create_room, join, register
from tests.recordings.media import energy_at, probe, publish_pattern, publish_screen

pytestmark = pytest.mark.livekit
RED, BLUE = (230, 20, 20), (20, 20, 230)


def _colour_of(pixel: np.ndarray) -> str:
    red, _, blue = (int(value) for value in pixel)
    return "red" if red > 150 and blue < 100 else "blue" if blue > 150 and red < 100 else f"other {pixel}"


async def wait_for_status(client, account, recording_id: str, statuses: set[str], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        response = await client.get(f"/api/v1/recordings/{recording_id}", headers=account.headers)
        recording = await response.json()
        if recording["status"] in statuses or time.monotonic() > deadline:
            return recording
        await asyncio.sleep(0.25)


async def test_two_publishers_recorded_to_a_playable_file(recorder_api, tmp_path):
    host, guest = await register(recorder_api), await register(recorder_api)
    room = await create_room(recorder_api, host, name="Recorded call")
    host_join, guest_join = await join(recorder_api, host, room["id"]), await join(recorder_api, guest, room["id"])
    async with bots("host", "guest") as (host_bot, guest_bot):
        await host_bot.connect(host_join["livekit_url"], host_join["token"])
        await guest_bot.connect(guest_join["livekit_url"], guest_join["token"])
        await publish_pattern(host_bot, RED, 440)
        await publish_pattern(guest_bot, BLUE, 1000)
        await guest_bot.video_frames_from(host.id, count=2)  # media flows before the recording starts

        started = await recorder_api.post(f"/api/v1/rooms/{room['id']}/recordings", json={}, headers=host.headers)
        recording = await started.json()
        recording = await wait_for_status(recorder_api, host, recording["id"], {"recording", "failed"}, 20)
        assert recording["status"] == "recording", recording
        # The recorder is hidden: the people in the call are still the two of them.
        listed = await recorder_api.get(f"/api/v1/rooms/{room['id']}/participants", headers=guest.headers)
        assert {p["identity"] for p in (await listed.json())["items"]} == {host.id, guest.id}
        await asyncio.sleep(10)
        stopped = await recorder_api.post(f"/api/v1/recordings/{recording['id']}/stop", headers=host.headers)
        assert (await stopped.json())["status"] == "processing"
        stopped_at = time.monotonic()

    done = await wait_for_status(recorder_api, guest, recording["id"], {"ready", "failed", "interrupted"}, 30)
    assert done["status"] == "ready", done
    assert time.monotonic() - stopped_at < 30
    download = await recorder_api.get(done["file_url"], headers=guest.headers)
    assert download.status == 200
    path = tmp_path / "downloaded.mp4"
    path.write_bytes(await download.read())
    assert path.stat().st_size == done["size_bytes"]

    found = probe(path)
    assert (found.video_streams, found.audio_streams) == (1, 1)
    assert abs(found.duration - 10) <= 1.5, found.duration
    assert abs(done["duration_s"] - found.duration) < 0.5
    assert found.frame_rate == 15
    assert energy_at(found.audio, 440) > 0.05 and energy_at(found.audio, 1000) > 0.05
    frame = found.middle_frame
    height, width, _ = frame.shape
    left, right = frame[height // 2, width // 4].astype(int), frame[height // 2, 3 * width // 4].astype(int)
    # Two tiles side by side: the host's red one and the guest's blue one, in the order they arrived.
    tiles = sorted([_colour_of(left), _colour_of(right)])
    assert tiles == ["blue", "red"], (left, right)

    async with recorder_api.server.app[DEPS].db() as db:
        types = list(await db.scalars(select(Event.type).where(Event.room_id == room["id"]).order_by(Event.id)))
    assert [t for t in types if t.startswith("recording.")] == [
        "recording.started",
        "recording.stopped",
        "recording.ready",
    ]


async def test_a_screen_share_takes_the_stage(recorder_api, tmp_path):
    host = await register(recorder_api)
    room = await create_room(recorder_api, host, name="Demo")
    grant = await join(recorder_api, host, room["id"])
    async with bots("host") as (host_bot,):
        await host_bot.connect(grant["livekit_url"], grant["token"])
        await publish_pattern(host_bot, RED, 440)
        await publish_screen(host_bot, (20, 200, 20))
        started = await recorder_api.post(f"/api/v1/rooms/{room['id']}/recordings", json={}, headers=host.headers)
        recording = await wait_for_status(recorder_api, host, (await started.json())["id"], {"recording", "failed"}, 20)
        assert recording["status"] == "recording", recording
        await asyncio.sleep(5)
        await recorder_api.post(f"/api/v1/recordings/{recording['id']}/stop", headers=host.headers)
    done = await wait_for_status(recorder_api, host, recording["id"], {"ready", "failed", "interrupted"}, 30)
    assert done["status"] == "ready", done
    path = tmp_path / "screen.mp4"
    path.write_bytes(await (await recorder_api.get(done["file_url"], headers=host.headers)).read())
    frame = probe(path).middle_frame
    height, width, _ = frame.shape
    stage = frame[height * 2 // 5, width // 2].astype(int)
    assert stage[1] > 150 and stage[0] < 100, stage  # the green screen fills the stage
    strip = [frame[height - height // 10, x].astype(int) for x in range(0, width, 8)]
    assert any(_colour_of(pixel) == "red" for pixel in strip)  # the camera moved to the strip below
