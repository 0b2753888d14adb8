"""Rooms over HTTP: create, list, join with roles and media tokens, leave, end, settings."""

import re

import jsonschema_rs
import pytest
from livekit import api as lkapi

from conference.accounts.apikeys import create_api_key, revoke_api_key
from conference.deps import DEPS
from tests.helpers import create_room, error_of, join, register

ROOM_ID = re.compile(r"^[a-z]{3}-[a-z]{4}-[a-z]{3}$")


def grants_of(client, token: str):
    settings = client.settings
    return lkapi.TokenVerifier(settings.livekit_api_key, settings.livekit_api_secret).verify(token)


async def test_create_room_answers_the_contract_shape(api):
    host = await register(api)
    room = await create_room(api, host, name="Weekly sync", max_participants=10)
    assert ROOM_ID.match(room["id"])
    assert room["name"] == "Weekly sync"
    assert room["host_id"] == host.id
    assert room["status"] == "active"
    assert room["max_participants"] == 10
    assert room["waiting_room"] is False
    assert room["join_url"] == f"http://conference.test/r/{room['id']}"
    assert room["created_at"].endswith("Z")


async def test_list_rooms_shows_hosted_and_joined_rooms_newest_first(api):
    host, guest, stranger = await register(api), await register(api), await register(api)
    first = await create_room(api, host, name="first")
    second = await create_room(api, host, name="second")
    await join(api, guest, first["id"])
    hosted = await (await api.get("/api/v1/rooms", headers=host.headers)).json()
    assert [room["id"] for room in hosted["items"]] == [second["id"], first["id"]]
    joined = await (await api.get("/api/v1/rooms", headers=guest.headers)).json()
    assert [room["id"] for room in joined["items"]] == [first["id"]]
    assert (await (await api.get("/api/v1/rooms", headers=stranger.headers)).json())["items"] == []


async def test_join_gives_role_grants_and_a_livekit_token(api):
    host, guest = await register(api, display_name="Host Person"), await register(api)
    room = await create_room(api, host)
    joined = await join(api, host, room["id"])
    assert joined["role"] == "host"
    assert joined["identity"] == host.id
    assert joined["livekit_url"] == api.settings.livekit_url
    claims = grants_of(api, joined["token"])
    assert claims.identity == host.id and claims.name == "Host Person"
    assert claims.video.room == room["id"] and claims.video.room_admin and claims.video.can_publish
    assert '"role": "host"' in claims.metadata

    guest_join = await join(api, guest, room["id"].replace("-", "").upper())
    assert guest_join["role"] == "participant"
    guest_claims = grants_of(api, guest_join["token"])
    assert guest_claims.video.can_publish and not guest_claims.video.room_admin
    assert set(guest_claims.video.can_publish_sources) == {"camera", "microphone", "screen_share", "screen_share_audio"}


async def test_media_token_is_for_members_only(api):
    host, guest, stranger = await register(api), await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    ok = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert ok.status == 200
    body = await ok.json()
    assert set(body) == {"token", "livekit_url", "identity", "expires_at"}
    assert grants_of(api, body["token"]).identity == guest.id
    refused = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=stranger.headers)
    assert await error_of(refused) == (403, "forbidden")


async def test_leave_then_token_needs_a_new_join(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    left = await api.post(f"/api/v1/rooms/{room['id']}/leave", headers=guest.headers)
    assert left.status == 204
    token = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert await error_of(token) == (403, "forbidden")
    again = await api.post(f"/api/v1/rooms/{room['id']}/leave", headers=guest.headers)
    assert await error_of(again) == (403, "forbidden")
    await join(api, guest, room["id"])


async def test_only_the_host_ends_a_room_and_later_joins_are_refused(api):
    host, guest, late = await register(api), await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    refused = await api.post(f"/api/v1/rooms/{room['id']}/end", headers=guest.headers)
    assert await error_of(refused) == (403, "forbidden")
    ended = await api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
    assert ended.status == 200 and (await ended.json())["status"] == "ended"
    late_join = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=late.headers)
    assert await error_of(late_join) == (409, "room_ended")
    token = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert await error_of(token) == (409, "room_ended")


