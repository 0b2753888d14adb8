"""In-call endpoints over HTTP: the raised-hand queue, mute-all and ask-to-unmute permissions and
bad input, and the E2EE flag of a room. (Mute-all against real tracks: tests/integration.)"""

import pytest

from tests.helpers import create_room, error_of, join, register


async def hands_of(client, account, room_id) -> list[str]:
    response = await client.get(f"/api/v1/rooms/{room_id}/hands", headers=account.headers)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["room_id"] == room_id
    return [item["user"]["id"] for item in body["items"]]


async def raise_hand(client, account, room_id):
    return await client.post(f"/api/v1/rooms/{room_id}/hands", headers=account.headers)


async def test_hands_queue_in_the_order_raised_and_a_host_lowers_one_or_all(api):
    host, ann, bob, cat = [await register(api) for _ in range(4)]
    room = await create_room(api, host)
    for person in (ann, bob, cat):
        await join(api, person, room["id"])
    for person in (bob, ann, cat):
        response = await raise_hand(api, person, room["id"])
        assert response.status == 200
    assert await hands_of(api, host, room["id"]) == [bob.id, ann.id, cat.id]
    # Raising again keeps the place in line.
    again = await (await raise_hand(api, bob, room["id"])).json()
    assert [item["user"]["id"] for item in again["items"]] == [bob.id, ann.id, cat.id]
    assert set(again["items"][0]) == {"user", "raised_at"} and again["items"][0]["raised_at"].endswith("Z")

    lowered = await api.delete(f"/api/v1/rooms/{room['id']}/hands/{ann.id}", headers=host.headers)
    assert [item["user"]["id"] for item in (await lowered.json())["items"]] == [bob.id, cat.id]
    mine = await api.delete(f"/api/v1/rooms/{room['id']}/hands/{cat.id}", headers=cat.headers)
    assert mine.status == 200 and await hands_of(api, ann, room["id"]) == [bob.id]
    await raise_hand(api, ann, room["id"])  # back of the line
    assert await hands_of(api, ann, room["id"]) == [bob.id, ann.id]
    cleared = await api.delete(f"/api/v1/rooms/{room['id']}/hands", headers=host.headers)
    assert await cleared.json() == {"room_id": room["id"], "items": []}


async def test_a_hand_goes_down_when_its_owner_leaves_the_call(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    await raise_hand(api, guest, room["id"])
    assert await hands_of(api, host, room["id"]) == [guest.id]
    assert (await api.post(f"/api/v1/rooms/{room['id']}/leave", headers=guest.headers)).status == 204
    assert await hands_of(api, host, room["id"]) == []
    # Out of the call, no hand: join first.
    assert await error_of(await raise_hand(api, guest, room["id"])) == (409, "conflict")


async def test_only_the_person_or_a_host_lowers_a_hand(api):
    host, ann, bob, stranger = [await register(api) for _ in range(4)]
    room = await create_room(api, host)
    await join(api, ann, room["id"])
    await join(api, bob, room["id"])
    await raise_hand(api, ann, room["id"])
    for who in (bob, stranger):
        response = await api.delete(f"/api/v1/rooms/{room['id']}/hands/{ann.id}", headers=who.headers)
        assert await error_of(response) == (403, "forbidden")
    for who in (ann, bob):
        response = await api.delete(f"/api/v1/rooms/{room['id']}/hands", headers=who.headers)
        assert await error_of(response) == (403, "forbidden")
    assert await error_of(await raise_hand(api, stranger, room["id"])) == (403, "forbidden")
    listing = await api.get(f"/api/v1/rooms/{room['id']}/hands", headers=stranger.headers)
    assert await error_of(listing) == (403, "forbidden")
    assert await hands_of(api, host, room["id"]) == [ann.id]


async def test_hands_of_a_missing_or_ended_room(api):
    host = await register(api)
    missing = await api.get("/api/v1/rooms/zzz-zzzz-zzz/hands", headers=host.headers)
    assert await error_of(missing) == (404, "not_found")
    room = await create_room(api, host)
    await join(api, host, room["id"])
    await api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
    assert await error_of(await raise_hand(api, host, room["id"])) == (409, "room_ended")
    anonymous = await api.get(f"/api/v1/rooms/{room['id']}/hands")
    assert await error_of(anonymous) == (401, "unauthorized")


@pytest.mark.parametrize("caller", ["participant", "stranger"])
@pytest.mark.parametrize("path,body", [("/mute-all", {"kind": "audio"}), ("/ask-unmute", {"kind": "audio"})])
async def test_mute_all_and_ask_unmute_are_for_hosts(api, caller, path, body):
    host, member, stranger = await register(api), await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, member, room["id"])
    who = member if caller == "participant" else stranger
    response = await api.post(f"/api/v1/rooms/{room['id']}{path}", headers=who.headers, json=body)
    assert await error_of(response) == (403, "forbidden")


@pytest.mark.parametrize(
    "path,body",
    [
        ("/mute-all", {}),
        ("/mute-all", {"kind": "everything"}),
        ("/mute-all", {"kind": 1}),
        ("/mute-all", {"kind": "audio", "extra": True}),
        ("/ask-unmute", {"kind": "screen"}),
        ("/ask-unmute", {"kind": None}),
    ],
)
async def test_bad_bodies_are_refused(api, path, body):
    host = await register(api)
    room = await create_room(api, host)
    response = await api.post(f"/api/v1/rooms/{room['id']}{path}", headers=host.headers, json=body)
    assert await error_of(response) == (400, "validation_failed")


async def test_mute_all_and_ask_unmute_with_nobody_in_the_call(api):
    host = await register(api)
    room = await create_room(api, host)
    muted = await api.post(f"/api/v1/rooms/{room['id']}/mute-all", headers=host.headers, json={"kind": "audio"})
    assert await muted.json() == {"room_id": room["id"], "kind": "audio", "by": host.id, "muted": []}
    asked = await api.post(f"/api/v1/rooms/{room['id']}/ask-unmute", headers=host.headers, json={})
    assert await asked.json() == {"room_id": room["id"], "kind": "audio", "asked": []}


async def test_a_room_can_be_end_to_end_encrypted(api):
    host = await register(api)
    plain = await create_room(api, host)
    assert plain["e2ee"] is False
    secret = await create_room(api, host, e2ee=True)
    assert secret["e2ee"] is True
    details = await (await api.get(f"/api/v1/rooms/{secret['id']}", headers=host.headers)).json()
    assert details["e2ee"] is True
    bad = await api.post("/api/v1/rooms", headers=host.headers, json={"name": "x", "e2ee": "yes"})
    assert await error_of(bad) == (400, "validation_failed")
