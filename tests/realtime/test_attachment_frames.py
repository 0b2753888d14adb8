"""Attachments sent over the socket (`chat.send` and `dm.send` frames with `attachments`), on SQLite and
PostgreSQL: acknowledged and pushed with the files, downloadable by those who can read the message, and
refused with the HTTP codes as `error` frames (someone else's upload forbidden, one attached already
already_attached, more than ten validation_failed), with nothing stored."""

from __future__ import annotations

import pytest

from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect
from tests.uploads.files import png, post_room, uploaded


async def test_chat_send_carries_attachments_to_the_room(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    photo = await uploaded(api, host, png(64, 48), "photo.png")
    notes = await uploaded(api, host, b"the agenda\n", "agenda.txt")
    mine, theirs = await connect(api, host), await connect(api, guest)
    await mine.expect("ready")
    await theirs.expect("ready")
    await mine.send(
        type="chat.send", room_id=room["id"], content="", attachments=[notes["id"], photo["id"]], client_id="f1"
    )
    ack = (await mine.expect("ack"))["data"]
    assert ack["client_id"] == "f1" and ack["content"] == ""
    assert [a["id"] for a in ack["attachments"]] == [photo["id"], notes["id"]]  # in upload order, as HTTP
    pushed = (await theirs.expect("chat.message"))["data"]
    assert pushed["id"] == ack["id"] and pushed["attachments"] == ack["attachments"]
    download = await api.get(notes["url"], headers=guest.headers)
    assert download.status == 200 and await download.read() == b"the agenda\n"
    page = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=guest.headers)).json()
    assert page["items"][0]["attachments"] == ack["attachments"]


async def test_dm_send_carries_attachments_to_both_sides(api):
    alice, bob, eve = await register(api), await register(api), await register(api)
    photo = await uploaded(api, alice, png(), "photo.png")
    a, b = await connect(api, alice), await connect(api, bob)
    await a.expect("ready")
    await b.expect("ready")
    await a.send(type="dm.send", to=bob.id, content="look", attachments=[photo["id"]], client_id="d1")
    ack = (await a.expect("ack"))["data"]
    assert ack["client_id"] == "d1" and [x["id"] for x in ack["attachments"]] == [photo["id"]]
    pushed = (await b.expect("dm.message"))["data"]
    assert pushed["id"] == ack["id"] and pushed["attachments"] == ack["attachments"]
    assert (await api.get(photo["thumbnail_url"], headers=bob.headers)).status == 200
    assert (await api.get(photo["url"], headers=eve.headers)).status == 404


@pytest.mark.parametrize("frame_type", ["chat.send", "dm.send"])
async def test_attachments_a_frame_may_not_carry_get_the_http_codes(api, frame_type):
    alice, bob = await register(api), await register(api)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])
    mine = await uploaded(api, alice, b"mine", "mine.txt")
    sent_before = await uploaded(api, alice, b"sent", "sent.txt")
    assert (await post_room(api, alice, room["id"], [sent_before["id"]])).status == 201
    theirs = await uploaded(api, bob, b"theirs", "theirs.txt")
    target = {"room_id": room["id"]} if frame_type == "chat.send" else {"to": bob.id}
    ws = await connect(api, alice)
    await ws.expect("ready")
    cases = [
        ([theirs["id"]], "forbidden", f"{theirs['id']} is not yours"),
        ([sent_before["id"]], "already_attached", f"{sent_before['id']} is attached already"),
        (["0" * 24], "not_found", f"{'0' * 24} does not exist"),
        ([mine["id"]] * 11, "validation_failed", None),
        ([mine["id"], mine["id"]], "validation_failed", None),
        ([5], "validation_failed", None),
        ([], "validation_failed", None),  # nothing to send: no text and no files
    ]
    for n, (attachments, code, field) in enumerate(cases):
        await ws.send(type=frame_type, **target, content="", attachments=attachments, client_id=f"c{n}")
        error = (await ws.expect("error"))["data"]
        assert (error["code"], error["client_id"]) == (code, f"c{n}"), (attachments, error)
        if field:
            assert error["fields"] == {"attachments": field}
    # Nothing refused was stored, and `mine` is still free to send.
    history = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=bob.headers)).json()
    assert len(history["items"]) == 1
    assert (await (await api.get("/api/v1/dm", headers=alice.headers)).json())["items"] == []
    await ws.send(type=frame_type, **target, attachments=[mine["id"]], client_id="ok")
    assert [a["id"] for a in (await ws.expect("ack"))["data"]["attachments"]] == [mine["id"]]
