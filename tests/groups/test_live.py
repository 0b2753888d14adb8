"""Group events over the socket: every member's devices hear of messages and changes, a removed member
stops hearing, the read position follows a person across devices; a group call rings the members who
are online and its room stays open when one of them declines; two replicas over Redis act as one."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from tests.groups.helpers import create_group, post
from tests.helpers import register
from tests.realtime.sockets import connect


async def test_members_hear_messages_and_changes_and_a_removed_member_stops_hearing(api):
    ann, bob, cy = await register(api), await register(api), await register(api)
    ann_ws, bob_phone, bob_laptop, cy_ws = [await connect(api, who) for who in (ann, bob, bob, cy)]
    for ws in (ann_ws, bob_phone, bob_laptop, cy_ws):
        await ws.expect("ready")

    group = await create_group(api, ann, bob, title="Crew")
    for ws in (ann_ws, bob_phone, bob_laptop):
        assert (await ws.expect("group.created"))["data"]["id"] == group["id"]
    message = await post(api, bob, group["id"], "first")
    for ws in (ann_ws, bob_phone, bob_laptop):
        assert (await ws.expect("group.message"))["data"] == message

    await api.post(f"/api/v1/groups/{group['id']}/members", json={"user_ids": [cy.id]}, headers=ann.headers)
    added = await cy_ws.expect("group.member_added")
    assert added["data"]["user_ids"] == [cy.id] and added["data"]["by"] == ann.id
    assert (await bob_phone.expect("group.member_added"))["data"]["group"]["id"] == group["id"]
    await api.patch(f"/api/v1/groups/{group['id']}", json={"title": "Crew 2"}, headers=ann.headers)
    assert (await cy_ws.expect("group.updated"))["data"]["title"] == "Crew 2"

    await api.post(f"/api/v1/groups/{group['id']}/read", json={"message_id": message["id"]}, headers=cy.headers)
    await api.post(f"/api/v1/groups/{group['id']}/read", json={"message_id": message["id"]}, headers=ann.headers)
    assert (await ann_ws.expect("read.position"))["data"] == {
        "kind": "group",
        "conversation_id": group["id"],
        "message_id": message["id"],
        "unread": 0,
    }

    await api.delete(f"/api/v1/groups/{group['id']}/members/{cy.id}", headers=ann.headers)
    removed = await cy_ws.expect("group.member_removed")
    assert removed["data"]["user_ids"] == [cy.id]
    await post(api, ann, group["id"], "after cy left")
    await bob_laptop.expect("group.message", content="after cy left")
    assert [f for f in await cy_ws.quiet(0.5) if f["type"] == "group.message"] == []
    for ws in (ann_ws, bob_phone, bob_laptop, cy_ws):
        await ws.close()


async def test_a_group_call_rings_the_online_members_and_outlives_a_decline(live_api):
    api = live_api
    ann, bob, cy, dee = [await register(api, display_name=n) for n in ("Ann", "Bob", "Cy", "Dee")]
    group = await create_group(api, ann, bob, cy, dee, title="Standup")
    sockets = {who.id: await connect(api, who) for who in (ann, bob, cy)}  # Dee is offline
    for ws in sockets.values():
        await ws.expect("ready")

    response = await api.post(f"/api/v1/groups/{group['id']}/call", headers=ann.headers)
    assert response.status == 201, await response.text()
    call = await response.json()
    assert call["group_id"] == group["id"]
    assert sorted(ring["callee"]["id"] for ring in call["rang"]) == sorted([bob.id, cy.id])
    assert (await sockets[bob.id].expect("group.updated"))["data"]["call_room_id"] == call["room_id"]
    rings = {}
    for who in (bob, cy):
        rung = (await sockets[who.id].expect("call.ring"))["data"]
        assert rung["room_id"] == call["room_id"] and rung["caller"]["display_name"] == "Ann"
        rings[who.id] = rung["id"]

    host = await api.post(f"/api/v1/rooms/{call['room_id']}/join", headers=ann.headers)
    assert host.status == 200 and (await host.json())["role"] == "host"
    declined = await api.post(f"/api/v1/calls/{rings[cy.id]}/decline", headers=cy.headers)
    assert declined.status == 200
    accepted = await api.post(f"/api/v1/calls/{rings[bob.id]}/accept", headers=bob.headers)
    assert accepted.status == 200, await accepted.text()
    assert (await accepted.json())["room_id"] == call["room_id"]
    room = await (await api.get(f"/api/v1/rooms/{call['room_id']}", headers=ann.headers)).json()
    assert room["status"] == "active" and room["kind"] == "group" and room["locked"] is True

    # Pressing "call" again joins the same room and rings the online members not in its media (nobody
    # here connected to LiveKit) who are not ringing already.
    again = await (await api.post(f"/api/v1/groups/{group['id']}/call", headers=bob.headers)).json()
    assert again["room_id"] == call["room_id"]
    assert {ring["callee"]["id"] for ring in again["rang"]} == {ann.id, cy.id}
    third = await (await api.post(f"/api/v1/groups/{group['id']}/call", headers=cy.headers)).json()
    assert third["room_id"] == call["room_id"] and [ring["callee"]["id"] for ring in third["rang"]] == [bob.id]
    # Dee, offline, was never rung but may join as a member; a stranger may not.
    assert (await api.post(f"/api/v1/rooms/{call['room_id']}/join", headers=dee.headers)).status == 200
    stranger = await register(api)
    assert (await api.post(f"/api/v1/rooms/{call['room_id']}/join", headers=stranger.headers)).status == 403

    # Once the host ends the room, the group has no call open and the next press opens a new room.
    assert (await api.post(f"/api/v1/rooms/{call['room_id']}/end", headers=ann.headers)).status == 200
    assert (await (await api.get(f"/api/v1/groups/{group['id']}", headers=bob.headers)).json())["call_room_id"] is None
    fresh = await (await api.post(f"/api/v1/groups/{group['id']}/call", headers=dee.headers)).json()
    assert fresh["room_id"] != call["room_id"]
    for ws in sockets.values():
        await ws.close()


async def test_a_group_message_posted_through_one_replica_reaches_a_socket_on_the_other(
    make_api, postgres, redis_server
):
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    async with (
        make_api(database=database, redis_url=redis_server.url) as one,
        make_api(database=database, redis_url=redis_server.url) as two,
    ):
        ann, bob = await register(one), await register(two)
        ann_ws = await connect(one, ann)
        await ann_ws.expect("ready")
        group = await create_group(two, bob, ann, title="Across")
        assert (await ann_ws.expect("group.created"))["data"]["id"] == group["id"]
        message = await post(two, bob, group["id"], "from replica two")
        assert (await ann_ws.expect("group.message"))["data"] == message
        await two.post(f"/api/v1/groups/{group['id']}/members/{ann.id}", json={"role": "admin"}, headers=bob.headers)
        await two.delete(f"/api/v1/groups/{group['id']}/members/{ann.id}", headers=bob.headers)
        assert (await ann_ws.expect("group.member_removed"))["data"]["user_ids"] == [ann.id]
        await ann_ws.close()


async def test_edits_deletes_and_reactions_through_one_replica_reach_members_on_the_other(
    make_api, postgres, redis_server
):
    database = postgres.create_database("t_" + uuid.uuid4().hex[:12])
    async with (
        make_api(database=database, redis_url=redis_server.url) as one,
        make_api(database=database, redis_url=redis_server.url) as two,
    ):
        ann, bob = await register(one), await register(two)
        ann_ws, bob_ws = await connect(one, ann), await connect(one, bob)
        for ws in (ann_ws, bob_ws):
            await ws.expect("ready")
        group = await create_group(two, bob, ann, title="Across")
        message = await post(two, bob, group["id"], "frist")
        for ws in (ann_ws, bob_ws):
            await ws.expect("group.message", content="frist")
        url = f"/api/v1/groups/{group['id']}/messages/{message['id']}"

        edited = await (await two.patch(url, json={"content": "first"}, headers=bob.headers)).json()
        for ws in (ann_ws, bob_ws):  # every member, the editor's own devices included
            assert (await ws.expect("group.message.edited"))["data"] == edited
        assert edited["content"] == "first" and edited["edited_at"] is not None

        reacted = await (await two.put(f"{url}/reactions/{quote('🎉')}", headers=ann.headers)).json()
        assert (await bob_ws.expect("group.reaction"))["data"] == reacted
        assert reacted["reactions"] == [{"emoji": "🎉", "count": 1, "user_ids": [ann.id]}]

        deleted = await (await two.delete(url, headers=bob.headers)).json()
        assert (await ann_ws.expect("group.message.deleted"))["data"] == deleted
        assert deleted["deleted"] is True and deleted["content"] == ""
        for ws in (ann_ws, bob_ws):
            await ws.close()
