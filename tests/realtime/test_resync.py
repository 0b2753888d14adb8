"""A resume the event log can no longer serve gets a `resync`; one it can is read through the audience
indexes, not by walking the log from `after`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text, update

from conference import retention
from conference.db import utcnow
from conference.deps import DEPS
from conference.realtime import replay
from conference.realtime.models import Event
from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect


async def post(api, account, room_id, content):
    response = await api.post(
        f"/api/v1/rooms/{room_id}/chat/messages", json={"content": content}, headers=account.headers
    )
    assert response.status == 201
    return await response.json()


async def until_ready(ws) -> tuple[list[dict], dict]:
    frames = []
    while (frame := await ws.frame())["type"] != "ready":
        frames.append(frame)
    return frames, frame


async def test_a_resume_from_before_the_retention_window_gets_resync_then_a_fresh_cursor(api):
    alice, bob = await register(api), await register(api)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])
    b = await connect(api, bob)
    await b.expect("ready")
    await post(api, alice, room["id"], "seen")
    last = (await b.expect("chat.message"))["id"]
    await b.close()
    missed = [await post(api, alice, room["id"], f"missed {n}") for n in range(3)]
    deps = api.server.app[DEPS]
    async with deps.db() as db:  # a week and more goes by
        await db.execute(update(Event).values(created_at=utcnow() - timedelta(days=8)))
        await db.commit()
    assert (await retention.sweep(deps.db, deps.settings)).counts["events"] > 0

    b = await connect(api, bob, after=last)
    frames, ready = await until_ready(b)
    assert frames == [{"type": "resync", "data": {"reason": "expired"}}]
    assert int(ready["id"]) >= int(last)  # the cursor to resume from from now on
    # What the pages reload over HTTP is all there: chat lives in its own table.
    listed = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=bob.headers)).json()
    assert [m["id"] for m in listed["items"]][-3:] == [m["id"] for m in missed]
    live = await post(api, alice, room["id"], "live")
    frame = await b.expect("chat.message")
    assert frame["data"]["id"] == live["id"] and int(frame["id"]) > int(ready["id"])

    again = await connect(api, bob, after=frame["id"])  # a cursor the log still serves: no resync
    frames, _ = await until_ready(again)
    assert frames == []


async def test_a_cursor_from_another_event_log_gets_resync_and_what_is_pending(api):
    alice, bob = await register(api), await register(api)
    await api.post(f"/api/v1/dm/{bob.id}/messages", json={"content": "waiting for you"}, headers=alice.headers)
    b = await connect(api, bob, after="999999999")  # say, remembered from before the database was reset
    frames, ready = await until_ready(b)
    assert frames[0] == {"type": "resync", "data": {"reason": "unknown_cursor"}}
    assert [f["data"]["content"] for f in frames[1:]] == ["waiting for you"]
    assert int(ready["id"]) < 999999999


async def plan_of(db, query) -> str:
    dialect = db.get_bind().dialect
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    if dialect.name == "sqlite":
        rows = await db.execute(text("EXPLAIN QUERY PLAN " + sql))
        return "\n".join(str(row[-1]) for row in rows)
    return "\n".join(row[0] for row in await db.execute(text("EXPLAIN " + sql)))


async def test_replay_reads_each_audience_through_its_index(api):
    alice = await register(api)
    room = await create_room(api, alice)
    deps = api.server.app[DEPS]
    async with deps.db() as db:
        if db.get_bind().dialect.name == "postgresql":
            # Enough of other people's events that walking the log would be the planner's worst choice.
            await db.execute(
                text(
                    "INSERT INTO events (type, data, created_at) "
                    "SELECT 'presence', '{}', now() FROM generate_series(1, 20000)"
                )
            )
            await db.commit()
            await db.execute(text("ANALYZE events"))
        own, rooms = replay.page_queries(alice.id, [room["id"]], 1, 10**9)
        own_plan, rooms_plan = await plan_of(db, own), await plan_of(db, rooms)
    assert "ix_events_user_id_id" in own_plan, own_plan
    assert "ix_events_room_id_id" in rooms_plan, rooms_plan
    for plan in (own_plan, rooms_plan):
        assert "Seq Scan" not in plan and "SCAN events" not in plan, plan
