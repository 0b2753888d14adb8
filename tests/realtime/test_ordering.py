"""The stream's guarantees when publishing goes wrong: a commit whose publish never happened
(its replica died in between) still arrives, and publishes that overtake each other are put
back in id order."""

from __future__ import annotations

from conference.chat.schemas import Message
from conference.db import utcnow
from conference.deps import DEPS
from conference.realtime.events import frame_of, record_event
from tests.helpers import create_room, join, register
from tests.realtime.sockets import connect


async def record_chat(app, room_id: str, content: str):
    async with app[DEPS].db() as db:
        message = Message(
            id=0,
            room_id=room_id,
            sender=None,
            content=content,
            client_id=None,
            created_at=utcnow(),
            edited_at=None,
            deleted=False,
            reply_to=None,
            reactions=[],
            attachments=[],
        )
        event = await record_event(db, "chat.message", message, room_id=room_id)
        await db.commit()
    return event


async def test_an_event_committed_but_never_published_still_arrives(api):
    alice, bob = await register(api), await register(api)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])
    b = await connect(api, bob)
    await b.expect("ready")
    event = await record_chat(api.app, room["id"], "the publisher died before telling anyone")
    frame = await b.expect("chat.message", timeout=3)
    assert frame["id"] == str(event.id) and frame["data"]["content"].startswith("the publisher died")


async def test_publishes_that_overtake_each_other_are_delivered_in_id_order(api):
    alice, bob = await register(api), await register(api)
    room = await create_room(api, alice)
    await join(api, bob, room["id"])
    b = await connect(api, bob)
    await b.expect("ready")
    first = await record_chat(api.app, room["id"], "first")
    second = await record_chat(api.app, room["id"], "second")
    hub = api.app[DEPS].hub
    await hub.publish(frame_of(second))
    await hub.publish(frame_of(first))
    got = [await b.expect("chat.message") for _ in range(2)]
    assert [f["data"]["content"] for f in got] == ["first", "second"]
    assert [f["id"] for f in got] == [str(first.id), str(second.id)]
    assert await b.quiet() == []  # the late publish of "first" is not delivered twice
