"""Resuming with ?after=: everything missed, once, in order — across an app restart too."""

from __future__ import annotations

from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect


async def post(api, account, room_id, content):
    response = await api.post(
        f"/api/v1/rooms/{room_id}/chat/messages", json={"content": content}, headers=account.headers
    )
    assert response.status == 201
    return await response.json()


async def frames_until_ready(ws) -> list[dict]:
    frames = []
    while (frame := await ws.frame())["type"] != "ready":
        frames.append(frame)
    return frames


async def test_a_reconnecting_client_gets_what_it_missed_then_live_events_without_duplicates(api):
    alice, bob, carol = await register(api), await register(api), await register(api)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])
    elsewhere = await create_room(api, carol)  # bob is not in this one

    b = await connect(api, bob)
    await b.expect("ready")
    seen = await post(api, alice, room["id"], "before the drop")
    last = (await b.expect("chat.message"))["id"]
    await b.close()

    missed = [await post(api, alice, room["id"], f"missed {n}") for n in range(3)]
    await post(api, carol, elsewhere["id"], "not for bob")
    dm = await (await api.post(f"/api/v1/dm/{bob.id}/messages", json={"content": "psst"}, headers=carol.headers)).json()

    b = await connect(api, bob, after=last)
    replayed = await frames_until_ready(b)
    assert [f["type"] for f in replayed] == ["chat.message"] * 3 + ["dm.message"]
    assert [f["data"]["id"] for f in replayed[:3]] == [m["id"] for m in missed]
    assert replayed[3]["data"]["id"] == dm["id"]
    ids = [int(f["id"]) for f in replayed]
    assert ids == sorted(ids) and ids[0] > int(last)
    assert seen["id"] not in [f["data"]["id"] for f in replayed[:3]]

    live = await post(api, alice, room["id"], "live again")
    frame = await b.expect("chat.message")
    assert frame["data"]["id"] == live["id"] and int(frame["id"]) > ids[-1]
    assert await b.quiet() == []


async def test_resuming_from_the_newest_id_replays_nothing(api):
    alice = await register(api)
    room = await create_room(api, alice)
    a = await connect(api, alice)
    await a.expect("ready")
    await post(api, alice, room["id"], "one")
    last = (await a.expect("chat.message"))["id"]
    again = await connect(api, alice, after=last)
    assert (await again.frame())["type"] == "ready"


async def test_a_fresh_client_gets_a_cursor_to_resume_from(api):
    alice, bob = await register(api), await register(api)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])
    await post(api, alice, room["id"], "old news")
    b = await connect(api, bob)
    ready = await b.frame()
    assert ready["type"] == "ready" and ready["id"].isdigit()
    await b.close()
    news = await post(api, alice, room["id"], "news")
    b = await connect(api, bob, after=ready["id"])
    [frame] = await frames_until_ready(b)
    assert frame["data"]["id"] == news["id"]


async def test_nothing_is_lost_or_doubled_across_an_app_restart(make_api, tmp_path):
    database = f"sqlite+aiosqlite:///{tmp_path / 'restart.db'}"
    async with make_api(database=database) as api:
        alice, bob = await register(api), await register(api)
        room = await create_room(api, alice)
        await join(api, bob, room["id"])
        b = await connect(api, bob)
        await b.expect("ready")
        await post(api, alice, room["id"], "seen live")
        last = (await b.expect("chat.message"))["id"]
        await b.close()
        posted = await post(api, alice, room["id"], "posted just before the restart")
    async with make_api(database=database) as api:
        b = await connect(api, bob, after=last)
        replayed = await frames_until_ready(b)
        assert [f["data"]["id"] for f in replayed] == [posted["id"]]
        after_restart = await post(api, alice, room["id"], "after the restart")
        frame = await b.expect("chat.message")
        assert frame["data"]["id"] == after_restart["id"] and int(frame["id"]) > int(replayed[0]["id"])
        assert await b.quiet() == []


async def test_a_lobby_decision_made_while_disconnected_is_replayed(api):
    host, guest = await register(api), await register(api)
    room = await create_room(api, host, waiting_room=True)
    g = await connect(api, guest)
    cursor = (await g.expect("ready"))["id"]
    knock = await api.post(f"/api/v1/rooms/{room['id']}/join", headers=guest.headers)
    assert knock.status == 202
    await g.close()
    admitted = await api.post(f"/api/v1/rooms/{room['id']}/lobby/{guest.id}/admit", headers=host.headers)
    assert admitted.status == 200
    g = await connect(api, guest, after=cursor)
    [decision] = [f for f in await frames_until_ready(g) if f["type"].startswith("lobby.")]
    assert decision["type"] == "lobby.admitted"
    assert set(decision["data"]) == {"room", "role"}  # no media token sits in the event log
    assert decision["data"]["room"]["id"] == room["id"] and decision["data"]["role"] == "participant"
    grant = await api.post(f"/api/v1/rooms/{room['id']}/media/token", headers=guest.headers)
    assert grant.status == 200 and (await grant.json())["token"]
