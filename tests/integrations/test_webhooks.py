"""Integrators' webhooks against a real HTTP receiver on loopback: signed deliveries of their rooms' news,
in order per room, retried on 5xx/429/network errors with the same webhook-id, never on other 4xx, and
the attempts readable back; plus the endpoints' bad-input and permission tables."""

from __future__ import annotations

import asyncio
import time

import pytest

from conference.integrations.signing import signature
from tests.guests.steps import api_key, forget_browser, join_as_guest, key_headers
from tests.helpers import error_of, join, register
from tests.integrations.receiver import Receiver, start_receiver

FAST = {"webhook_retry_base_s": 0.2, "webhook_poll_s": 0.2}


def test_signatures_match_the_standard_webhooks_reference_vector():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert (
        signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


async def subscribe(client, key: str, receiver: Receiver, events=None) -> dict:
    body = {"url": receiver.url, **({"events": events} if events else {})}
    response = await client.post("/api/v1/webhooks", json=body, headers=key_headers(key))
    assert response.status == 201, await response.text()
    endpoint = await response.json()
    receiver.secret = endpoint["secret"]
    return endpoint


async def key_room(client, key: str, **body) -> dict:
    response = await client.post("/api/v1/rooms", json={"name": "Class 5b", **body}, headers=key_headers(key))
    assert response.status == 201, await response.text()
    return await response.json()


async def say(client, account, room_id: str, text: str) -> dict:
    response = await client.post(
        f"/api/v1/rooms/{room_id}/chat/messages", json={"content": text}, headers=account.headers
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def test_an_endpoint_gets_its_rooms_news_signed_and_in_order(api, receiver):
    key = await api_key(api)
    endpoint = await subscribe(api, key, receiver, events=["chat.message", "lobby.requested"])
    assert endpoint["secret"].startswith("whsec_") and endpoint["events"] == ["chat.message", "lobby.requested"]
    room = await key_room(api, key)
    teacher = await register(api)
    await join(api, teacher, room["id"])
    sent = [await say(api, teacher, room["id"], f"line {n}") for n in range(5)]
    guest = await join_as_guest(api, room["id"], "Parent")  # knocks: lobby by default

    await receiver.wait_for(5, "chat.message")
    await receiver.wait_for(1, "lobby.requested")
    chat = receiver.received("chat.message")
    assert [d.body["data"]["id"] for d in chat] == [m["id"] for m in sent]
    assert chat[0].body["data"]["content"] == "line 0" and chat[0].body["data"]["room_id"] == room["id"]
    assert len({d.webhook_id for d in chat}) == 5 and all(d.webhook_id.startswith("msg_") for d in chat)
    knock = receiver.received("lobby.requested")[0].body
    assert knock["data"]["user"] == {**knock["data"]["user"], "id": guest.id, "guest": True}
    assert set(knock) == {"type", "timestamp", "data"}

    # The receiver has the last delivery before the app has recorded its answer: look for a moment.
    for _ in range(50):
        attempts = await api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=key_headers(key))
        items = (await attempts.json())["items"]
        if len(items) >= 6:
            break
        await asyncio.sleep(0.1)
    assert len(items) == 6 and {item["outcome"] for item in items} == {"delivered"}
    assert items[0]["event"] == "lobby.requested" and items[0]["status_code"] == 200 and items[0]["attempt"] == 1


async def test_a_receiver_failing_twice_gets_the_same_message_again_in_order(make_api, receiver):
    receiver.answer = lambda webhook_id, attempt: 500 if attempt <= 2 else 200
    async with make_api(**FAST) as api:
        key = await api_key(api)
        endpoint = await subscribe(api, key, receiver, events=["chat.message"])
        room = await key_room(api, key)
        teacher = await register(api)
        await join(api, teacher, room["id"])
        changed_at = []
        for n in range(4):
            changed_at.append(time.time())
            await say(api, teacher, room["id"], f"line {n}")
        await receiver.wait_for(4, "chat.message", timeout=30)

        ids = [d.webhook_id for d in receiver.deliveries]
        assert len(ids) == 12
        # Each message three times in a row (500, 500, 200) before the next one of the room is tried.
        assert ids == [ids[0]] * 3 + [ids[3]] * 3 + [ids[6]] * 3 + [ids[9]] * 3
        assert [d.answered for d in receiver.deliveries] == [500, 500, 200] * 4
        contents = [d.body["data"]["content"] for d in receiver.received(status=200)]
        assert contents == ["line 0", "line 1", "line 2", "line 3"]
        first = receiver.deliveries[:3]
        assert first[0].raw == first[1].raw == first[2].raw  # the same body, signed anew each time

        attempts = await api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=key_headers(key))
        outcomes = [(item["attempt"], item["outcome"]) for item in reversed((await attempts.json())["items"])]
        assert outcomes == [(1, "retrying"), (2, "retrying"), (3, "delivered")] * 4
        delivered_at = [d.received_at for d in receiver.received(status=200)]
        print(
            "change->2xx after two 500s, s:", [round(b - a, 3) for a, b in zip(changed_at, delivered_at, strict=True)]
        )


