"""hands.changed over the socket: everyone in the room sees the queue move, and a reconnecting
client replays what it missed; unmute.requested reaches only the people asked."""

from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect


def queue(frame: dict) -> list[str]:
    return [item["user"]["id"] for item in frame["data"]["items"]]


async def test_every_member_sees_the_queue_and_a_reconnect_replays_it(api):
    host, ann, bob = [await register(api) for _ in range(3)]
    room = await create_room(api, host)
    await join(api, host, room["id"])
    for person in (ann, bob):
        await join(api, person, room["id"])
    host_ws, bob_ws = await connect(api, host), await connect(api, bob)
    await api.post(f"/api/v1/rooms/{room['id']}/hands", headers=ann.headers)
    raised = await host_ws.expect("hands.changed", change="raised", user_id=ann.id, by=ann.id)
    assert queue(raised) == [ann.id] and raised["data"]["room_id"] == room["id"]
    seen_by_bob = await bob_ws.expect("hands.changed", change="raised")
    await bob_ws.close()

    await api.post(f"/api/v1/rooms/{room['id']}/hands", headers=host.headers)
    assert queue(await host_ws.expect("hands.changed", user_id=host.id)) == [ann.id, host.id]
    await api.delete(f"/api/v1/rooms/{room['id']}/hands/{ann.id}", headers=host.headers)
    lowered = await host_ws.expect("hands.changed", change="lowered")
    assert lowered["data"]["user_id"] == ann.id and lowered["data"]["by"] == host.id and queue(lowered) == [host.id]

    # Bob was away for both changes: resuming after the last event he saw replays them in order.
    back = await connect(api, bob, after=seen_by_bob["id"])
    first = await back.expect("hands.changed")
    second = await back.expect("hands.changed")
    assert (first["data"]["change"], second["data"]["change"]) == ("raised", "lowered")
    assert queue(second) == [host.id]


async def test_ask_to_unmute_reaches_everyone_in_the_call_but_the_hosts(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    host_ws, guest_ws = await connect(api, host), await connect(api, guest)
    # Nobody is in the LiveKit room yet, so nobody is asked.
    answer = await api.post(f"/api/v1/rooms/{room['id']}/ask-unmute", headers=host.headers, json={"kind": "video"})
    assert (await answer.json())["asked"] == []
    assert [f for f in await guest_ws.quiet() if f["type"] == "unmute.requested"] == []
    assert [f for f in await host_ws.quiet() if f["type"] == "unmute.requested"] == []
