"""`conference recorder` as its own process: SIGKILL mid-recording leaves a playable file marked
interrupted (found by a second worker through the lapsed heartbeat), and that worker takes new jobs."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import pytest

from tests.bots import bots
from tests.helpers import create_room, join, register
from tests.recordings.conftest import RECORDING
from tests.recordings.media import probe, publish_pattern
from tests.recordings.test_recorder import wait_for_status
from tests.servers import REPO

pytestmark = pytest.mark.livekit


def start_worker(settings, log_path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "LIVEKIT_URL": settings.livekit_url,
        "LIVEKIT_API_URL": settings.livekit_api_url,
        "LIVEKIT_API_KEY": settings.livekit_api_key,
        "LIVEKIT_API_SECRET": settings.livekit_api_secret,
        "RECORDINGS_DIR": str(settings.recordings_dir),
        "RECORDING_WIDTH": str(RECORDING["recording_width"]),
        "RECORDING_HEIGHT": str(RECORDING["recording_height"]),
        "RECORDING_FPS": str(RECORDING["recording_fps"]),
    }
    log = open(log_path, "ab")  # noqa: SIM115 - the process owns it until it exits
    return subprocess.Popen(
        [sys.executable, "-m", "conference", "recorder"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )


@pytest.fixture
async def worker_api(make_api, tmp_path):
    async with make_api("sqlite", recordings_dir=tmp_path / "recordings") as client:
        yield client


async def test_a_killed_worker_leaves_a_playable_interrupted_file_and_another_takes_over(worker_api, tmp_path):
    host = await register(worker_api)
    room = await create_room(worker_api, host, name="Crash")
    host_join = await join(worker_api, host, room["id"])
    first = start_worker(worker_api.settings, tmp_path / "worker-1.log")
    second = None
    try:
        async with bots("host") as (host_bot,):
            await host_bot.connect(host_join["livekit_url"], host_join["token"])
            await publish_pattern(host_bot, (230, 20, 20), 440)
            started = await worker_api.post(f"/api/v1/rooms/{room['id']}/recordings", json={}, headers=host.headers)
            recording = await started.json()
            writing = await wait_for_status(worker_api, host, recording["id"], {"recording", "failed"}, 30)
            assert writing["status"] == "recording", (tmp_path / "worker-1.log").read_text()[-3000:]
            await asyncio.sleep(5)
            first.send_signal(signal.SIGKILL)
            first.wait(10)

            second = start_worker(worker_api.settings, tmp_path / "worker-2.log")
            lost = await wait_for_status(worker_api, host, recording["id"], {"interrupted", "failed", "ready"}, 40)
            assert lost["status"] == "interrupted", lost
            assert lost["file_url"] and lost["duration_s"] >= 2

            partial = tmp_path / "partial.mp4"
            partial.write_bytes(await (await worker_api.get(lost["file_url"], headers=host.headers)).read())
            found = probe(partial)
            assert found.video_streams == 1 and found.middle_frame is not None
            assert found.duration >= 2

            again = await worker_api.post(f"/api/v1/rooms/{room['id']}/recordings", json={}, headers=host.headers)
            assert again.status == 201
            taken = await wait_for_status(worker_api, host, (await again.json())["id"], {"recording", "failed"}, 30)
            assert taken["status"] == "recording", taken
            await worker_api.post(f"/api/v1/recordings/{taken['id']}/stop", headers=host.headers)
            finished = await wait_for_status(worker_api, host, taken["id"], {"ready", "failed", "interrupted"}, 30)
            assert finished["status"] == "ready", finished
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.terminate()
                worker.wait(15)
