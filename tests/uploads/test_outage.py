"""A storage outage during an upload or a download, on SQLite and PostgreSQL: the disk of UPLOADS_DIR
gone (its directory replaced by a file, as an unmounted or broken volume looks), and a real versitygw
bucket stopped. Either way the answer is 503 `storage_unavailable` with Retry-After, never a 500; an
upload leaves no row and no file, the sweep keeps rows whose files it could not remove, and everything
works again once the storage is back, without a restart."""

from __future__ import annotations

import os
import uuid

import aiohttp
import pytest
from aiobotocore.session import AioSession
from sqlalchemy import func, select

from conference.deps import DEPS
from conference.uploads import service
from conference.uploads.models import Upload
from tests.helpers import error_of, register
from tests.servers import _tcp_open, start_s3
from tests.uploads.files import png, post_dm, upload, uploaded


async def _rows(client) -> int:
    async with client.server.app[DEPS].db() as db:
        return int(await db.scalar(select(func.count()).select_from(Upload)) or 0)


def _files(directory) -> list[str]:
    return sorted(str(path.relative_to(directory)) for path in directory.rglob("*") if path.is_file())


async def _unavailable(response) -> None:
    assert await error_of(response) == (503, "storage_unavailable")
    assert int(response.headers["Retry-After"]) > 0


async def test_a_disk_that_went_away_answers_503_and_keeps_nothing(api):
    alice, bob = await register(api), await register(api)
    photo = await uploaded(api, alice, png(), "photo.png")
    assert (await post_dm(api, alice, bob.id, [photo["id"]])).status == 201
    directory = api.settings.uploads_dir
    before = _files(directory)
    moved = directory.with_name(directory.name + "-away")
    directory.rename(moved)
    directory.write_bytes(b"")  # whatever is at the path now, it cannot hold files
    try:
        await _unavailable(await upload(api, alice, png(), "second.png"))
        await _unavailable(await api.get(photo["url"], headers=bob.headers))
        await _unavailable(await api.get(photo["thumbnail_url"], headers=bob.headers))
        assert await _rows(api) == 1, "the refused upload left no row"
    finally:
        directory.unlink()
        moved.rename(directory)
    assert _files(directory) == before, "the refused upload left no file, not even a spooled one"
    download = await api.get(photo["url"], headers=bob.headers)
    assert download.status == 200 and await download.read() == png()
    assert (await upload(api, alice, b"back again", "again.txt")).status == 201


@pytest.fixture
def own_s3(tmp_path):
    """A versitygw of this test's own, to stop and start without disturbing the session's."""
    server = start_s3(tmp_path / "versitygw")
    yield server
    server.stop()


def _client(server):
    return AioSession().create_client(
        "s3",
        endpoint_url=server.endpoint,
        region_name=server.region,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
    )


async def _keys(server, bucket: str) -> set[str]:
    async with _client(server) as s3:
        listed = await s3.list_objects_v2(Bucket=bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
async def test_a_stopped_bucket_answers_503_and_keeps_nothing(make_api, own_s3, tmp_path, db):
    bucket = f"upl-{uuid.uuid4().hex[:10]}"
    async with _client(own_s3) as s3:
        await s3.create_bucket(Bucket=bucket)
    settings = {
        "uploads_s3_endpoint": own_s3.endpoint,
        "uploads_s3_bucket": bucket,
        "uploads_s3_access_key": own_s3.access_key,
        "uploads_s3_secret_key": own_s3.secret_key,
        "uploads_s3_region": own_s3.region,
    }
    async with make_api(db, uploads_dir=tmp_path / "disk", **settings) as api:
        alice, bob = await register(api), await register(api)
        photo = await uploaded(api, alice, png(), "photo.png")
        message = await (await post_dm(api, alice, bob.id, [photo["id"]])).json()
        kept = await _keys(own_s3, bucket)
        assert len(kept) == 2  # the photo and its preview
        own_s3.stop()
        await _unavailable(await upload(api, alice, png(), "second.png"))
        await _unavailable(await upload(api, alice, b"z" * (9 * 1024 * 1024), "big.bin"))  # in parts
        await _unavailable(await api.get(photo["url"], headers=bob.headers))
        await _unavailable(await api.get(photo["thumbnail_url"], headers={**bob.headers, "Range": "bytes=0-9"}))
        assert await _rows(api) == 1, "the refused uploads left no row"
        assert _files(tmp_path / "disk") == [], "nor a spooled file on disk"
        # A message deleted meanwhile: its files cannot be removed yet, so its row stays for the next sweep.
        deps = api.server.app[DEPS]
        async with deps.db() as session:
            assert await service.detach_for(session, "dm", message["id"]) == 1
            await session.commit()
        assert await service.sweep(deps) == 0
        assert await _rows(api) == 1

        own_s3.start_again()
        own_s3.wait_until(lambda: _tcp_open(own_s3.port), 20, "listening")
        assert await _keys(own_s3, bucket) == kept, "nothing of the refused uploads reached the bucket"
        assert await service.sweep(deps) == 1
        assert await _keys(own_s3, bucket) == set() and await _rows(api) == 0
        again = await uploaded(api, alice, b"back again", "again.txt")
        download = await api.get(again["url"], headers=alice.headers)
        assert download.status == 200 and await download.read() == b"back again"


async def test_a_bucket_that_dies_mid_download_cuts_the_answer_short(make_api, own_s3, tmp_path, caplog):
    bucket = f"upl-{uuid.uuid4().hex[:10]}"
    async with _client(own_s3) as s3:
        await s3.create_bucket(Bucket=bucket)
    settings = {
        "uploads_s3_endpoint": own_s3.endpoint,
        "uploads_s3_bucket": bucket,
        "uploads_s3_access_key": own_s3.access_key,
        "uploads_s3_secret_key": own_s3.secret_key,
        "uploads_s3_region": own_s3.region,
    }
    big = os.urandom(40 * 1024 * 1024)  # far more than the sockets between the three of us buffer
    async with make_api("sqlite", uploads_dir=tmp_path / "disk", upload_max_bytes=len(big), **settings) as api:
        owner = await register(api)
        stored = await uploaded(api, owner, big, "big.bin")
        response = await api.get(stored["url"], headers=owner.headers)
        assert response.status == 200 and response.content_length == len(big)
        first = await response.content.readexactly(64 * 1024)
        own_s3.kill()
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
        assert first == big[: len(first)]
        assert "unhandled error" not in caplog.text
