"""The recordings API without media: who may do what, one active recording per room, downloads
with ranges and signed links, deletion, the room's end, and the job table's reaper."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from conference.accounts.apikeys import create_api_key
from conference.db import utcnow
from conference.deps import DEPS
from conference.recordings import jobs
from conference.recordings.models import Recording
from tests.helpers import create_room, error_of, join, register


def _deps(client):
    return client.server.app[DEPS]


async def _room_with_people(client):
    host, member, stranger = await register(client), await register(client), await register(client)
    room = await create_room(client, host, name="Recorded")
    await join(client, member, room["id"])
    return room, host, member, stranger


async def _start(client, room, account, **body):
    return await client.post(f"/api/v1/rooms/{room['id']}/recordings", json=body, headers=account.headers)


async def _ready_file(client, room, size: int = 5000) -> tuple[str, bytes]:
    """A finished recording as a worker leaves it: a row marked ready and its file on disk."""
    payload = os.urandom(size)
    deps = _deps(client)
    key = f"{room['id']}/fixture.mp4"
    path = deps.settings.recordings_dir / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    async with deps.db() as db:
        db.add(
            Recording(
                id="fixture",
                room_id=room["id"],
                status="ready",
                layout="grid",
                audio_only=False,
                file_key=key,
                size_bytes=size,
                duration_s=3.0,
            )
        )
        await db.commit()
    return "fixture", payload


async def test_only_a_host_starts_and_one_recording_runs_at_a_time(rec_api):
    room, host, member, stranger = await _room_with_people(rec_api)
    assert await error_of(await _start(rec_api, room, member)) == (403, "forbidden")
    assert await error_of(await _start(rec_api, room, stranger)) == (403, "forbidden")
    started = await _start(rec_api, room, host, layout="speaker")
    assert started.status == 201
    recording = await started.json()
    assert recording["status"] == "starting" and recording["layout"] == "speaker" and recording["file_url"] is None
    assert await error_of(await _start(rec_api, room, host)) == (409, "conflict")

    listed = await rec_api.get(f"/api/v1/rooms/{room['id']}/recordings", headers=member.headers)
    assert [item["id"] for item in (await listed.json())["items"]] == [recording["id"]]
    refused = await rec_api.get(f"/api/v1/rooms/{room['id']}/recordings", headers=stranger.headers)
    assert await error_of(refused) == (403, "forbidden")
    one = await rec_api.get(f"/api/v1/recordings/{recording['id']}", headers=stranger.headers)
    assert await error_of(one) == (403, "forbidden")

    stop_url = f"/api/v1/recordings/{recording['id']}/stop"
    assert await error_of(await rec_api.post(stop_url, headers=member.headers)) == (403, "forbidden")
    stopped = await (await rec_api.post(stop_url, headers=host.headers)).json()
    # No worker had taken it yet: it ends at once, and the room may be recorded again.
    assert stopped["status"] == "failed"
    assert (await _start(rec_api, room, host)).status == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [({"layout": "mosaic"}, "layout"), ({"audio_only": "yes"}, "audio_only"), ({"extra": 1}, "extra")],
)
async def test_a_bad_start_body_is_refused(rec_api, body, field):
    room, host, _, _ = await _room_with_people(rec_api)
    response = await _start(rec_api, room, host, **body)
    assert response.status == 400
    assert field in (await response.json())["error"]["fields"]
    listed = await rec_api.get(f"/api/v1/rooms/{room['id']}/recordings", headers=host.headers)
    assert (await listed.json())["items"] == []


async def test_unknown_recordings_are_404(rec_api):
    host = await register(rec_api)
    for method, path in [("GET", "/recordings/nope"), ("POST", "/recordings/nope/stop"), ("DELETE", "/recordings/x")]:
        response = await rec_api.request(method, f"/api/v1{path}", headers=host.headers)
        assert await error_of(response) == (404, "not_found")


async def test_download_with_ranges_signed_links_and_delete(rec_api):
    room, host, member, stranger = await _room_with_people(rec_api)
    recording_id, payload = await _ready_file(rec_api, room)
    url = f"/api/v1/recordings/{recording_id}/file"

    whole = await rec_api.get(url, headers=member.headers)
    assert whole.status == 200 and await whole.read() == payload
    assert whole.headers["Content-Type"] == "video/mp4" and whole.headers["Accept-Ranges"] == "bytes"
    part = await rec_api.get(url, headers={**member.headers, "Range": "bytes=100-1099"})
    assert part.status == 206 and await part.read() == payload[100:1100]
    assert part.headers["Content-Range"] == f"bytes 100-1099/{len(payload)}"
    tail = await rec_api.get(url, headers={**member.headers, "Range": "bytes=-10"})
    assert tail.status == 206 and await tail.read() == payload[-10:]
    beyond = await rec_api.get(url, headers={**member.headers, "Range": f"bytes={len(payload)}-"})
    assert await error_of(beyond) == (416, "range_not_satisfiable")
    assert beyond.headers["Content-Range"] == f"bytes */{len(payload)}"
    garbled = await rec_api.get(url, headers={**member.headers, "Range": "bytes=a-b"})
    assert await error_of(garbled) == (416, "range_not_satisfiable")

    assert await error_of(await rec_api.get(url, headers=stranger.headers)) == (403, "forbidden")
    assert await error_of(await rec_api.get(url)) == (401, "unauthorized")
    assert await error_of(await rec_api.get(url + "?token=1.forged")) == (401, "unauthorized")
    refused = await rec_api.post(f"/api/v1/recordings/{recording_id}/link", headers=stranger.headers)
    assert await error_of(refused) == (403, "forbidden")
    link = await (await rec_api.post(f"/api/v1/recordings/{recording_id}/link", headers=member.headers)).json()
    assert link["url"].startswith(url + "?token=")
    signed = await rec_api.get(link["url"], headers={"Range": "bytes=0-9"})
    assert signed.status == 206 and await signed.read() == payload[:10]
    other = await rec_api.get(link["url"].replace(recording_id, "another"))
    assert await error_of(other) == (401, "unauthorized")

    delete_url = f"/api/v1/recordings/{recording_id}"
    assert await error_of(await rec_api.delete(delete_url, headers=member.headers)) == (403, "forbidden")
    assert (await rec_api.delete(delete_url, headers=host.headers)).status == 204
    assert not (_deps(rec_api).settings.recordings_dir / f"{room['id']}/fixture.mp4").exists()
    assert await error_of(await rec_api.get(url, headers=member.headers)) == (404, "not_found")


async def test_the_api_key_that_created_the_room_lists_its_recordings(rec_api):
    _, key = await create_api_key(_deps(rec_api).db, "crm")
    _, other = await create_api_key(_deps(rec_api).db, "another")
    room = await (
        await rec_api.post("/api/v1/rooms", json={"name": "Portal"}, headers={"Authorization": f"Bearer {key}"})
    ).json()
    await _ready_file(rec_api, room)
    mine = await rec_api.get(f"/api/v1/rooms/{room['id']}/recordings", headers={"Authorization": f"Bearer {key}"})
    assert [item["status"] for item in (await mine.json())["items"]] == ["ready"]
    theirs = await rec_api.get(f"/api/v1/rooms/{room['id']}/recordings", headers={"Authorization": f"Bearer {other}"})
    assert await error_of(theirs) == (403, "forbidden")


async def test_ending_the_room_stops_its_recording(rec_api):
    room, host, _, _ = await _room_with_people(rec_api)
    recording = await (await _start(rec_api, room, host)).json()
    async with _deps(rec_api).db() as db:  # a worker took it and is joining
        assert (await jobs.claim(db, "worker-a")).id == recording["id"]
    assert (await rec_api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)).status == 200
    now = await (await rec_api.get(f"/api/v1/recordings/{recording['id']}", headers=host.headers)).json()
    assert now["status"] == "processing"
    async with _deps(rec_api).db() as db:
        beat = await jobs.heartbeat(db, recording["id"], "worker-a")
    assert beat.owned and beat.stop


async def test_a_lapsed_worker_is_reaped_and_its_job_taken_by_another(rec_api):
    room, host, _, _ = await _room_with_people(rec_api)
    writing = await (await _start(rec_api, room, host)).json()
    deps = _deps(rec_api)
    async with deps.db() as db:
        await jobs.claim(db, "dead")
        await jobs.began(db, writing["id"], "dead", f"{room['id']}/partial.mp4")
    later = utcnow() + timedelta(seconds=jobs.STALE_AFTER_S + 1)
    async with deps.db() as db:
        events = await jobs.reap(db, lambda key: (1234, 4.5), now=later)
    assert [event.type for event in events] == ["recording.failed"]
    row = await (await rec_api.get(f"/api/v1/recordings/{writing['id']}", headers=host.headers)).json()
    assert (row["status"], row["size_bytes"], row["duration_s"]) == ("interrupted", 1234, 4.5)
    assert row["file_url"]

    joining = await (await _start(rec_api, room, host)).json()
    async with deps.db() as db:
        await jobs.claim(db, "dead-while-joining")
        await jobs.reap(db, lambda key: (None, None), now=later + timedelta(seconds=30))
        taken = await jobs.claim(db, "alive")
    assert taken is not None and taken.id == joining["id"]


async def test_a_recording_no_worker_takes_fails_instead_of_hanging(rec_api):
    room, host, _, _ = await _room_with_people(rec_api)
    waiting = await (await _start(rec_api, room, host)).json()
    deps = _deps(rec_api)
    async with deps.db() as db:
        assert await jobs.reap(db, lambda key: (None, None)) == []  # not yet
        events = await jobs.reap(
            db, lambda key: (None, None), now=utcnow() + timedelta(seconds=jobs.START_TIMEOUT_S + 1)
        )
    assert [event.type for event in events] == ["recording.failed"]
    row = await (await rec_api.get(f"/api/v1/recordings/{waiting['id']}", headers=host.headers)).json()
    assert row["status"] == "failed" and "no recorder" in row["error"]