@pytest.mark.parametrize("status", [400, 401, 404, 410, 301])
async def test_other_answers_are_not_retried_and_do_not_block_the_room(make_api, receiver, status):
    first: list[str] = []

    def answer(webhook_id: str, attempt: int) -> int:
        if not first:
            first.append(webhook_id)
        return status if webhook_id == first[0] else 200

    receiver.answer = answer
    async with make_api(**FAST) as api:
        key = await api_key(api)
        endpoint = await subscribe(api, key, receiver, events=["chat.message"])
        room = await key_room(api, key)
        teacher = await register(api)
        await join(api, teacher, room["id"])
        await say(api, teacher, room["id"], "refused")
        await say(api, teacher, room["id"], "accepted")
        await receiver.wait_for(1, "chat.message")
        await asyncio.sleep(1)
        assert [(d.body["data"]["content"], d.answered) for d in receiver.deliveries] == [
            ("refused", status),
            ("accepted", 200),
        ]
        attempts = await api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=key_headers(key))
        assert [item["outcome"] for item in (await attempts.json())["items"]] == ["delivered", "failed"]


async def test_429_and_an_unreachable_endpoint_are_retried_until_the_window_closes(make_api, receiver):
    receiver.answer = lambda webhook_id, attempt: 429 if attempt == 1 else 200
    async with make_api(webhook_retry_window_s=1.5, **FAST) as api:
        key = await api_key(api)
        await subscribe(api, key, receiver, events=["chat.message"])
        dead = await api.post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/nobody-listens", "events": ["chat.message"]},
            headers=key_headers(key),
        )
        dead_id = (await dead.json())["id"]
        room = await key_room(api, key)
        teacher = await register(api)
        await join(api, teacher, room["id"])
        await say(api, teacher, room["id"], "hello")
        await receiver.wait_for(1, "chat.message")
        assert [d.answered for d in receiver.deliveries] == [429, 200]
        await asyncio.sleep(2.5)
        attempts = await api.get(f"/api/v1/webhooks/{dead_id}/deliveries", headers=key_headers(key))
        items = list(reversed((await attempts.json())["items"]))
        assert len(items) >= 3, items  # tried again and again within the window
        assert all(item["status_code"] is None and item["error"] for item in items)
        assert [item["outcome"] for item in items[:-1]] == ["retrying"] * (len(items) - 1)
        assert items[-1]["outcome"] == "failed"


async def test_after_a_rotation_both_secrets_sign_until_the_old_one_lapses(api, receiver):
    key = await api_key(api)
    endpoint = await subscribe(api, key, receiver, events=["chat.message"])
    old_secret = endpoint["secret"]
    rotated = await api.post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret", headers=key_headers(key))
    assert rotated.status == 200
    body = await rotated.json()
    assert body["secret"] != old_secret and body["secret"].startswith("whsec_")
    receiver.secret = body["secret"]
    room = await key_room(api, key)
    teacher = await register(api)
    await join(api, teacher, room["id"])
    await say(api, teacher, room["id"], "after the rotation")
    await receiver.wait_for(1)
    delivery = receiver.deliveries[0]
    assert len(delivery.signatures) == 2
    assert delivery.signatures[0] == signature(body["secret"], delivery.webhook_id, delivery.timestamp, delivery.raw)
    assert delivery.signatures[1] == signature(old_secret, delivery.webhook_id, delivery.timestamp, delivery.raw)


