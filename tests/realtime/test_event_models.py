"""Every frame a client receives matches the model declared for its type: realtime events against
`event_models()`, the socket's replies (ack, error, ready, pong) against `frame_models()`. A frame
of a type in neither catalog fails, and so does a payload with a field its model does not have,
a field missing, or a value of another type."""

from __future__ import annotations

import json

from pydantic import BaseModel, ValidationError

from conference.realtime.catalog import event_models, frame_models
from tests.helpers import create_room, join, register
from tests.realtime.sockets import Socket, connect

# Types pushed without an id: never stored, never replayed.
EPHEMERAL = {"presence", "typing"}


def problems_of(frame: dict) -> list[str]:
    """What is wrong with one received frame (an empty list when it matches its model)."""
    events, replies = event_models(), frame_models()
    kind = frame.get("type")
    model: type[BaseModel] | None = events.get(kind) or replies.get(kind)
    if model is None:
        return [f"{kind!r} is in neither event_models() nor frame_models()"]
    found = []
    if set(frame) - {"id", "type", "data"}:
        found.append(f"{kind}: unexpected envelope keys {sorted(set(frame) - {'id', 'type', 'data'})}")
    if kind in events and kind not in EPHEMERAL and not str(frame.get("id", "")).isdigit():
        found.append(f"{kind}: a stored event needs a numeric string id, got {frame.get('id')!r}")
    if (kind in EPHEMERAL or kind in ("ack", "error", "pong", "resync")) and "id" in frame:
        found.append(f"{kind}: carries an id but is never stored")
    try:
        # Strict, from JSON: "5" is not an int, and a time must be an ISO string.
        parsed = model.model_validate_json(json.dumps(frame["data"]), strict=True)
    except ValidationError as error:
        return [*found, f"{kind}: {error}"]
    # A round trip drops unknown fields and adds missing defaults: what is sent must survive it.
    again = parsed.model_dump(mode="json")
    if again != frame["data"]:
        found.append(f"{kind}: sent {frame['data']} but its model {model.__name__} reads it as {again}")
    return found


async def drain(*sockets: Socket) -> None:
    for ws in sockets:
        await ws.quiet(0.3, ignore=())


async def test_every_frame_of_a_day_of_chat_matches_its_model(api):
    alice, bob, carol = await register(api), await register(api), await register(api)
    await api.post("/api/v1/contacts", json={"user_id": bob.id}, headers=alice.headers)
    await api.post(f"/api/v1/contacts/{alice.id}/accept", headers=bob.headers)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])

    a = await connect(api, alice)
    await a.expect("ready")
    b = await connect(api, bob)
    await b.expect("ready")
    await a.expect("presence", user_id=bob.id, online=True)

    # room chat over HTTP and over the socket
    response = await api.post(
        f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": "morning"}, headers=bob.headers
    )
    assert response.status == 201
    first = await a.expect("chat.message")
    await a.send(type="chat.send", room_id=room["id"], content="hi all", client_id="c-room")
    await a.expect("ack", client_id="c-room")
    await b.expect("chat.message", client_id="c-room")

    # typing in the room and to a person
    await b.send(type="typing", room_id=room["id"])
    await a.expect("typing", room_id=room["id"])
    await b.send(type="typing", to=alice.id)
    await a.expect("typing", to=alice.id)

    # direct messages, delivery and read receipts, over the socket and HTTP
    await a.send(type="dm.send", to=bob.id, content="lunch?", client_id="c-dm")
    ack = await a.expect("ack", client_id="c-dm")
    await b.expect("dm.message", id=ack["data"]["id"])
    await a.expect("dm.receipt", status="delivered")
    await b.send(type="read", message_id=ack["data"]["id"])
    await a.expect("dm.receipt", status="read")
    response = await api.post(f"/api/v1/dm/{alice.id}/messages", json={"content": "hello"}, headers=carol.headers)
    assert response.status == 201
    await a.expect("dm.message", content="hello")

    # the socket's own replies
    await a.send(type="ping")
    await a.expect("pong")
    await a.send(type="chat.send", room_id=room["id"], content="", client_id="c-bad")
    bad = await a.expect("error", client_id="c-bad")
    assert bad["data"]["fields"]
    await a.ws.send_str("not json")
    plain = await a.expect("error", code="invalid_json")
    assert "client_id" not in plain["data"] and "fields" not in plain["data"]

    # bob leaves: alice hears it; a DM waits for him; he comes back and gets it replayed
    await b.close()
    await a.expect("presence", user_id=bob.id, online=False)
    await a.send(type="dm.send", to=bob.id, content="while you were out", client_id="c-late")
    await a.expect("ack", client_id="c-late")
    back = await connect(api, bob)
    await back.expect("dm.message", content="while you were out")
    # Replayed before `ready`, or live right after it when this replica's stream had not reached it yet.
    if not any(frame["type"] == "ready" for frame in back.seen):
        await back.expect("ready")
    resumed = await connect(api, alice, after=first["id"])  # replays the day's stored events
    await resumed.expect("ready")
    lost = await connect(api, carol, after="999999999")  # a cursor this log never gave: resync
    await lost.expect("ready")
    await drain(a, back, resumed, lost)

    sockets = (a, b, back, resumed, lost)
    seen = {frame["type"] for ws in sockets for frame in ws.seen}
    mine = {"chat.message", "dm.message", "dm.receipt", "presence", "typing", "ack", "error", "ready", "pong"}
    mine |= {"resync"}
    assert mine <= seen, f"the scenario never produced {mine - seen}"
    problems = [problem for ws in sockets for frame in ws.seen for problem in problems_of(frame)]
    assert problems == [], "\n".join(problems)


def test_a_frame_that_drifts_from_its_model_is_caught():
    good = {
        "id": "7",
        "type": "dm.receipt",
        "data": {"user_id": "u1", "message_ids": [1], "status": "read", "at": "2026-11-23T10:00:00Z"},
    }
    assert problems_of(good) == []
    extra = {**good, "data": {**good["data"], "reader": "u1"}}
    stringly = {**good, "data": {**good["data"], "message_ids": ["1"]}}
    missing = {**good, "data": {k: v for k, v in good["data"].items() if k != "at"}}
    for drifted in (extra, stringly, missing):
        assert problems_of(drifted), drifted
    assert problems_of({"type": "dm.shout", "data": {}}) == [
        "'dm.shout' is in neither event_models() nor frame_models()"
    ]
    assert problems_of({"id": "3", "type": "typing", "data": {"user": {"id": "u", "login": "u", "display_name": "U"}}})
