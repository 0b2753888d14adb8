"""Guests over HTTP and the socket: per-room guest access, the lobby, what a guest's session opens
(its room's chat, media token, leave and socket) and what it does not, and removal that sticks."""

from __future__ import annotations

import jwt
import pytest

from tests.guests.steps import forget_browser, join_as_guest
from tests.helpers import create_room, error_of, join, register
from tests.realtime.sockets import connect


async def test_new_rooms_let_guests_knock_and_a_host_can_open_or_close_the_door(api):
    host = await register(api)
    room = await create_room(api, host)
    assert room["guest_access"] == "lobby"
    for access in ("open", "off", "lobby"):
        changed = await api.patch(f"/api/v1/rooms/{room['id']}", json={"guest_access": access}, headers=host.headers)
        assert changed.status == 200 and (await changed.json())["guest_access"] == access
    mine = await api.get(f"/api/v1/rooms/{room['id']}", headers=host.headers)
    assert (await mine.json())["guest_access"] == "lobby"


async def test_an_open_room_lets_a_guest_straight_in_with_a_token_for_its_name(api):
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    guest = await join_as_guest(api, room["id"], "  Gwen  ")
    assert guest.status == 200
    body = guest.answer
    assert body["role"] == "participant" and body["room"]["id"] == room["id"]
    assert body["identity"] == guest.id and body["livekit_url"] == api.settings.livekit_url
    assert guest.display_name == "Gwen" and guest.session_token.startswith("gs_")
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["sub"] == guest.id and claims["name"] == "Gwen" and claims["video"]["room"] == room["id"]
    assert '"guest": true' in claims["metadata"]

    refreshed = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert refreshed.status == 200 and (await refreshed.json())["identity"] == guest.id


async def test_a_room_with_guests_off_refuses_them_by_name(api):
    host = await register(api)
    room = await create_room(api, host, guest_access="off")
    response = await api.post(f"/api/v1/rooms/{room['id']}/guests", json={"display_name": "Gwen"})
    assert await error_of(response) == (403, "guests_not_allowed")
    preview = await api.get(f"/api/v1/rooms/{room['id']}/preview")
    assert await preview.json() == {
        "id": room["id"],
        "name": None,  # a room closed to guests does not tell strangers its name
        "status": "active",
        "guest_access": "off",
        "e2ee": False,
        "livekit_url": api.settings.livekit_url,
        "created_at": room["created_at"],
    }


async def test_a_guest_waits_in_the_lobby_until_a_host_admits_it_like_a_member(api):
    host = await register(api)
    room = await create_room(api, host)  # lobby by default
    host_socket = await connect(api, host)
    await host_socket.expect("ready")
    guest = await join_as_guest(api, room["id"], "Gwen")
    assert guest.status == 202 and guest.answer["status"] == "waiting"
    knock = await host_socket.expect("lobby.request")
    assert knock["data"]["user"] == {
        "id": guest.id,
        "login": knock["data"]["user"]["login"],
        "display_name": "Gwen",
        "guest": True,
    }
    waiting = await api.get(f"/api/v1/rooms/{room['id']}/lobby", headers=host.headers)
    assert [item["user"]["guest"] for item in (await waiting.json())["items"]] == [True]

    guest_socket = await connect(api, guest)
    await guest_socket.expect("ready")
    still = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert await error_of(still) == (403, "forbidden")  # not let in yet
    admitted = await api.post(f"/api/v1/rooms/{room['id']}/lobby/{guest.id}/admit", headers=host.headers)
    assert admitted.status == 200
    decision = (await guest_socket.expect("lobby.admitted"))["data"]
    assert decision["room"]["id"] == room["id"] and decision["role"] == "participant"
    back = await join_as_guest(api, room["id"], "Gwen", headers=guest.headers)  # the decision carries no token
    assert back.status == 200 and back.id == guest.id and back.answer["identity"] == guest.id
    assert (await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)).status == 200


async def test_knocking_again_from_the_same_browser_keeps_one_place_in_the_lobby(api):
    host = await register(api)
    room = await create_room(api, host)
    first = await join_as_guest(api, room["id"], "Gwen")
    again = await join_as_guest(api, room["id"], "Gwen", headers=first.headers)
    assert again.id == first.id and again.status == 202
    waiting = await api.get(f"/api/v1/rooms/{room['id']}/lobby", headers=host.headers)
    assert [item["user"]["id"] for item in (await waiting.json())["items"]] == [first.id]