async def test_only_the_rooms_of_the_key_that_created_them_are_reported(api, receiver):
    mine, theirs = await api_key(api, "mine"), await api_key(api, "theirs")
    await subscribe(api, mine, receiver, events=["chat.message"])
    teacher = await register(api)
    user_room = await api.post("/api/v1/rooms", json={"name": "Private"}, headers=teacher.headers)
    rooms = [await key_room(api, theirs), await user_room.json(), await key_room(api, mine)]
    for room in rooms:
        await join(api, teacher, room["id"])
        await say(api, teacher, room["id"], f"in {room['id']}")
    await receiver.wait_for(1)
    await asyncio.sleep(0.5)
    assert [d.body["data"]["room_id"] for d in receiver.deliveries] == [rooms[2]["id"]]


async def test_a_deleted_endpoint_hears_nothing_more(api, receiver):
    key = await api_key(api)
    endpoint = await subscribe(api, key, receiver, events=["chat.message"])
    deleted = await api.delete(f"/api/v1/webhooks/{endpoint['id']}", headers=key_headers(key))
    assert deleted.status == 204
    listed = await api.get("/api/v1/webhooks", headers=key_headers(key))
    assert (await listed.json())["items"] == []
    room = await key_room(api, key)
    teacher = await register(api)
    await join(api, teacher, room["id"])
    await say(api, teacher, room["id"], "anyone?")
    await asyncio.sleep(0.8)
    assert receiver.deliveries == []


async def test_the_committing_replica_delivers_at_once_without_waiting_for_its_poll(make_api, receiver):
    """The deliverer is woken at the commit: with the poll set to a minute, messages still arrive in
    seconds (the latency itself is measured in docs/webhooks.md, not asserted here)."""
    settings = {"messages_per_10s": 1000, "messages_per_minute": 1000, "webhook_poll_s": 60.0}
    async with make_api("sqlite", **settings) as api:
        key = await api_key(api)
        await subscribe(api, key, receiver, events=["chat.message"])
        rooms = [await key_room(api, key) for _ in range(2)]
        teacher = await register(api)
        for room in rooms:
            await join(api, teacher, room["id"])
        await asyncio.sleep(1.0)  # the deliverer's first look at start is over; only a wake-up is left
        for n in range(6):
            await say(api, teacher, rooms[n % 2]["id"], f"m{n}")
        await receiver.wait_for(6, timeout=20)
        assert sorted(d.body["data"]["content"] for d in receiver.deliveries) == [f"m{n}" for n in range(6)]


# --- bad input and permissions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "url"),
        ({"url": ""}, "url"),
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://user:pw@example.com/hook"}, "url"),
        ({"url": "https://example.com/hook#x"}, "url"),
        ({"url": "https://example.com/" + "x" * 2000}, "url"),
        ({"url": "https://example.com/hook", "events": []}, "events"),
        ({"url": "https://example.com/hook", "events": ["room.exploded"]}, "events.0"),
        ({"url": "https://example.com/hook", "events": ["chat.message", "chat.message"]}, "events"),
        ({"url": "https://example.com/hook", "events": "chat.message"}, "events"),
        ({"url": "https://example.com/hook", "secret": "mine"}, "secret"),
        ({"url": "https://example.com/hook", "description": "x" * 201}, "description"),
        ({"url": 5}, "url"),
    ],
)
async def test_registering_an_endpoint_validates_its_body(api, body, field):
    key = await api_key(api)
    response = await api.post("/api/v1/webhooks", json=body, headers=key_headers(key))
    assert await error_of(response) == (400, "validation_failed")
    assert field in (await response.json())["error"]["fields"]
    listed = await api.get("/api/v1/webhooks", headers=key_headers(key))
    assert (await listed.json())["items"] == []


@pytest.mark.parametrize(
    "url, accepted",
    [
        ("https://hooks.example.com/in", True),
        ("http://hooks.example.com/in", False),
        ("https://127.0.0.1/in", False),
        ("https://10.1.2.3/in", False),
        ("https://localhost:8443/in", False),
        ("https://[::1]/in", False),
    ],
)
async def test_outside_development_only_public_https_endpoints_are_accepted(make_api, url, accepted):
    async with make_api(environment="production") as api:
        key = await api_key(api)
        response = await api.post("/api/v1/webhooks", json={"url": url}, headers=key_headers(key))
        if accepted:
            assert response.status == 201
            assert (await response.json())["events"] == [
                "room.started",
                "room.ended",
                "participant.joined",
                "participant.left",
                "lobby.requested",
                "recording.ready",
            ]
        else:
            assert await error_of(response) == (400, "validation_failed")