async def test_host_locks_and_renames_the_room(api):
    host, guest, newcomer = await register(api), await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    not_host = await api.patch(f"/api/v1/rooms/{room['id']}", headers=guest.headers, json={"locked": True})
    assert await error_of(not_host) == (403, "forbidden")
    patched = await api.patch(
        f"/api/v1/rooms/{room['id']}", headers=host.headers, json={"locked": True, "name": "Renamed"}
    )
    assert (await patched.json())["name"] == "Renamed"
    locked = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=newcomer.headers)
    assert await error_of(locked) == (403, "room_locked")
    await join(api, guest, room["id"])  # people already in keep their place


async def test_waiting_room_puts_newcomers_in_the_lobby(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host, waiting_room=True)
    assert (await join(api, host, room["id"]))["role"] == "host"
    waiting = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=guest.headers)
    assert waiting.status == 202
    assert (await waiting.json())["status"] == "waiting"
    token = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert await error_of(token) == (403, "forbidden")


def answer_validator(spec: dict, method: str, path: str, status: int) -> jsonschema_rs.Validator:
    """The JSON Schema openapi.json declares for this operation's answer, with its $refs resolvable."""
    schema = spec["paths"]["/api/v1" + path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    return jsonschema_rs.Draft202012Validator({**schema, "components": spec["components"]})


async def test_both_join_answers_match_the_schemas_openapi_declares_for_them(api):
    spec = await (await api.get("/api/v1/openapi.json")).json()
    joined_schema = answer_validator(spec, "post", "/rooms/{room_id}/join", 200)
    waiting_schema = answer_validator(spec, "post", "/rooms/{room_id}/join", 202)
    host, guest = await register(api), await register(api)
    room = await create_room(api, host, waiting_room=True)

    joined = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=host.headers)
    waiting = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=guest.headers)
    assert (joined.status, waiting.status) == (200, 202)
    joined_body, waiting_body = await joined.json(), await waiting.json()
    joined_schema.validate(joined_body)
    waiting_schema.validate(waiting_body)
    # Each schema tells the two answers apart, so the checks above can fail.
    assert not joined_schema.is_valid(waiting_body) and not waiting_schema.is_valid(joined_body)
    assert waiting_body == {"status": "waiting", "room": joined_body["room"]}


async def test_get_room_and_live_participants(api):
    host, stranger = await register(api), await register(api)
    room = await create_room(api, host)
    got = await api.get(f"/api/v1/rooms/{room['id']}", headers=host.headers)
    body = await got.json()
    assert body["id"] == room["id"] and body["participants_online"] == 0
    listed = await api.get(f"/api/v1/rooms/{room['id']}/participants", headers=host.headers)
    assert (await listed.json()) == {"items": []}
    refused = await api.get(f"/api/v1/rooms/{room['id']}/participants", headers=stranger.headers)
    assert await error_of(refused) == (403, "forbidden")


@pytest.mark.parametrize("room_id", ["abc-defg-hij", "not-a-code", "x" * 200, "abc-defg-hi1"])
async def test_unknown_or_malformed_room_ids_are_404(api, room_id):
    user = await register(api)
    for method, path in [
        ("GET", ""),
        ("POST", "/join"),
        ("POST", "/media/token"),
        ("POST", "/end"),
        ("GET", "/participants"),
        ("GET", "/chat/messages"),
        ("GET", "/sessions"),
    ]:
        response = await api.request(method, f"/api/v1/rooms/{room_id}{path}", headers=user.headers)
        assert await error_of(response) == (404, "not_found"), (method, path)


CREATE_BAD = [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "n" * 101}, "name"),
    ({"name": 42}, "name"),
    ({"name": "ok", "max_participants": 1}, "max_participants"),
    ({"name": "ok", "max_participants": 101}, "max_participants"),
    ({"name": "ok", "max_participants": "10"}, "max_participants"),
    ({"name": "ok", "waiting_room": "yes"}, "waiting_room"),
    ({"name": "ok", "host_id": "someone"}, "host_id"),
]


@pytest.mark.parametrize("body,field", CREATE_BAD)
async def test_bad_room_bodies_are_refused_and_create_nothing(api, body, field):
    host = await register(api)
    response = await api.post("/api/v1/rooms", json=body, headers=host.headers)
    assert await error_of(response) == (400, "validation_failed")
    assert field in (await response.json())["error"]["fields"]
    assert (await (await api.get("/api/v1/rooms", headers=host.headers)).json())["items"] == []


