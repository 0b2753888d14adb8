"""Contacts (request, accept, decline, remove) and presence: online while a socket is open."""

from __future__ import annotations

import pytest

from tests.helpers import error_of, register
from tests.realtime.sockets import connect


async def contacts_of(api, account) -> dict:
    body = await (await api.get("/api/v1/contacts", headers=account.headers)).json()
    return {item["user"]["id"]: item for item in body["items"]}


async def test_a_request_is_outgoing_then_incoming_then_accepted_on_both_sides(api):
    alice, bob = await register(api), await register(api)
    response = await api.post("/api/v1/contacts", json={"user_id": bob.id}, headers=alice.headers)
    assert response.status == 201
    assert (await response.json())["status"] == "outgoing"
    assert (await contacts_of(api, alice))[bob.id]["status"] == "outgoing"
    assert (await contacts_of(api, bob))[alice.id]["status"] == "incoming"

    response = await api.post(f"/api/v1/contacts/{alice.id}/accept", headers=bob.headers)
    assert response.status == 200 and (await response.json())["status"] == "accepted"
    mine, theirs = await contacts_of(api, alice), await contacts_of(api, bob)
    assert mine[bob.id]["status"] == theirs[alice.id]["status"] == "accepted"
    assert mine[bob.id]["user"]["login"] == bob.user["login"] and mine[bob.id]["online"] is False

    response = await api.delete(f"/api/v1/contacts/{alice.id}", headers=bob.headers)
    assert response.status == 204
    assert await contacts_of(api, alice) == {} and await contacts_of(api, bob) == {}


async def test_asking_someone_who_already_asked_you_accepts_at_once(api):
    alice, bob = await register(api), await register(api)
    await api.post("/api/v1/contacts", json={"user_id": bob.id}, headers=alice.headers)
    response = await api.post("/api/v1/contacts", json={"user_id": alice.id}, headers=bob.headers)
    assert response.status == 201 and (await response.json())["status"] == "accepted"
    assert (await contacts_of(api, alice))[bob.id]["status"] == "accepted"


async def test_a_declined_request_disappears_for_both(api):
    alice, bob = await register(api), await register(api)
    await api.post("/api/v1/contacts", json={"user_id": bob.id}, headers=alice.headers)
    response = await api.post(f"/api/v1/contacts/{alice.id}/decline", headers=bob.headers)
    assert response.status == 200
    assert await contacts_of(api, alice) == {} and await contacts_of(api, bob) == {}


@pytest.mark.parametrize(
    "method, path, body, status, code",
    [
        ("POST", "/contacts", {}, 400, "validation_failed"),
        ("POST", "/contacts", {"user_id": 7}, 400, "validation_failed"),
        ("POST", "/contacts", {"user_id": "ME"}, 400, "validation_failed"),
        ("POST", "/contacts", {"user_id": "nobody"}, 404, "not_found"),
        ("POST", "/contacts", {"user_id": "PENDING"}, 409, "conflict"),
        ("POST", "/contacts/PEER/accept", None, 404, "not_found"),
        ("POST", "/contacts/PENDING/accept", None, 404, "not_found"),  # you asked them, they must accept
        ("POST", "/contacts/PEER/decline", None, 404, "not_found"),
        ("DELETE", "/contacts/PEER", None, 404, "not_found"),
        ("POST", "/contacts/nobody/accept", None, 404, "not_found"),
    ],
)
async def test_bad_contact_requests(shared_api, method, path, body, status, code):
    api = shared_api
    alice, bob, pending = await register(api), await register(api), await register(api)
    await api.post("/api/v1/contacts", json={"user_id": pending.id}, headers=alice.headers)
    before = await contacts_of(api, alice)

    def fill(text):
        return text.replace("ME", alice.id).replace("PEER", bob.id).replace("PENDING", pending.id)

    if isinstance(body, dict):
        body = {k: fill(v) if isinstance(v, str) else v for k, v in body.items()}
    response = await api.request(method, "/api/v1" + fill(path), json=body, headers=alice.headers)
    assert await error_of(response) == (status, code)
    assert await contacts_of(api, alice) == before
    assert await contacts_of(api, bob) == {}


async def test_contacts_see_each_other_come_online_and_go_offline(api):
    alice, bob, stranger = await register(api), await register(api), await register(api)
    await api.post("/api/v1/contacts", json={"user_id": bob.id}, headers=alice.headers)
    await api.post(f"/api/v1/contacts/{alice.id}/accept", headers=bob.headers)

    a = await connect(api, alice)
    await a.expect("ready")
    s = await connect(api, stranger)
    await s.expect("ready")
    b1 = await connect(api, bob)
    await b1.expect("ready")
    came = await a.expect("presence", user_id=bob.id)
    assert came["data"]["online"] is True and "id" not in came
    profile = await (await api.get(f"/api/v1/users/{bob.id}", headers=alice.headers)).json()
    assert profile["online"] is True and profile["last_seen_at"]
    assert (await contacts_of(api, alice))[bob.id]["online"] is True
    found = await (await api.get(f"/api/v1/users?q={bob.user['login']}", headers=alice.headers)).json()
    assert found["items"][0]["online"] is True

    b2 = await connect(api, bob)  # a second tab: no news
    await b2.expect("ready")
    await b1.close()
    assert await a.quiet(0.3, ignore=()) == []
    assert (await (await api.get(f"/api/v1/users/{bob.id}", headers=alice.headers)).json())["online"] is True

    await b2.close()  # the last one: offline
    went = await a.expect("presence", user_id=bob.id)
    assert went["data"]["online"] is False
    profile = await (await api.get(f"/api/v1/users/{bob.id}", headers=alice.headers)).json()
    assert profile["online"] is False and profile["last_seen_at"] >= came["data"]["last_seen_at"]
    assert await s.quiet(0.2, ignore=()) == []  # not a contact: hears nothing