async def test_an_api_key_has_at_most_twenty_endpoints(api):
    key = await api_key(api)
    for n in range(20):
        made = await api.post("/api/v1/webhooks", json={"url": f"https://e.example/{n}"}, headers=key_headers(key))
        assert made.status == 201
    over = await api.post("/api/v1/webhooks", json={"url": "https://e.example/21"}, headers=key_headers(key))
    assert await error_of(over) == (409, "conflict")


WEBHOOK_OPERATIONS = [
    ("POST", "/api/v1/webhooks"),
    ("GET", "/api/v1/webhooks"),
    ("DELETE", "/api/v1/webhooks/{id}"),
    ("POST", "/api/v1/webhooks/{id}/rotate-secret"),
    ("GET", "/api/v1/webhooks/{id}/deliveries"),
    ("GET", "/api/v1/keys/me"),
    ("PATCH", "/api/v1/keys/me"),
]


async def test_only_api_keys_manage_webhooks_and_only_their_own(api):
    key, other = await api_key(api, "owner"), await api_key(api, "other")
    made = await api.post("/api/v1/webhooks", json={"url": "https://e.example/in"}, headers=key_headers(key))
    endpoint_id = (await made.json())["id"]
    user = await register(api)
    room = await key_room(api, key, guest_access="open")
    forget_browser(api)
    guest = await join_as_guest(api, room["id"])
    for method, template in WEBHOOK_OPERATIONS:
        path = template.format(id=endpoint_id)
        body = {"url": "https://e.example/x"} if method == "POST" else {"allowed_origins": []}
        for headers in ({}, user.headers, guest.headers, {"Authorization": "Bearer ck_nope.nope"}):
            response = await api.request(method, path, json=body, headers=headers)
            assert await error_of(response) == (401, "unauthorized"), (method, path, headers)
        if "{id}" in template:
            foreign = await api.request(method, path, json=body, headers=key_headers(other))
            assert await error_of(foreign) == (404, "not_found"), (method, path)
    still = await api.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=key_headers(key))
    assert still.status == 200


@pytest.mark.parametrize("endpoint_id", ["we_0000000000000000", "x" * 40, "%20"])
async def test_unknown_endpoints_are_404(api, endpoint_id):
    key = await api_key(api)
    for method, suffix in (("DELETE", ""), ("POST", "/rotate-secret"), ("GET", "/deliveries")):
        response = await api.request(method, f"/api/v1/webhooks/{endpoint_id}{suffix}", headers=key_headers(key))
        assert await error_of(response) == (404, "not_found")


async def test_a_key_lists_its_allowed_origins_and_sets_them_normalised(api):
    key = await api_key(api, "portal")
    me = await api.get("/api/v1/keys/me", headers=key_headers(key))
    assert (await me.json())["allowed_origins"] == [] and (await me.json())["name"] == "portal"
    origins = ["https://CRM.example.com", "http://127.0.0.1:8081", "https://crm.example.com/"]
    changed = await api.patch("/api/v1/keys/me", json={"allowed_origins": origins}, headers=key_headers(key))
    assert (await changed.json())["allowed_origins"] == ["https://crm.example.com", "http://127.0.0.1:8081"]


@pytest.mark.parametrize(
    "origins",
    [
        ["https://crm.example.com/path"],
        ["crm.example.com"],
        ["javascript:alert(1)"],
        ["https://crm.example.com?x=1"],
        ["https://crm.example.com:99999"],
        ["*"],
        ["https://a.example"] * 21,
        "https://crm.example.com",
        [7],
    ],
)
async def test_allowed_origins_are_origins(api, origins):
    key = await api_key(api)
    response = await api.patch("/api/v1/keys/me", json={"allowed_origins": origins}, headers=key_headers(key))
    assert await error_of(response) == (400, "validation_failed")
    me = await api.get("/api/v1/keys/me", headers=key_headers(key))
    assert (await me.json())["allowed_origins"] == []


