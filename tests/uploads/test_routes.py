"""Attachments over HTTP on SQLite and PostgreSQL: upload, preview, attach to room chat and direct
messages, who may download, ranges, and everything a client may get wrong."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from conference.deps import DEPS
from conference.uploads import service
from conference.uploads.models import Upload
from tests.helpers import create_room, error_of, join, register
from tests.test_throttles import fresh_window
from tests.uploads.files import HTML_PAGE, form, png, post_dm, post_room, upload, uploaded


async def test_an_image_gets_a_preview_and_its_owner_downloads_it(api):
    owner = await register(api)
    content = png(1280, 640)
    attachment = await uploaded(api, owner, content, "holiday.png")
    assert attachment["content_type"] == "image/png" and attachment["size"] == len(content)
    assert attachment["filename"] == "holiday.png"
    assert (attachment["width"], attachment["height"]) == (1280, 640)
    assert attachment["url"] == f"/api/v1/uploads/{attachment['id']}"
    download = await api.get(attachment["url"], headers=owner.headers)
    assert download.status == 200 and await download.read() == content
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith("inline;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    preview = await api.get(attachment["thumbnail_url"], headers=owner.headers)
    assert preview.status == 200 and preview.headers["Content-Type"] == "image/webp"
    image = Image.open(io.BytesIO(await preview.read()))
    assert image.format == "WEBP" and image.size == (320, 160)


async def test_room_members_download_what_a_message_carries_and_strangers_do_not(api):
    host, guest, stranger = await register(api), await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    first = await uploaded(api, host, png(40, 30), "a.png")
    second = await uploaded(api, host, b"minutes of the meeting\n", "notes.txt")
    # Before a message takes it, an upload is its owner's alone.
    assert await error_of(await api.get(first["url"], headers=guest.headers)) == (404, "not_found")
    posted = await post_room(api, host, room["id"], [second["id"], first["id"]], content="see attached")
    assert posted.status == 201, await posted.text()
    message = await posted.json()
    # In the order they were uploaded, whatever order the message listed them in.
    assert [a["id"] for a in message["attachments"]] == [first["id"], second["id"]]
    assert message["attachments"][0]["thumbnail_url"] and message["attachments"][1]["thumbnail_url"] is None
    download = await api.get(second["url"], headers=guest.headers)
    assert download.status == 200 and await download.read() == b"minutes of the meeting\n"
    assert (await api.get(first["thumbnail_url"], headers=guest.headers)).status == 200
    assert await error_of(await api.get(first["url"], headers=stranger.headers)) == (403, "forbidden")
    assert await error_of(await api.get(first["thumbnail_url"], headers=stranger.headers)) == (403, "forbidden")
    page = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=guest.headers)).json()
    assert page["items"][0]["attachments"] == message["attachments"]


async def test_a_direct_message_carries_files_to_its_two_people_only(api):
    alice, bob, eve = await register(api), await register(api), await register(api)
    photo = await uploaded(api, alice, png(), "photo.png")
    sent = await post_dm(api, alice, bob.id, [photo["id"]])
    assert sent.status == 201, await sent.text()
    assert [a["id"] for a in (await sent.json())["attachments"]] == [photo["id"]]
    assert (await api.get(photo["url"], headers=bob.headers)).status == 200
    assert (await api.get(photo["url"], headers=alice.headers)).status == 200
    assert await error_of(await api.get(photo["url"], headers=eve.headers)) == (404, "not_found")
    history = await (await api.get(f"/api/v1/dm/{alice.id}/messages", headers=bob.headers)).json()
    assert history["items"][0]["attachments"][0]["id"] == photo["id"]
    conversations = await (await api.get("/api/v1/dm", headers=bob.headers)).json()
    assert conversations["items"][0]["last_message"]["attachments"][0]["id"] == photo["id"]


async def test_html_is_kept_only_as_a_download(api):
    owner = await register(api)
    page = await uploaded(api, owner, HTML_PAGE, "page.html")
    assert page["content_type"] == "text/html" and page["thumbnail_url"] is None
    download = await api.get(page["url"], headers=owner.headers)
    assert download.status == 200
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]


async def test_a_name_in_any_script_is_kept_but_tamed(api):
    owner = await register(api)
    named = await uploaded(api, owner, b"just text", 'C:\\Users\\me\\Отчёт "Q3".txt')
    assert named["filename"] == "Отчёт _Q3_.txt"
    download = await api.get(named["url"], headers=owner.headers)
    assert "filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20_Q3_.txt" in download.headers["Content-Disposition"]


async def test_ranges_of_a_download(api):
    owner = await register(api)
    content = bytes(range(256)) * 40
    stored = await uploaded(api, owner, content, "blob.bin")
    part = await api.get(stored["url"], headers={**owner.headers, "Range": "bytes=100-199"})
    assert part.status == 206 and await part.read() == content[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(content)}"
    tail = await api.get(stored["url"], headers={**owner.headers, "Range": "bytes=-10"})
    assert tail.status == 206 and await tail.read() == content[-10:]
    outside = await api.get(stored["url"], headers={**owner.headers, "Range": f"bytes={len(content)}-"})
    assert await error_of(outside) == (416, "range_not_satisfiable")


@pytest.mark.parametrize(
    "content,filename,status,code",
    [
        (b"", "empty.png", 400, "validation_failed"),
        (HTML_PAGE, "cat.png", 415, "disguised_file"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "logo.jpg", 415, "disguised_file"),
        (b"MZ\x90\x00" + bytes(200), "song.mp3", 415, "disguised_file"),
        (HTML_PAGE, "invoice.pdf", 415, "disguised_file"),
        (b"x" * 2001, "big.txt", 413, "payload_too_large"),
    ],
)
async def test_bad_files_are_refused_with_a_clear_error(make_api, content, filename, status, code):
    async with make_api("sqlite", upload_max_bytes=2000) as client:
        owner = await register(client)
        response = await upload(client, owner, content, filename)
        assert await error_of(response) == (status, code)
        if code == "disguised_file":
            assert filename in (await response.json())["error"]["message"]
        assert not [p for p in client.settings.uploads_dir.rglob("*") if p.is_file()], "nothing is kept"


async def test_a_huge_declared_body_is_refused_before_it_is_read(make_api):
    async with make_api("sqlite", upload_max_bytes=1000) as client:
        owner = await register(client)
        response = await upload(client, owner, b"y" * 200_000, "big.bin")
        assert await error_of(response) == (413, "payload_too_large")


@pytest.mark.parametrize(
    "body,headers,code",
    [
        (b'{"file": "x"}', {"Content-Type": "application/json"}, "validation_failed"),
        (None, {}, "validation_failed"),
    ],
)
async def test_an_upload_that_is_not_a_file_form(api, body, headers, code):
    owner = await register(api)
    if body is None:
        data = form(b"x", "a.txt")
        data._fields[0][0]["name"] = "other"  # a form whose part is not called `file`
        response = await api.post("/api/v1/uploads", data=data, headers=owner.headers)
    else:
        response = await api.post("/api/v1/uploads", data=body, headers={**owner.headers, **headers})
    assert await error_of(response) == (400, code)


BOUNDARY = "b0undary"


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("multipart/form-data", b"--x\r\n\r\n--x--\r\n"),  # no boundary
        (f"multipart/form-data; boundary={'b' * 71}", b"--b\r\n"),  # a boundary past 70 characters
        (  # a part header no HTTP parser accepts (found by the fuzz)
            f"multipart/form-data; boundary={BOUNDARY}",
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="\x03"\r\n\r\nx\r\n--{BOUNDARY}--\r\n'.encode(),
        ),
        (f"multipart/form-data; boundary={BOUNDARY}", b"not a form at all"),
    ],
)
async def test_a_malformed_form_is_a_400_not_a_500(api, content_type, body):
    owner = await register(api)
    response = await api.post("/api/v1/uploads", data=body, headers={**owner.headers, "Content-Type": content_type})
    assert await error_of(response) == (400, "validation_failed")
    assert not [p for p in api.settings.uploads_dir.rglob("*") if p.is_file()], "nothing is kept"


async def test_uploads_need_a_sign_in(api):
    assert await error_of(await api.post("/api/v1/uploads", data=form(b"x", "a.txt"))) == (401, "unauthorized")


async def test_what_a_message_may_reference(api):
    alice, bob = await register(api), await register(api)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])
    mine = await uploaded(api, alice, b"mine", "mine.txt")
    theirs = await uploaded(api, bob, b"theirs", "theirs.txt")
    cases = [
        ([theirs["id"]], 403, "forbidden"),
        (["0" * 24], 404, "not_found"),
        ([mine["id"], mine["id"]], 400, "validation_failed"),
        ([mine["id"]] * 11, 400, "validation_failed"),
        ([5], 400, "validation_failed"),
    ]
    for attachments, status, code in cases:
        refused = await post_room(api, alice, room["id"], attachments, content="x")
        assert await error_of(refused) == (status, code), attachments
    assert (await post_room(api, alice, room["id"], [mine["id"]])).status == 201
    again = await post_dm(api, alice, bob.id, [mine["id"]], content="once more")
    assert await error_of(again) == (409, "already_attached")
    assert await error_of(await post_room(api, alice, room["id"], [])) == (400, "validation_failed")
    # Nothing refused was stored: the room has the one message.
    page = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=bob.headers)).json()
    assert len(page["items"]) == 1


async def test_unknown_and_malformed_upload_ids(api):
    owner = await register(api)
    assert await error_of(await api.get("/api/v1/uploads/nope", headers=owner.headers)) == (404, "not_found")
    stored = await uploaded(api, owner, b"text", "a.txt")
    missing_preview = await api.get(stored["thumbnail_url"] or f"{stored['url']}/thumbnail", headers=owner.headers)
    assert await error_of(missing_preview) == (404, "not_found")


async def test_a_deleted_message_takes_its_files_with_it(api):
    alice, bob = await register(api), await register(api)
    photo = await uploaded(api, alice, png(), "photo.png")
    message = await (await post_dm(api, alice, bob.id, [photo["id"]])).json()
    deps = api.server.app[DEPS]
    files_before = [p for p in api.settings.uploads_dir.rglob("*") if p.is_file() and "incoming" not in p.parts]
    assert len(files_before) == 2  # the file and its preview
    async with deps.db() as db:
        assert await service.detach_for(db, "dm", message["id"]) == 1
        await db.commit()
    assert await error_of(await api.get(photo["url"], headers=bob.headers)) == (404, "not_found")
    assert await service.sweep(deps) == 1
    assert not [p for p in files_before if p.exists()]
    history = await (await api.get(f"/api/v1/dm/{alice.id}/messages", headers=bob.headers)).json()
    assert history["items"][0]["attachments"] == []


async def test_uploads_are_rate_limited_per_person(make_api):
    async with make_api("sqlite", uploads_per_minute=2) as client:
        busy, other = await register(client), await register(client)
        await fresh_window(60)  # fixed windows: all three uploads in one
        for n in range(2):
            assert (await upload(client, busy, b"x", f"{n}.txt")).status == 201
        refused = await upload(client, busy, b"x", "3.txt")
        assert await error_of(refused) == (429, "rate_limited") and refused.headers["Retry-After"]
        assert (await upload(client, other, b"x", "1.txt")).status == 201


async def test_a_deleted_account_leaves_its_room_files_and_takes_the_rest(api):
    alice, bob = await register(api), await register(api)
    room = await create_room(api, bob)
    await join(api, alice, room["id"])
    shared = await uploaded(api, alice, png(), "shared.png")
    private = await uploaded(api, alice, b"to bob", "private.txt")
    unsent = await uploaded(api, alice, b"never sent", "draft.txt")
    assert (await post_room(api, alice, room["id"], [shared["id"]])).status == 201
    assert (await post_dm(api, alice, bob.id, [private["id"]])).status == 201
    deleted = await api.delete("/api/v1/users/me", headers=alice.headers, json={"password": alice.password})
    assert deleted.status == 204
    # The DM went with her account, the unsent upload has nobody to send it: the sweep removes both files.
    assert await service.sweep(api.server.app[DEPS]) == 2
    kept = [p.name for p in api.settings.uploads_dir.rglob("*") if p.is_file()]
    assert sorted(kept) == sorted([shared["id"], f"{shared['id']}.thumb.webp"]), kept
    assert unsent["id"] not in kept
    # The room's message stays, and so does its picture.
    download = await api.get(shared["url"], headers=bob.headers)
    assert download.status == 200


async def test_an_upload_nobody_attached_for_a_day_is_swept(api):
    owner = await register(api)
    fresh, stale = await uploaded(api, owner, b"fresh", "a.txt"), await uploaded(api, owner, b"stale", "b.txt")
    deps = api.server.app[DEPS]
    async with deps.db() as db:
        row = await db.get(Upload, stale["id"])
        row.created_at = row.created_at - timedelta(hours=25)
        await db.commit()
    assert await service.sweep(deps) == 1
    assert await error_of(await api.get(stale["url"], headers=owner.headers)) == (404, "not_found")
    assert (await api.get(fresh["url"], headers=owner.headers)).status == 200
