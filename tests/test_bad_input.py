"""Bad input is a 4xx, always, on SQLite and PostgreSQL alike, and changes nothing: passwords past
bcrypt's 72 bytes, JSON nested past the parser, control characters in any text, and a database that
is down (503 database_unavailable on every endpoint)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import create_room, error_of, register
from tests.realtime.sockets import connect
from tests.servers import start_postgres

DEEP = "[" * 20_000 + "]" * 20_000  # under the 64 KiB body limit, past the parser's recursion limit
LONG_PASSWORD = "é" * 37  # 37 characters, 74 bytes


# --- passwords over 72 bytes ---------------------------------------------------------------------


async def test_a_password_over_72_bytes_at_login_is_a_400(api):
    account = await register(api)
    for login in (account.user["login"], "nobody-here"):
        response = await api.post("/api/v1/auth/login", json={"login": login, "password": LONG_PASSWORD})
        assert await error_of(response) == (400, "validation_failed")
        assert "password" in (await response.json())["error"]["fields"]
    exactly_72 = await api.post("/api/v1/auth/login", json={"login": account.user["login"], "password": "é" * 36})
    assert await error_of(exactly_72) == (401, "invalid_credentials")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"password": LONG_PASSWORD, "current_password": "password123"}, "password"),
        ({"password": "new-password-1", "current_password": LONG_PASSWORD}, "current_password"),
    ],
)
async def test_a_password_over_72_bytes_at_password_change_is_a_400(api, change, field):
    account = await register(api)
    response = await api.patch("/api/v1/users/me", json=change, headers=account.headers)
    assert await error_of(response) == (400, "validation_failed")
    assert field in (await response.json())["error"]["fields"]
    still = await api.post("/api/v1/auth/login", json={"login": account.user["login"], "password": "password123"})
    assert still.status == 200


# --- JSON nested deeper than the parser goes ------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/rooms"])
async def test_deep_json_is_a_400_invalid_json(api, path):
    account = await register(api)
    body = DEEP.encode()
    assert len(body) < 64 * 1024
    response = await api.post(path, data=body, headers={**account.headers, "Content-Type": "application/json"})
    assert await error_of(response) == (400, "invalid_json")


async def test_deep_json_on_the_websocket_is_an_error_frame_and_the_socket_stays(api):
    alice = await register(api)
    room = await create_room(api, alice)
    ws = await connect(api, alice)
    await ws.expect("ready")
    await ws.ws.send_str(DEEP)
    assert (await ws.expect("error"))["data"]["code"] == "invalid_json"
    await ws.send(type="chat.send", room_id=room["id"], content="still here", client_id="c1")
    assert (await ws.expect("ack"))["data"]["content"] == "still here"


# --- control characters ---------------------------------------------------------------------------

CONTROL = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"]


def register_body(text: str) -> dict:
    return {"login": "ctrl-user", "password": "password123", "display_name": f"Ann{text}"}


@pytest.mark.parametrize("char", CONTROL, ids=repr)
@pytest.mark.parametrize(
    "where",
    ["register display_name", "register password", "login", "room name", "room chat", "direct message", "patch me"],
)
async def test_control_characters_in_any_text_field_are_a_400(api, char, where):
    alice, bob = await register(api), await register(api)
    room = await create_room(api, alice)
    bad = f"a{char}b"
    requests = {
        "register display_name": ("POST", "/api/v1/auth/register", register_body(char), None, "display_name"),
        "register password": (
            "POST",
            "/api/v1/auth/register",
            {"login": "ctrl-user", "password": f"password{char}123"},
            None,
            "password",
        ),
        "login": ("POST", "/api/v1/auth/login", {"login": bad, "password": "password123"}, None, "login"),
        "room name": ("POST", "/api/v1/rooms", {"name": bad}, alice, "name"),
        "room chat": ("POST", f"/api/v1/rooms/{room['id']}/chat/messages", {"content": bad}, alice, "content"),
        "direct message": ("POST", f"/api/v1/dm/{bob.id}/messages", {"content": bad}, alice, "content"),
        "patch me": ("PATCH", "/api/v1/users/me", {"display_name": bad}, alice, "display_name"),
    }
    method, path, body, account, field = requests[where]
    # json.dumps escapes every character, so a lone surrogate travels as \ud800 like a client sends it
    response = await api.request(
        method,
        path,
        data=json.dumps(body),
        headers={"Content-Type": "application/json", **(account.headers if account else {})},
    )
    assert await error_of(response) == (400, "validation_failed")
    assert field in (await response.json())["error"]["fields"]
    # nothing stored
    rooms = await (await api.get("/api/v1/rooms", headers=alice.headers)).json()
    assert [r["id"] for r in rooms["items"]] == [room["id"]]
    chat = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=alice.headers)).json()
    assert chat["items"] == []
    me = await (await api.get("/api/v1/users/me", headers=alice.headers)).json()
    assert me["display_name"] == alice.user["display_name"]
    taken = await api.post("/api/v1/auth/register", json={"login": "ctrl-user", "password": "password123"})
    assert taken.status == 201


async def test_line_breaks_and_tabs_are_fine_in_free_text_only(api):
    alice = await register(api)
    room = await create_room(api, alice)
    text = "first line\nsecond\tcolumn"
    posted = await api.post(f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": text}, headers=alice.headers)
    assert posted.status == 201 and (await posted.json())["content"] == text
    renamed = await api.post("/api/v1/rooms", json={"name": "two\nlines"}, headers=alice.headers)
    assert await error_of(renamed) == (400, "validation_failed")


@pytest.mark.parametrize("path", ["/api/v1/users/a%00b", "/api/v1/users?q=a%00b", "/api/v1/rooms/kqz%07mvtd"])
async def test_control_characters_in_the_path_or_query_are_a_400(api, path):
    alice = await register(api)
    response = await api.get(path, headers=alice.headers)
    assert await error_of(response) == (400, "validation_failed")


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\ud800"], ids=repr)
async def test_control_characters_in_a_frame_are_an_error_frame_and_the_socket_stays(api, char):
    alice = await register(api)
    room = await create_room(api, alice)
    ws = await connect(api, alice)
    await ws.expect("ready")
    await ws.ws.send_str(json.dumps({"type": "chat.send", "room_id": room["id"], "content": f"a{char}b"}))
    error = await ws.expect("error")
    assert error["data"]["code"] == "validation_failed" and "content" in error["data"]["fields"]
    await ws.send(type="ping")
    await ws.expect("pong")
    chat = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=alice.headers)).json()
    assert chat["items"] == []


# --- the database is down ----------------------------------------------------------------------------


async def test_every_endpoint_answers_503_when_postgresql_is_down(make_api, tmp_path):
    """A PostgreSQL of this test's own, stopped under a running app: 503, never a 500."""
    server = start_postgres(tmp_path / "pg")
    try:
        async with make_api(database=server.url) as client:
            alice = await register(client)
            room = await create_room(client, alice)
            server.stop()
            requests = [
                ("POST", "/api/v1/auth/register", {"login": "late-comer", "password": "password123"}, False),
                ("POST", "/api/v1/auth/login", {"login": alice.user["login"], "password": "password123"}, False),
                ("POST", "/api/v1/auth/refresh", {"refresh_token": alice.refresh_token}, False),
                ("GET", "/api/v1/users?q=user", None, True),
                ("GET", f"/api/v1/users/{alice.id}", None, True),
                ("GET", "/api/v1/rooms", None, True),
                ("POST", "/api/v1/rooms", {"name": "Later"}, True),
                ("POST", f"/api/v1/rooms/{room['id']}/join", None, True),
                ("GET", f"/api/v1/rooms/{room['id']}/chat/messages", None, True),
                ("GET", "/api/v1/contacts", None, True),
                ("GET", "/api/v1/calls/history", None, True),
            ]
            for method, path, body, signed_in in requests:
                response = await client.request(method, path, json=body, headers=alice.headers if signed_in else {})
                assert await error_of(response) == (503, "database_unavailable"), (method, path)
            ready = await client.get("/readyz")
            assert ready.status == 503
    finally:
        server.stop()


# --- numbers past 64 bits (PostgreSQL refuses them) ---------------------------------------------------


async def test_an_integer_past_64_bits_is_a_400_not_a_database_error(api):
    alice, bob = await register(api), await register(api)
    response = await api.post(f"/api/v1/dm/{bob.id}/read", json={"message_id": 2**70}, headers=alice.headers)
    assert await error_of(response) == (400, "validation_failed")
    assert "message_id" in (await response.json())["error"]["fields"]
    ws = await connect(api, alice)
    await ws.expect("ready")
    await ws.send(type="read", message_id=2**70)
    error = await ws.expect("error")
    assert error["data"]["code"] == "validation_failed"
    await ws.send(type="ping")
    await ws.expect("pong")