async def test_outside_development_allowed_origins_are_https(make_api):
    async with make_api(environment="production") as api:
        key = await api_key(api)
        response = await api.patch(
            "/api/v1/keys/me", json={"allowed_origins": ["http://crm.example.com"]}, headers=key_headers(key)
        )
        assert await error_of(response) == (400, "validation_failed")


async def test_a_second_receiver_for_the_same_key_gets_its_own_copy(api, receiver):
    other = Receiver()
    runner = await start_receiver(other)
    try:
        key = await api_key(api)
        await subscribe(api, key, receiver, events=["chat.message"])
        made = await api.post(
            "/api/v1/webhooks", json={"url": other.url, "events": ["chat.message"]}, headers=key_headers(key)
        )
        other.secret = (await made.json())["secret"]
        room = await key_room(api, key)
        teacher = await register(api)
        await join(api, teacher, room["id"])
        await say(api, teacher, room["id"], "to both")
        await receiver.wait_for(1)
        await other.wait_for(1)
        assert receiver.deliveries[0].webhook_id != other.deliveries[0].webhook_id
        assert receiver.deliveries[0].body == other.deliveries[0].body
    finally:
        await runner.cleanup()


async def test_the_retention_sweep_forgets_finished_messages_but_never_pending_ones(api, receiver):
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from conference import retention
    from conference.db import utcnow
    from conference.deps import DEPS
    from conference.integrations.models import WebhookAttempt, WebhookMessage

    deps = api.server.app[DEPS]
    key = await api_key(api)
    await subscribe(api, key, receiver, events=["chat.message"])
    room = await key_room(api, key)
    teacher = await register(api)
    await join(api, teacher, room["id"])
    for n in range(3):
        await say(api, teacher, room["id"], f"{n}")
    await receiver.wait_for(3)
    await asyncio.sleep(0.3)
    async with deps.db() as db:
        ids = list(await db.scalars(select(WebhookMessage.id).order_by(WebhookMessage.id)))
        long_ago = utcnow() - timedelta(days=4)
        await db.execute(update(WebhookMessage).where(WebhookMessage.id == ids[0]).values(finished_at=long_ago))
        await db.execute(
            update(WebhookMessage)
            .where(WebhookMessage.id == ids[1])
            .values(
                status="pending", finished_at=None, created_at=long_ago, next_attempt_at=utcnow() + timedelta(days=1)
            )
        )
        await db.commit()
    pruned = await retention.sweep(deps.db, deps.settings)
    assert pruned.counts["webhook_messages"] == 1
    async with deps.db() as db:
        assert list(await db.scalars(select(WebhookMessage.id).order_by(WebhookMessage.id))) == ids[1:]
        assert await db.scalar(select(func.count()).select_from(WebhookAttempt)) == 2  # its attempt went too


async def test_a_finished_recording_of_the_keys_room_is_reported(api, receiver):
    """The recorder's worker closes the file (recordings/jobs.py): recording.ready goes out with it."""
    from conference.deps import DEPS
    from conference.recordings import jobs

    key = await api_key(api)
    await subscribe(api, key, receiver, events=["recording.ready"])
    room = await key_room(api, key)
    teacher = await register(api)
    await join(api, teacher, room["id"])
    # A member cannot record (hosts only); the key's room has no host user, so the job is queued directly.
    deps = api.server.app[DEPS]
    from conference.recordings.models import Recording as RecordingRow

    async with deps.db() as db:
        db.add(RecordingRow(id="rec_test_1", room_id=room["id"], layout="grid", audio_only=False))
        await db.commit()
    async with deps.db() as db:
        job = await jobs.claim(db, "worker-1")
        assert job is not None
        await jobs.began(db, job.id, "worker-1", "rec_test_1.mp4")
    async with deps.db() as db:
        await jobs.finished(db, job.id, "worker-1", size=1234, duration=2.5, error=None)
    await receiver.wait_for(1, "recording.ready")
    data = receiver.received("recording.ready")[0].body["data"]
    assert data["id"] == "rec_test_1" and data["room_id"] == room["id"] and data["status"] == "ready"
    assert data["duration_s"] == 2.5
