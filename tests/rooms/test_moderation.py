"""Host-only endpoints over HTTP: the lobby, removal, roles; everyone else gets 403 and changes nothing."""

import pytest
from livekit import api as lkapi

from tests.helpers import create_room, error_of, join, register


def person(account) -> dict:
    return {key: account.user[key] for key in ("id", "login", "display_name")}


async def in_lobby(client, account, room_id):
    response = await client.post(f"/api/v1/rooms/{room_id}/join", headers=account.headers)
    assert response.status == 202, await response.text()


async def lobby_of(client, host, room_id):
    response = await client.get(f"/api/v1/rooms/{room_id}/lobby", headers=host.headers)
    assert response.status == 200
    return [item["user"]["id"] for item in (await response.json())["items"]]


async def test_host_admits_and_denies_people_waiting(api):
    host, alice, bob = await register(api), await register(api), await register(api)
    room = await create_room(api, host, waiting_room=True)
    await in_lobby(api, alice, room["id"])
    await in_lobby(api, bob, room["id"])
    assert await lobby_of(api, host, room["id"]) == [alice.id, bob.id]

    admitted = await api.post(f"/api/v1/rooms/{room['id']}/lobby/{alice.id}/admit", headers=host.headers)
    assert admitted.status == 200
    assert await admitted.json() == {"room_id": room["id"], "user": person(alice), "outcome": "admitted"}
    assert (await join(api, alice, room["id"]))["role"] == "participant"  # admitted people go straight in
    denied = await api.post(f"/api/v1/rooms/{room['id']}/lobby/{bob.id}/deny", headers=host.headers)
    assert denied.status == 200 and (await denied.json())["outcome"] == "denied"
    assert await lobby_of(api, host, room["id"]) == []
    again = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=bob.headers)
    assert await error_of(again) == (403, "forbidden")
    twice = await api.post(f"/api/v1/rooms/{room['id']}/lobby/{bob.id}/admit", headers=host.headers)
    assert await error_of(twice) == (404, "not_found")


async def test_leaving_the_waiting_page_withdraws_the_request(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host, waiting_room=True)
    await in_lobby(api, guest, room["id"])
    assert (await api.post(f"/api/v1/rooms/{room['id']}/leave", headers=guest.headers)).status == 204
    assert await lobby_of(api, host, room["id"]) == []
    await in_lobby(api, guest, room["id"])  # and they may knock again, still through the lobby


async def test_removed_people_cannot_rejoin(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    removed = await api.post(f"/api/v1/rooms/{room['id']}/participants/{guest.id}/remove", headers=host.headers)
    assert removed.status == 200 and await removed.json() == {"room_id": room["id"], "user_id": guest.id}
    rejoin = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=guest.headers)
    assert await error_of(rejoin) == (403, "removed")
    token = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert await error_of(token) == (403, "forbidden")
    chat = await api.post(f"/api/v1/rooms/{room['id']}/chat/messages", headers=guest.headers, json={"content": "x"})
    assert await error_of(chat) == (403, "forbidden")


async def test_role_changes_show_in_the_next_token(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    changed = await api.patch(
        f"/api/v1/rooms/{room['id']}/participants/{guest.id}", headers=host.headers, json={"role": "viewer"}
    )
    assert await changed.json() == {"room_id": room["id"], "user": person(guest), "role": "viewer"}
    token = (await (await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)).json())["token"]
    claims = lkapi.TokenVerifier(api.settings.livekit_api_key, api.settings.livekit_api_secret).verify(token)
    assert not claims.video.can_publish
    promoted = await api.patch(
        f"/api/v1/rooms/{room['id']}/participants/{guest.id}", headers=host.headers, json={"role": "host"}
    )
    assert promoted.status == 200
    # A co-host may now do host things, such as locking the room.
    lock = await api.patch(f"/api/v1/rooms/{room['id']}", headers=guest.headers, json={"locked": True})
    assert lock.status == 200


async def test_the_owner_cannot_be_muted_removed_or_demoted(api):
    host, cohost = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, host, room["id"])
    await join(api, cohost, room["id"])
    await api.patch(f"/api/v1/rooms/{room['id']}/participants/{cohost.id}", headers=host.headers, json={"role": "host"})
    for kind in ("audio", "video", "screen"):
        mute = await api.post(
            f"/api/v1/rooms/{room['id']}/participants/{host.id}/mute", headers=cohost.headers, json={"kind": kind}
        )
        assert await error_of(mute) == (403, "forbidden")
    remove = await api.post(f"/api/v1/rooms/{room['id']}/participants/{host.id}/remove", headers=cohost.headers)
    assert await error_of(remove) == (403, "forbidden")
    demote = await api.patch(
        f"/api/v1/rooms/{room['id']}/participants/{host.id}", headers=cohost.headers, json={"role": "viewer"}
    )
    assert await error_of(demote) == (403, "forbidden")
    assert (await join(api, host, room["id"]))["role"] == "host"