async def test_a_room_with_a_waiting_room_queues_guests_even_when_open(api):
    host = await register(api)
    room = await create_room(api, host, guest_access="open", waiting_room=True)
    assert (await join_as_guest(api, room["id"])).status == 202


async def test_a_guest_chats_in_its_room_and_is_marked_as_a_guest(api):
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    await join(api, host, room["id"])
    guest = await join_as_guest(api, room["id"], "Gwen")
    host_socket = await connect(api, host)
    await host_socket.expect("ready")

    posted = await api.post(
        f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": "hello from a guest"}, headers=guest.headers
    )
    assert posted.status == 201
    message = await host_socket.expect("chat.message")
    assert message["data"]["sender"]["guest"] is True and message["data"]["sender"]["display_name"] == "Gwen"
    page = await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=guest.headers)
    assert [m["content"] for m in (await page.json())["items"]] == ["hello from a guest"]

    guest_socket = await connect(api, guest)
    await guest_socket.expect("ready")
    await guest_socket.send(type="chat.send", room_id=room["id"], content="over the socket", client_id="g1")
    assert (await guest_socket.expect("ack"))["data"]["sender"]["guest"] is True
    await host_socket.send(type="chat.send", room_id=room["id"], content="welcome", client_id="h1")
    assert (await guest_socket.expect("chat.message", content="welcome"))["data"]["sender"]["id"] == host.id


async def test_a_guest_token_cannot_read_another_rooms_chat(api):
    host = await register(api)
    room, other = await create_room(api, host, guest_access="open"), await create_room(api, host, guest_access="open")
    await api.post(f"/api/v1/rooms/{other['id']}/chat/messages", json={"content": "secret"}, headers=host.headers)
    guest = await join_as_guest(api, room["id"])
    for method, path in [
        ("GET", f"/api/v1/rooms/{other['id']}/chat/messages"),
        ("POST", f"/api/v1/rooms/{other['id']}/media/token"),
        ("POST", f"/api/v1/rooms/{other['id']}/leave"),
    ]:
        response = await api.request(
            method, path, json={"content": "x"} if method == "POST" else None, headers=guest.headers
        )
        assert await error_of(response) == (403, "forbidden"), path
    socket = await connect(api, guest)
    await socket.expect("ready")
    await socket.send(type="chat.send", room_id=other["id"], content="hi", client_id="c1")
    assert (await socket.expect("error"))["data"]["code"] == "forbidden"
    assert not [f for f in await socket.quiet() if f["type"] == "chat.message"]


GUEST_REFUSED = [
    ("GET", "/api/v1/users/me"),
    ("GET", "/api/v1/rooms"),
    ("POST", "/api/v1/rooms"),
    ("GET", "/api/v1/rooms/{room}"),
    ("POST", "/api/v1/rooms/{room}/join"),
    ("GET", "/api/v1/rooms/{room}/participants"),
    ("GET", "/api/v1/rooms/{room}/lobby"),
    ("POST", "/api/v1/rooms/{room}/end"),
    ("PATCH", "/api/v1/rooms/{room}"),
    ("GET", "/api/v1/rooms/{room}/sessions"),
    ("GET", "/api/v1/contacts"),
    ("GET", "/api/v1/dm"),
    ("GET", "/api/v1/users?q=a"),
    ("POST", "/api/v1/calls"),
    ("GET", "/api/v1/calls/history"),
    ("POST", "/api/v1/tokens"),
]


async def test_a_guest_session_opens_nothing_but_its_rooms_chat_media_and_socket(api):
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    guest = await join_as_guest(api, room["id"])
    for method, path in GUEST_REFUSED:
        response = await api.request(method, path.format(room=room["id"]), json={}, headers=guest.headers)
        assert await error_of(response) == (401, "unauthorized"), path


async def test_a_guest_may_not_send_direct_messages_nor_be_found_messaged_or_signed_in_as(api):
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    guest = await join_as_guest(api, room["id"], "Gwen")
    socket = await connect(api, guest)
    await socket.expect("ready")
    for frame in (
        {"type": "dm.send", "to": host.id, "content": "psst", "client_id": "d1"},
        {"type": "typing", "to": host.id},
        {"type": "read", "message_id": 1},
    ):
        await socket.send(**frame)
        assert (await socket.expect("error"))["data"]["code"] == "forbidden"
    to_guest = await api.post(f"/api/v1/dm/{guest.id}/messages", json={"content": "hi"}, headers=host.headers)
    assert await error_of(to_guest) == (404, "not_found")
    assert await error_of(await api.get(f"/api/v1/users/{guest.id}", headers=host.headers)) == (404, "not_found")
    found = await api.get(f"/api/v1/users?q={guest.id}", headers=host.headers)
    assert (await found.json())["items"] == []
    signed = await api.post("/api/v1/auth/login", json={"login": f"guest:{guest.id[:26]}", "password": "!"})
    assert await error_of(signed) == (401, "invalid_credentials")


