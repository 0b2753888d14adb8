"""Recordings in an S3-compatible bucket (a real versitygw): the worker records a short call, the file
ends up as an object and not on disk, downloads stream from the bucket with ranges, a second app
replica with an empty disk serves the same file, and delete removes the object."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import pytest
from aiobotocore.session import AioSession
from botocore.exceptions import ClientError

from tests.bots import bots
from tests.helpers import create_room, error_of, join, register
from tests.recordings.conftest import RECORDING
from tests.recordings.media import probe, publish_pattern
from tests.recordings.test_recorder import wait_for_status

pytestmark = pytest.mark.livekit


def _client(s3_server):
    return AioSession().create_client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name=s3_server.region,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
    )


@pytest.fixture
async def bucket_settings(s3_server):
    bucket = f"rec-{uuid.uuid4().hex[:10]}"
    async with _client(s3_server) as s3:
        await s3.create_bucket(Bucket=bucket)
    return {
        "recordings_s3_endpoint": s3_server.endpoint,
        "recordings_s3_bucket": bucket,
        "recordings_s3_access_key": s3_server.access_key,
        "recordings_s3_secret_key": s3_server.secret_key,
        "recordings_s3_region": s3_server.region,
    }


async def _record_three_seconds(client, host, guest) -> tuple[dict, dict]:
    room = await create_room(client, host, name="Bucket call")
    host_join, guest_join = await join(client, host, room["id"]), await join(client, guest, room["id"])
    async with bots("host", "guest") as (host_bot, guest_bot):
        await host_bot.connect(host_join["livekit_url"], host_join["token"])
        await guest_bot.connect(guest_join["livekit_url"], guest_join["token"])
        await publish_pattern(host_bot, (230, 20, 20), 440)
        await guest_bot.video_frames_from(host.id, count=2)
        started = await client.post(f"/api/v1/rooms/{room['id']}/recordings", json={}, headers=host.headers)
        recording = await started.json()
        recording = await wait_for_status(client, host, recording["id"], {"recording", "failed"}, 20)
        assert recording["status"] == "recording", recording
        await asyncio.sleep(3)
        await client.post(f"/api/v1/recordings/{recording['id']}/stop", headers=host.headers)
    done = await wait_for_status(client, host, recording["id"], {"ready", "failed", "interrupted"}, 30)
    assert done["status"] == "ready", done
    return room, done


async def test_a_recording_lives_in_the_bucket_and_every_replica_serves_it(
    make_api, livekit, s3_server, bucket_settings, tmp_path
):
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    async with make_api(
        "sqlite",
        port=livekit.webhook_port,
        recordings_dir=first_dir,
        recorder_in_process=True,
        **RECORDING,
        **bucket_settings,
    ) as first:
        host, guest = await register(first), await register(first)
        room, done = await _record_three_seconds(first, host, guest)
        key = f"{room['id']}/{done['id']}.mp4"
        async with _client(s3_server) as s3:
            head = await s3.head_object(Bucket=bucket_settings["recordings_s3_bucket"], Key=key)
            stored = await (await s3.get_object(Bucket=bucket_settings["recordings_s3_bucket"], Key=key))["Body"].read()
        assert head["ContentLength"] == done["size_bytes"] == len(stored)
        assert not list(first_dir.rglob("*.mp4")), "the working file stays on disk after the upload"

        whole = await first.get(done["file_url"], headers=guest.headers)
        assert whole.status == 200 and await whole.read() == stored
        path = tmp_path / "downloaded.mp4"
        path.write_bytes(stored)
        assert abs(probe(path).duration - 3) <= 1.0

        ranged = await first.get(done["file_url"], headers={**guest.headers, "Range": "bytes=100-1099"})
        assert ranged.status == 206
        assert ranged.headers["Content-Range"] == f"bytes 100-1099/{len(stored)}"
        assert await ranged.read() == stored[100:1100]
        tail = await first.get(done["file_url"], headers={**guest.headers, "Range": "bytes=-64"})
        assert tail.status == 206 and await tail.read() == stored[-64:]
        beyond = await first.get(done["file_url"], headers={**guest.headers, "Range": f"bytes={len(stored)}-"})
        assert await error_of(beyond) == (416, "range_not_satisfiable")
        assert beyond.headers["Content-Range"] == f"bytes */{len(stored)}"
        garbled = await first.get(done["file_url"], headers={**guest.headers, "Range": "bytes=x-y"})
        assert await error_of(garbled) == (416, "range_not_satisfiable")

        # Another replica: same database and bucket, nothing on its disk, no worker.
        replica = {"database": first.settings.database_url, "recordings_dir": second_dir, **bucket_settings}
        async with make_api(**replica) as second:
            started_at = time.monotonic()
            again = await second.get(done["file_url"], headers={**guest.headers, "Range": "bytes=0-9999"})
            assert again.status == 206 and await again.read() == stored[:10000]
            assert time.monotonic() - started_at < 5
            assert not second_dir.exists() or not list(second_dir.rglob("*.mp4"))

            deleted = await second.delete(f"/api/v1/recordings/{done['id']}", headers=host.headers)
            assert deleted.status == 204
        async with _client(s3_server) as s3:
            with pytest.raises(ClientError):
                await s3.head_object(Bucket=bucket_settings["recordings_s3_bucket"], Key=key)
        gone = await first.get(done["file_url"], headers=guest.headers)
        assert await error_of(gone) == (404, "not_found")


async def test_a_big_file_goes_up_in_parts_and_comes_back_by_range(bucket_settings, tmp_path):
    from dataclasses import replace

    from conference.recordings.storage import PART_BYTES, ObjectStream, S3Storage
    from conference.settings import Settings

    storage = S3Storage(replace(Settings(), recordings_dir=tmp_path, **bucket_settings))
    key = storage.key_for("big", "room")
    payload = os.urandom(PART_BYTES * 2 + 12345)  # three parts, the last one short
    storage.working_path(key).write_bytes(payload)
    await storage.store(key)
    assert not (tmp_path / key).exists()
    assert await storage.size(key) == len(payload)
    source = await storage.open(key, f"bytes={PART_BYTES - 10}-{PART_BYTES + 9}")
    assert isinstance(source, ObjectStream) and source.status == 206
    try:
        assert b"".join([chunk async for chunk in source.chunks]) == payload[PART_BYTES - 10 : PART_BYTES + 10]
    finally:
        await source.close()
    await storage.delete(key)
    assert await storage.size(key) is None and await storage.open(key, None) is None