async def test_someone_turned_away_stays_out_when_the_waiting_room_is_switched_off(api):
    host, guest, latecomer = await register(api), await register(api), await register(api)
    room = await create_room(api, host, waiting_room=True)
    await in_lobby(api, guest, room["id"])
    denied = await api.post(f"/api/v1/rooms/{room['id']}/lobby/{guest.id}/deny", headers=host.headers)
    assert denied.status == 200
    opened = await api.patch(f"/api/v1/rooms/{room['id']}", headers=host.headers, json={"waiting_room": False})
    assert opened.status == 200
    again = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=guest.headers)
    assert await error_of(again) == (403, "forbidden")
    token = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert await error_of(token) == (403, "forbidden")
    assert (await join(api, latecomer, room["id"]))["role"] == "participant"  # everyone else walks in


HOST_ONLY = [
    ("GET", "/lobby", None),
    ("POST", "/lobby/{target}/admit", None),
    ("POST", "/lobby/{target}/deny", None),
    ("POST", "/participants/{target}/mute", {"kind": "audio"}),
    ("POST", "/participants/{target}/remove", None),
    ("PATCH", "/participants/{target}", {"role": "viewer"}),
    ("PATCH", "", {"locked": True}),
    ("POST", "/end", None),
]


@pytest.mark.parametrize("caller", ["participant", "stranger"])
@pytest.mark.parametrize("method,path,body", HOST_ONLY)
async def test_host_endpoints_refuse_everyone_else_and_change_nothing(api, caller, method, path, body):
    host, member, waiting, stranger = (
        await register(api),
        await register(api),
        await register(api),
        await register(api),
    )
    room = await create_room(api, host)
    await join(api, member, room["id"])
    await api.patch(f"/api/v1/rooms/{room['id']}", headers=host.headers, json={"waiting_room": True})
    await in_lobby(api, waiting, room["id"])
    who = member if caller == "participant" else stranger
    target = waiting.id if "lobby" in path else member.id
    url = f"/api/v1/rooms/{room['id']}" + path.format(target=target)
    response = await api.request(method, url, headers=who.headers, json=body)
    assert await error_of(response) == (403, "forbidden")

    after = await (await api.get(f"/api/v1/rooms/{room['id']}", headers=host.headers)).json()
    assert after["status"] == "active" and after["locked"] is False
    assert await lobby_of(api, host, room["id"]) == [waiting.id]
    token = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=member.headers)
    assert token.status == 200
    claims = lkapi.TokenVerifier(api.settings.livekit_api_key, api.settings.livekit_api_secret).verify(
        (await token.json())["token"]
    )
    assert claims.video.can_publish  # still a participant


@pytest.mark.parametrize(
    "path,body",
    [
        ("/participants/{target}/mute", {"kind": "everything"}),
        ("/participants/{target}/mute", {}),
        ("/participants/{target}/mute", {"kind": 1}),
    ],
)
async def test_bad_moderation_bodies_are_refused(api, path, body):
    host, member = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, member, room["id"])
    response = await api.post(
        f"/api/v1/rooms/{room['id']}" + path.format(target=member.id), headers=host.headers, json=body
    )
    assert await error_of(response) == (400, "validation_failed")


@pytest.mark.parametrize("role", ["owner", "", 3, None])
async def test_bad_roles_are_refused(api, role):
    host, member = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, member, room["id"])
    response = await api.patch(
        f"/api/v1/rooms/{room['id']}/participants/{member.id}", headers=host.headers, json={"role": role}
    )
    assert await error_of(response) == (400, "validation_failed")


async def test_moderating_someone_who_is_not_a_member_is_404(api):
    host, stranger = await register(api), await register(api)
    room = await create_room(api, host)
    for method, path, body in [
        ("POST", f"/participants/{stranger.id}/remove", None),
        ("PATCH", f"/participants/{stranger.id}", {"role": "viewer"}),
        ("POST", f"/participants/{stranger.id}/mute", {"kind": "audio"}),
        ("POST", f"/lobby/{stranger.id}/admit", None),
    ]:
        response = await api.request(method, f"/api/v1/rooms/{room['id']}{path}", headers=host.headers, json=body)
        assert await error_of(response) == (404, "not_found"), path


async def test_changes_reach_the_token_endpoint_at_once_even_right_after_a_token(api):
    host, guest, other = await register(api), await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    await join(api, other, room["id"])
    url = f"/api/v1/rooms/{room['id']}/media/token"
    verifier = lkapi.TokenVerifier(api.settings.livekit_api_key, api.settings.livekit_api_secret)
    assert verifier.verify((await (await api.post(url, headers=guest.headers)).json())["token"]).video.can_publish
    assert (await api.post(url, headers=other.headers)).status == 200

    await api.patch(
        f"/api/v1/rooms/{room['id']}/participants/{guest.id}", headers=host.headers, json={"role": "viewer"}
    )
    demoted = verifier.verify((await (await api.post(url, headers=guest.headers)).json())["token"])
    assert not demoted.video.can_publish
    await api.post(f"/api/v1/rooms/{room['id']}/participants/{guest.id}/remove", headers=host.headers)
    assert await error_of(await api.post(url, headers=guest.headers)) == (403, "forbidden")
    await api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
    assert await error_of(await api.post(url, headers=other.headers)) == (409, "room_ended")
