"""LiveKit webhooks: signature and body hash checked, events applied once, history built.

These tests sign events the way livekit-server does (a JWT over the body's SHA-256, made with
livekit-api); the integration tests receive the real server's webhooks."""

import base64
import hashlib
import time
import uuid

import pytest
from google.protobuf.json_format import MessageToJson
from livekit import api as lkapi
from livekit.protocol.models import ParticipantInfo, Room
from livekit.protocol.webhook import WebhookEvent

from tests.helpers import create_room, error_of, join, register


def signed(client, event: WebhookEvent, secret: str | None = None) -> tuple[str, dict]:
    body = MessageToJson(event)
    digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    token = (
        lkapi.AccessToken(client.settings.livekit_api_key, secret or client.settings.livekit_api_secret)
        .with_sha256(digest)
        .to_jwt()
    )
    return body, {"Authorization": token, "Content-Type": "application/webhook+json"}


def event(kind: str, room_id: str, room_sid: str, at: float, identity: str = "", name: str = "") -> WebhookEvent:
    participant = ParticipantInfo(identity=identity, name=name, sid="PA_" + identity[:8]) if identity else None
    return WebhookEvent(
        event=kind,
        id="EV_" + uuid.uuid4().hex,
        created_at=int(at),
        room=Room(name=room_id, sid=room_sid, creation_time=int(at)),
        participant=participant,
    )


async def post(client, body: str, headers: dict):
    return await client.post("/api/v1/livekit/webhook", data=body, headers=headers)


async def test_webhooks_build_a_session_with_attendance_and_durations(api):
    host, guest = await register(api, display_name="Hosty"), await register(api)
    room = await create_room(api, host)
    await join(api, host, room["id"])
    await join(api, guest, room["id"])
    sid, start = "RM_" + uuid.uuid4().hex[:10], time.time() - 600  # stamped in the past: late delivery
    for ev in [
        event("room_started", room["id"], sid, start),
        event("participant_joined", room["id"], sid, start + 1, host.id, "Hosty"),
        event("participant_joined", room["id"], sid, start + 5, guest.id, "Guest"),
        event("participant_left", room["id"], sid, start + 65, guest.id),
        event("room_finished", room["id"], sid, start + 125),
    ]:
        response = await post(api, *signed(api, ev))
        assert response.status == 200, await response.text()

    sessions = (await (await api.get(f"/api/v1/rooms/{room['id']}/sessions", headers=guest.headers)).json())["items"]
    assert len(sessions) == 1
    session = sessions[0]
    assert session["duration_s"] == 125
    attendance = {p["user_id"]: p for p in session["participants"]}
    assert attendance[guest.id]["duration_s"] == 60
    assert attendance[host.id]["duration_s"] == 124  # closed by room_finished
    assert attendance[host.id]["display_name"] == "Hosty"

    history = (await (await api.get("/api/v1/calls/history", headers=guest.headers)).json())["items"]
    assert [item["room_id"] for item in history] == [room["id"]]
    assert history[0]["room_name"] == room["name"]


async def test_a_redelivered_event_changes_nothing(api):
    host = await register(api)
    room = await create_room(api, host)
    sid, start = "RM_" + uuid.uuid4().hex[:10], time.time() - 100
    joined = event("participant_joined", room["id"], sid, start, host.id, "Host")
    body, headers = signed(api, joined)
    first = await post(api, body, headers)
    second = await post(api, body, headers)
    assert (await first.json())["applied"] is True
    assert (await second.json())["applied"] is False
    sessions = (await (await api.get(f"/api/v1/rooms/{room['id']}/sessions", headers=host.headers)).json())["items"]
    assert len(sessions[0]["participants"]) == 1


async def test_bad_signatures_and_bodies_are_refused_and_change_nothing(api):
    host = await register(api)
    room = await create_room(api, host)
    sid = "RM_" + uuid.uuid4().hex[:10]
    ev = event("room_started", room["id"], sid, time.time())
    body, headers = signed(api, ev)
    wrong_secret = signed(api, ev, secret="not-the-secret-" + "z" * 20)[1]
    other_body = MessageToJson(event("room_started", room["id"], sid, time.time() + 5))

    cases = [
        (body, wrong_secret),  # signed with another key's secret
        (other_body, headers),  # body does not match the signed hash
        (body, {}),  # unsigned
        (body, {"Authorization": "garbage"}),  # not a JWT
    ]
    for case_body, case_headers in cases:
        assert await error_of(await post(api, case_body, case_headers)) == (401, "unauthorized")
    sessions = (await (await api.get(f"/api/v1/rooms/{room['id']}/sessions", headers=host.headers)).json())["items"]
    assert sessions == []


async def test_sessions_are_for_members_only(api):
    host, stranger = await register(api), await register(api)
    room = await create_room(api, host)
    refused = await api.get(f"/api/v1/rooms/{room['id']}/sessions", headers=stranger.headers)
    assert await error_of(refused) == (403, "forbidden")


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
async def test_history_limit_is_checked(api, limit):
    user = await register(api)
    response = await api.get("/api/v1/calls/history", params={"limit": limit}, headers=user.headers)
    assert await error_of(response) == (400, "validation_failed")
