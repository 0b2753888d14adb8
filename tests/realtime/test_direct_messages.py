"""Direct messages: stored first, pushed to both sides, receipts back to the sender."""

from __future__ import annotations

import pytest

from tests.helpers import error_of, register
from tests.realtime.sockets import connect


async def send_dm(api, sender, recipient, content="hi", **extra):
    response = await api.post(
        f"/api/v1/dm/{recipient.id}/messages", json={"content": content, **extra}, headers=sender.headers
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def test_an_online_recipient_gets_it_live_and_the_sender_hears_delivered_then_read(api):
    alice, bob = await register(api), await register(api)
    a, b = await connect(api, alice), await connect(api, bob)
    await a.expect("ready")
    await b.expect("ready")

    sent = await send_dm(api, alice, bob, "hello bob", client_id="c-1")
    assert sent["sender"]["id"] == alice.id and sent["recipient_id"] == bob.id
    assert sent["delivered_at"] is None and sent["read_at"] is None

    pushed = await b.expect("dm.message")
    assert pushed["data"]["id"] == sent["id"] and pushed["data"]["content"] == "hello bob"
    assert (await a.expect("dm.message"))["data"]["id"] == sent["id"]  # the sender's other tabs see it
    delivered = await a.expect("dm.receipt", status="delivered")
    assert delivered["data"]["message_ids"] == [sent["id"]] and delivered["data"]["user_id"] == bob.id

    await b.send(type="read", message_id=sent["id"])
    read = await a.expect("dm.receipt", status="read")
    assert read["data"]["message_ids"] == [sent["id"]]

    page = await (await api.get(f"/api/v1/dm/{alice.id}/messages", headers=bob.headers)).json()
    [stored] = page["items"]
    assert stored["delivered_at"] and stored["read_at"] and stored["client_id"] == "c-1"


async def test_dm_send_frames_are_acked_and_pushed_to_both_sides(api):
    alice, bob = await register(api), await register(api)
    a, b = await connect(api, alice), await connect(api, bob)
    await a.expect("ready")
    await b.expect("ready")
    await a.send(type="dm.send", to=bob.id, content="over the socket", client_id="k1")
    ack = await a.expect("ack")
    assert ack["data"]["client_id"] == "k1" and ack["data"]["content"] == "over the socket"
    assert (await b.expect("dm.message"))["data"]["id"] == ack["data"]["id"]
    assert (await a.expect("dm.receipt"))["data"]["status"] == "delivered"


async def test_an_offline_recipient_gets_messages_on_the_next_connection_once(api):
    alice, bob = await register(api), await register(api)
    first = await send_dm(api, alice, bob, "while you were out")
    second = await send_dm(api, alice, bob, "and this")
    convo = await (await api.get("/api/v1/dm", headers=bob.headers)).json()
    assert convo["items"][0]["unread"] == 2 and convo["items"][0]["user"]["id"] == alice.id
    assert convo["items"][0]["last_message"]["id"] == second["id"]

    a = await connect(api, alice)
    await a.expect("ready")
    b = await connect(api, bob)  # a brand-new client: no `after`
    got = [await b.frame() for _ in range(3)]
    assert [f["type"] for f in got] == ["dm.message", "dm.message", "ready"]
    assert [f["data"]["id"] for f in got[:2]] == [first["id"], second["id"]]
    receipts = [await a.expect("dm.receipt") for _ in range(2)]
    assert sorted(r["data"]["message_ids"][0] for r in receipts) == [first["id"], second["id"]]

    again = await connect(api, bob)  # delivered now: not pushed a second time
    assert (await again.frame())["type"] == "ready"

    response = await api.post(f"/api/v1/dm/{alice.id}/read", json={}, headers=bob.headers)
    assert (await response.json())["read"] == 2
    read = await a.expect("dm.receipt", status="read")
    assert read["data"]["message_ids"] == [first["id"], second["id"]]
    convo = await (await api.get("/api/v1/dm", headers=bob.headers)).json()
    assert convo["items"][0]["unread"] == 0


async def test_history_pages_backwards_oldest_first_within_a_page(api):
    alice, bob, carol = await register(api), await register(api), await register(api)
    ids = [(await send_dm(api, alice if n % 2 else bob, bob if n % 2 else alice, f"m{n}"))["id"] for n in range(7)]
    await send_dm(api, carol, alice, "not in this thread")
    page = await (await api.get(f"/api/v1/dm/{bob.id}/messages?limit=3", headers=alice.headers)).json()
    assert [m["id"] for m in page["items"]] == ids[4:]
    page2 = await (
        await api.get(f"/api/v1/dm/{bob.id}/messages?limit=3&before={page['next_before']}", headers=alice.headers)
    ).json()
    assert [m["id"] for m in page2["items"]] == ids[1:4]
    page3 = await (
        await api.get(f"/api/v1/dm/{bob.id}/messages?limit=3&before={page2['next_before']}", headers=alice.headers)
    ).json()
    assert [m["id"] for m in page3["items"]] == ids[:1] and page3["next_before"] is None
    convo = await (await api.get("/api/v1/dm", headers=alice.headers)).json()
    assert [c["user"]["id"] for c in convo["items"]] == [carol.id, bob.id]


@pytest.mark.parametrize(
    "path, body, status, code",
    [
        ("/dm/PEER/messages", {"content": ""}, 400, "validation_failed"),
        ("/dm/PEER/messages", {"content": "x" * 4001}, 400, "validation_failed"),
        ("/dm/PEER/messages", {"content": 5}, 400, "validation_failed"),
        ("/dm/PEER/messages", {"content": "hi", "extra": 1}, 400, "validation_failed"),
        ("/dm/PEER/messages", None, 400, "invalid_json"),
        ("/dm/ME/messages", {"content": "to myself"}, 400, "validation_failed"),
        ("/dm/nobody/messages", {"content": "to nobody"}, 404, "not_found"),
        ("/dm/PEER/read", {"message_id": 123456}, 404, "not_found"),
        ("/dm/PEER/read", {"message_id": "1"}, 400, "validation_failed"),
    ],
)
async def test_bad_direct_message_requests(shared_api, path, body, status, code):
    api = shared_api
    alice, bob = await register(api), await register(api)
    path = path.replace("PEER", bob.id).replace("ME", alice.id)
    if body is None:
        response = await api.post("/api/v1" + path, data=b"{nope", headers=alice.headers)
    else:
        response = await api.post("/api/v1" + path, json=body, headers=alice.headers)
    assert await error_of(response) == (status, code)
    assert (await (await api.get("/api/v1/dm", headers=alice.headers)).json())["items"] == []
    assert (await (await api.get("/api/v1/dm", headers=bob.headers)).json())["items"] == []


async def test_direct_messages_need_a_signed_in_user(api):
    alice = await register(api)
    response = await api.get(f"/api/v1/dm/{alice.id}/messages")
    assert await error_of(response) == (401, "unauthorized")
    bad = await api.get(f"/api/v1/dm/{alice.id}/messages?limit=500", headers=alice.headers)
    assert (await error_of(bad))[1] in ("validation_failed",)