async def test_rooms_need_a_signed_in_user(api):
    response = await api.post("/api/v1/rooms", json={"name": "x"})
    assert await error_of(response) == (401, "unauthorized")


async def test_patch_room_rejects_bad_bodies(api):
    host = await register(api)
    room = await create_room(api, host, name="Keep")
    for body in ({"locked": "true"}, {"name": ""}, {"owner": "me"}):
        response = await api.patch(f"/api/v1/rooms/{room['id']}", headers=host.headers, json=body)
        assert await error_of(response) == (400, "validation_failed")
    got = await (await api.get(f"/api/v1/rooms/{room['id']}", headers=host.headers)).json()
    assert got["name"] == "Keep" and got["locked"] is False


async def test_integrators_create_rooms_and_mint_tokens_with_an_api_key(api):
    key_id, key = await create_api_key(api.server.app[DEPS].db, "crm")
    headers = {"Authorization": f"Bearer {key}"}
    created = await api.post("/api/v1/rooms", json={"name": "Client call"}, headers=headers)
    assert created.status == 201
    room = await created.json()
    assert room["host_id"] is None

    minted = await api.post(
        "/api/v1/tokens",
        headers=headers,
        json={
            "room": room["id"],
            "identity": "crm-user-7",
            "name": "Customer",
            "role": "viewer",
            "ttl_s": 120,
            "metadata": {"crm_id": 7},
        },
    )
    assert minted.status == 200
    body = await minted.json()
    claims = grants_of(api, body["token"])
    assert body["identity"] == claims.identity == "ext:crm-user-7"  # apart from user ids
    assert claims.video.room == room["id"] and not claims.video.can_publish

    await revoke_api_key(api.server.app[DEPS].db, key_id)
    revoked = await api.post("/api/v1/tokens", headers=headers, json={"room": room["id"], "identity": "x"})
    assert await error_of(revoked) == (401, "unauthorized")


TOKEN_BAD = [
    ({"identity": "a"}, "room"),
    ({"room": "abc-defg-hij"}, "identity"),
    ({"room": "abc-defg-hij", "identity": "has space"}, "identity"),
    ({"room": "abc-defg-hij", "identity": "i" * 125}, "identity"),  # 128 with the ext: prefix
    ({"room": "abc-defg-hij", "identity": "a", "role": "admin"}, "role"),
    ({"room": "abc-defg-hij", "identity": "a", "ttl_s": 59}, "ttl_s"),
    ({"room": "abc-defg-hij", "identity": "a", "ttl_s": 86401}, "ttl_s"),
    ({"room": "abc-defg-hij", "identity": "a", "metadata": "text"}, "metadata"),
    ({"room": "abc-defg-hij", "identity": "a", "metadata": {"blob": "b" * 3000}}, "metadata"),
]


@pytest.mark.parametrize("body,field", TOKEN_BAD)
async def test_bad_token_requests_are_refused(api, body, field):
    _, key = await create_api_key(api.server.app[DEPS].db, "crm")
    response = await api.post("/api/v1/tokens", headers={"Authorization": f"Bearer {key}"}, json=body)
    assert await error_of(response) == (400, "validation_failed")
    assert field in (await response.json())["error"]["fields"]


async def test_tokens_endpoint_refuses_users_foreign_rooms_and_unknown_rooms(api):
    user = await register(api)
    user_room = await create_room(api, user)
    _, key = await create_api_key(api.server.app[DEPS].db, "crm")
    headers = {"Authorization": f"Bearer {key}"}
    as_user = await api.post("/api/v1/tokens", headers=user.headers, json={"room": user_room["id"], "identity": "a"})
    assert await error_of(as_user) == (401, "unauthorized")
    foreign = await api.post("/api/v1/tokens", headers=headers, json={"room": user_room["id"], "identity": "a"})
    assert await error_of(foreign) == (403, "forbidden")
    unknown = await api.post("/api/v1/tokens", headers=headers, json={"room": "zzz-zzzz-zzz", "identity": "a"})
    assert await error_of(unknown) == (404, "not_found")
    bogus = await api.post(
        "/api/v1/tokens",
        headers={"Authorization": "Bearer ck_nope.nope"},
        json={"room": user_room["id"], "identity": "a"},
    )
    assert await error_of(bogus) == (401, "unauthorized")