async def test_a_removed_guest_stays_out_with_its_old_session_or_a_new_one_from_that_browser(api):
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    guest = await join_as_guest(api, room["id"], "Rex")
    socket = await connect(api, guest)
    await socket.expect("ready")
    removed = await api.post(f"/api/v1/rooms/{room['id']}/participants/{guest.id}/remove", headers=host.headers)
    assert removed.status == 200
    code, reason = await socket.closed()
    assert (code, reason) == (4401, "this guest session ended: removed or turned away, or the room ended")

    media = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert await error_of(media) == (403, "removed")
    chat = await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=guest.headers)
    assert await error_of(chat) == (403, "removed")
    ticket = await api.post("/api/v1/ws/ticket", headers=guest.headers)
    assert await error_of(ticket) == (403, "removed")
    with_old_token = await api.post(
        f"/api/v1/rooms/{room['id']}/guests", json={"display_name": "Rex again"}, headers=guest.headers
    )
    assert await error_of(with_old_token) == (403, "removed")
    same_browser = await api.post(f"/api/v1/rooms/{room['id']}/guests", json={"display_name": "Not Rex"})
    assert await error_of(same_browser) == (403, "removed")  # the cookie of the first join remembers

    forget_browser(api)  # cleared cookies and storage: a stranger to the server, as anywhere else
    assert (await join_as_guest(api, room["id"], "Someone")).id != guest.id


async def test_a_denied_guest_is_told_and_stays_denied(api):
    host = await register(api)
    room = await create_room(api, host)
    guest = await join_as_guest(api, room["id"], "Dora")
    socket = await connect(api, guest)
    await socket.expect("ready")
    denied = await api.post(f"/api/v1/rooms/{room['id']}/lobby/{guest.id}/deny", headers=host.headers)
    assert denied.status == 200
    assert (await socket.closed())[0] == 4401
    again = await api.post(f"/api/v1/rooms/{room['id']}/guests", json={"display_name": "Dora"})
    assert await error_of(again) == (403, "forbidden")


async def test_a_guest_session_dies_when_the_room_ends(api):
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    guest = await join_as_guest(api, room["id"])
    socket = await connect(api, guest)
    await socket.expect("ready")
    assert (await api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)).status == 200
    assert (await socket.closed())[0] == 4401
    chat = await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=guest.headers)
    assert await error_of(chat) == (401, "unauthorized")
    late = await api.post(f"/api/v1/rooms/{room['id']}/guests", json={"display_name": "Late"})
    assert await error_of(late) == (409, "room_ended")


async def test_a_guest_who_left_comes_back_as_itself_and_a_locked_room_keeps_newcomers_out(api):
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    guest = await join_as_guest(api, room["id"], "Gwen")
    assert (await api.post(f"/api/v1/rooms/{room['id']}/leave", headers=guest.headers)).status == 204
    locked = await api.patch(f"/api/v1/rooms/{room['id']}", json={"locked": True}, headers=host.headers)
    assert locked.status == 200
    back = await join_as_guest(api, room["id"], "Gwen", headers=guest.headers)
    assert back.id == guest.id and back.status == 200
    forget_browser(api)
    stranger = await api.post(f"/api/v1/rooms/{room['id']}/guests", json={"display_name": "New"})
    assert await error_of(stranger) == (403, "room_locked")


async def test_guests_leave_the_lobby_by_leaving(api):
    host = await register(api)
    room = await create_room(api, host)
    guest = await join_as_guest(api, room["id"])
    assert (await api.post(f"/api/v1/rooms/{room['id']}/leave", headers=guest.headers)).status == 204
    waiting = await api.get(f"/api/v1/rooms/{room['id']}/lobby", headers=host.headers)
    assert (await waiting.json())["items"] == []
    gone = await api.post("/api/v1/ws/ticket", headers=guest.headers)
    assert await error_of(gone) == (401, "unauthorized")


