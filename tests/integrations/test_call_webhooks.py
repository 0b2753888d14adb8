"""LiveKit's own webhooks, turned into the integrator's: a call in a real livekit-server with rtc bots
reports room.started, participant.joined/left and room.ended, in that order, for the key's room only."""

from __future__ import annotations

import pytest

from conference.deps import DEPS
from tests.bots import bots
from tests.guests.steps import api_key, key_headers

pytestmark = pytest.mark.livekit


async def test_a_call_with_bots_is_reported_from_start_to_end(live_api, receiver):
    key = await api_key(live_api)
    made = await live_api.post("/api/v1/webhooks", json={"url": receiver.url}, headers=key_headers(key))
    receiver.secret = (await made.json())["secret"]
    created = await live_api.post("/api/v1/rooms", json={"name": "Lesson"}, headers=key_headers(key))
    room = await created.json()
    grants = []
    for identity, name in (("teacher-1", "Tess"), ("pupil-2", "Pip")):
        response = await live_api.post(
            "/api/v1/tokens", json={"room": room["id"], "identity": identity, "name": name}, headers=key_headers(key)
        )
        grants.append(await response.json())
    async with bots("teacher", "pupil") as (teacher, pupil):
        await teacher.connect(grants[0]["livekit_url"], grants[0]["token"])
        await pupil.connect(grants[1]["livekit_url"], grants[1]["token"])
        await receiver.wait_for(2, "participant.joined")
        await pupil.close()
        await receiver.wait_for(1, "participant.left")
    await live_api.server.app[DEPS].livekit.delete_room(room["id"])  # as when a call is ended for everyone
    await receiver.wait_for(1, "room.ended", timeout=30)

    types = [d.type for d in receiver.received(status=200)]
    assert types[0] == "room.started" and types[-1] == "room.ended"
    assert types.count("participant.joined") == 2 and types.count("participant.left") == 2
    assert types.index("participant.left") > max(i for i, t in enumerate(types) if t == "participant.joined")
    started = receiver.received("room.started")[0].body["data"]
    assert started["room_id"] == room["id"] and started["room_name"] == "Lesson"
    joined = {d.body["data"]["external_id"]: d.body["data"] for d in receiver.received("participant.joined")}
    assert joined["teacher-1"]["identity"] == "ext:teacher-1" and joined["teacher-1"]["name"] == "Tess"
    assert joined["pupil-2"]["user_id"] is None and joined["pupil-2"]["guest"] is False
    ended = receiver.received("room.ended")[0].body["data"]
    assert ended["session_id"] == started["session_id"] and ended["duration_s"] >= 0
    assert len({d.webhook_id for d in receiver.deliveries}) == len(receiver.deliveries)  # nothing twice
