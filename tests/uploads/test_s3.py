"""Attachments in an S3-compatible bucket (a real versitygw): the file and its preview become objects
and leave no trace on disk, a second replica with an empty disk serves them (ranges passed through),
and a deleted message's objects go in the sweep."""

from __future__ import annotations

import os
import uuid

import pytest
from aiobotocore.session import AioSession

from conference.deps import DEPS
from conference.uploads import service
from tests.helpers import create_room, error_of, join, register
from tests.uploads.files import png, post_room, uploaded


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
    bucket = f"upl-{uuid.uuid4().hex[:10]}"
    async with _client(s3_server) as s3:
        await s3.create_bucket(Bucket=bucket)
    return {
        "uploads_s3_endpoint": s3_server.endpoint,
        "uploads_s3_bucket": bucket,
        "uploads_s3_access_key": s3_server.access_key,
        "uploads_s3_secret_key": s3_server.secret_key,
        "uploads_s3_region": s3_server.region,
    }


async def _keys(s3_server, bucket: str) -> set[str]:
    async with _client(s3_server) as s3:
        listed = await s3.list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
async def test_attachments_live_in_the_bucket_and_every_replica_serves_them(
    make_api, s3_server, bucket_settings, tmp_path, db
):
    bucket = bucket_settings["uploads_s3_bucket"]
    big = os.urandom(9 * 1024 * 1024 + 321)  # more than one 8 MiB part
    async with make_api(db, uploads_dir=tmp_path / "first", **bucket_settings) as first:
        host, guest = await register(first), await register(first)
        room = await create_room(first, host)
        await join(first, guest, room["id"])
        photo = await uploaded(first, host, png(800, 600), "photo.png")
        archive = await uploaded(first, host, big, "data.bin")
        message = await (await post_room(first, host, room["id"], [photo["id"], archive["id"]])).json()
        assert len(message["attachments"]) == 2
        keys = await _keys(s3_server, bucket)
        assert len(keys) == 3  # the photo, its preview, the archive
        assert not [p for p in (tmp_path / "first").rglob("*") if p.is_file()], "nothing stays on disk"
        async with make_api(
            database=first.settings.database_url, uploads_dir=tmp_path / "second", **bucket_settings
        ) as second:
            whole = await second.get(archive["url"], headers=guest.headers)
            assert whole.status == 200 and await whole.read() == big
            part = await second.get(archive["url"], headers={**guest.headers, "Range": "bytes=8388600-8388615"})
            assert part.status == 206 and await part.read() == big[8388600:8388616]
            assert part.headers["Content-Range"] == f"bytes 8388600-8388615/{len(big)}"
            outside = await second.get(archive["url"], headers={**guest.headers, "Range": f"bytes={len(big)}-"})
            assert await error_of(outside) == (416, "range_not_satisfiable")
            preview = await second.get(photo["thumbnail_url"], headers=guest.headers)
            assert preview.status == 200 and preview.headers["Content-Type"] == "image/webp"
        deps = first.server.app[DEPS]
        async with deps.db() as session:
            assert await service.detach_for(session, "room", message["id"]) == 2
            await session.commit()
        assert await service.sweep(deps) == 2
        assert await _keys(s3_server, bucket) == set()
        assert await error_of(await first.get(photo["url"], headers=guest.headers)) == (404, "not_found")