# --- bad input and limits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "display_name"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 65}, "display_name"),
        ({"display_name": 7}, "display_name"),
        ({"display_name": None}, "display_name"),
        ({"display_name": "Gwen\x00"}, "display_name"),
        ({"display_name": "Gwen", "role": "host"}, "role"),
    ],
)
async def test_joining_as_a_guest_validates_the_name(api, body, field):
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    response = await api.post(f"/api/v1/rooms/{room['id']}/guests", json=body)
    assert await error_of(response) == (400, "validation_failed")
    assert field in (await response.json())["error"]["fields"]
    waiting = await api.get(f"/api/v1/rooms/{room['id']}/lobby", headers=host.headers)
    assert (await waiting.json())["items"] == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"not json", (400, "invalid_json")),
        (b"[]", (400, "invalid_json")),
    ],
)
async def test_joining_as_a_guest_refuses_what_is_not_a_json_object(api, raw, expected):
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    response = await api.post(
        f"/api/v1/rooms/{room['id']}/guests", data=raw, headers={"Content-Type": "application/json"}
    )
    assert await error_of(response) == expected


@pytest.mark.parametrize("path", ["/api/v1/rooms/nosuchroom/guests", "/api/v1/rooms/zzz-zzzz-zzz/guests"])
async def test_joining_an_unknown_room_as_a_guest_is_a_404(api, path):
    response = await api.post(path, json={"display_name": "Gwen"})
    assert await error_of(response) == (404, "not_found")
    preview = await api.get(path.replace("/guests", "/preview"))
    assert await error_of(preview) == (404, "not_found")


@pytest.mark.parametrize(
    "token, expected",
    [
        ("gs_not-a-jwt", (401, "unauthorized")),
        (
            "gs_"
            + jwt.encode({"sub": "x", "sid": "y", "room": "z", "typ": "guest", "exp": 9999999999}, "wrong-secret"),
            (401, "unauthorized"),
        ),
        ("gs_" + jwt.encode({"sub": "x", "sid": "y", "typ": "guest", "exp": 9999999999}, "k"), (401, "unauthorized")),
    ],
)
async def test_a_forged_or_broken_guest_token_is_a_401(api, token, expected):
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    response = await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers={"Authorization": f"Bearer {token}"})
    assert await error_of(response) == expected


async def test_an_expired_guest_session_says_so(make_api):
    async with make_api(guest_session_ttl_s=-10) as api:
        host = await register(api)
        room = await create_room(api, host, guest_access="open")
        guest = await join_as_guest(api, room["id"])
        response = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
        assert await error_of(response) == (401, "token_expired")


@pytest.mark.parametrize(
    "change",
    [{"guest_access": "everyone"}, {"guest_access": None}, {"guest_access": True}, {"guest_access": ""}],
)
async def test_guest_access_takes_off_lobby_or_open_only(api, change):
    host = await register(api)
    room = await create_room(api, host)
    created = await api.post("/api/v1/rooms", json={"name": "x", **change}, headers=host.headers)
    assert await error_of(created) == (400, "validation_failed")
    if change["guest_access"] is not None:
        patched = await api.patch(f"/api/v1/rooms/{room['id']}", json=change, headers=host.headers)
        assert await error_of(patched) == (400, "validation_failed")


async def test_only_a_host_changes_guest_access(api):
    host, member = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, member, room["id"])
    response = await api.patch(f"/api/v1/rooms/{room['id']}", json={"guest_access": "open"}, headers=member.headers)
    assert await error_of(response) == (403, "forbidden")
    stranger = await api.patch(f"/api/v1/rooms/{room['id']}", json={"guest_access": "open"})
    assert await error_of(stranger) == (401, "unauthorized")


async def test_guest_joins_and_previews_are_limited_per_client_address(make_api):
    async with make_api(guest_joins_per_minute=3, room_previews_per_minute=2) as api:
        host = await register(api)
        room = await create_room(api, host, guest_access="open")
        for _ in range(3):
            forget_browser(api)
            await join_as_guest(api, room["id"])
        refused = await api.post(f"/api/v1/rooms/{room['id']}/guests", json={"display_name": "One more"})
        assert await error_of(refused) == (429, "rate_limited")
        assert int(refused.headers["Retry-After"]) >= 1
        for _ in range(2):
            assert (await api.get(f"/api/v1/rooms/{room['id']}/preview")).status == 200
        assert await error_of(await api.get(f"/api/v1/rooms/{room['id']}/preview")) == (429, "rate_limited")
