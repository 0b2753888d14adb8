"""Edit, delete and react to direct messages; replies within one conversation only."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from conference.chat.models import MessageReaction
from conference.deps import DEPS
from tests.helpers import error_of, register

THUMBS = "👍"


async def send(api, sender, to, content: str, **extra) -> dict:
    response = await api.post(
        f"/api/v1/dm/{to.id}/messages", json={"content": content, **extra}, headers=sender.headers
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def thread(api, account, peer, **params) -> list[dict]:
    response = await api.get(f"/api/v1/dm/{peer.id}/messages", params=params, headers=account.headers)
    assert response.status == 200, await response.text()
    return (await response.json())["items"]


def url(peer, message_id) -> str:
    return f"/api/v1/dm/{peer.id}/messages/{message_id}"


async def test_the_sender_edits_and_deletes_the_recipient_may_not(api):
    alice, bob = await register(api), await register(api)
    message = await send(api, alice, bob, "hi bob")
    refused = await api.patch(url(alice, message["id"]), json={"content": "x"}, headers=bob.headers)
    assert await error_of(refused) == (403, "forbidden")
    assert await error_of(await api.delete(url(alice, message["id"]), headers=bob.headers)) == (403, "forbidden")
    edited = await (await api.patch(url(bob, message["id"]), json={"content": "hi Bob"}, headers=alice.headers)).json()
    assert edited["content"] == "hi Bob" and edited["edited_at"] is not None
    assert await thread(api, bob, alice) == [edited]
    deleted = await (await api.delete(url(bob, message["id"]), headers=alice.headers)).json()
    assert deleted["deleted"] is True and deleted["content"] == ""
    assert await thread(api, bob, alice) == [deleted]


async def test_both_sides_react(api):
    alice, bob = await register(api), await register(api)
    message = await send(api, alice, bob, "lunch?")
    for account, peer in ((alice, bob), (bob, alice)):
        response = await api.put(f"{url(peer, message['id'])}/reactions/{quote(THUMBS)}", headers=account.headers)
        assert response.status == 200
    assert (await response.json())["reactions"] == [{"emoji": THUMBS, "count": 2, "user_ids": [alice.id, bob.id]}]
    bad = await api.put(f"{url(alice, message['id'])}/reactions/{quote('🦄')}", headers=bob.headers)
    assert await error_of(bad) == (400, "validation_failed")


async def test_a_third_person_sees_no_message_of_others(api):
    alice, bob, carol = await register(api), await register(api), await register(api)
    message = await send(api, alice, bob, "private")
    for peer in (alice, bob):
        edit = await api.patch(url(peer, message["id"]), json={"content": "x"}, headers=carol.headers)
        assert await error_of(edit) == (404, "not_found")
        react = await api.put(f"{url(peer, message['id'])}/reactions/{quote(THUMBS)}", headers=carol.headers)
        assert await error_of(react) == (404, "not_found")
    reply = await api.post(
        f"/api/v1/dm/{alice.id}/messages", json={"content": "re", "reply_to": message["id"]}, headers=carol.headers
    )
    assert await error_of(reply) == (404, "not_found")
    unknown_peer = await api.delete(f"/api/v1/dm/nobody/messages/{message['id']}", headers=alice.headers)
    assert await error_of(unknown_peer) == (404, "not_found")


async def test_a_reply_quotes_and_history_jumps_around_it(api):
    alice, bob = await register(api), await register(api)
    ids = [(await send(api, alice, bob, f"m{n}"))["id"] for n in range(6)]
    reply = await send(api, bob, alice, "about m1", reply_to=ids[1])
    assert reply["reply_to"]["id"] == ids[1] and reply["reply_to"]["excerpt"] == "m1"
    around = await thread(api, alice, bob, around=ids[1], limit=2)
    assert [m["id"] for m in around] == ids[0:2]


async def test_an_oversized_edit_is_a_400(api):
    alice, bob = await register(api), await register(api)
    message = await send(api, alice, bob, "short")
    response = await api.patch(url(bob, message["id"]), json={"content": "x" * 4001}, headers=alice.headers)
    assert await error_of(response) == (400, "validation_failed")
    assert (await thread(api, alice, bob))[0]["content"] == "short"


async def test_deleting_an_account_takes_the_reactions_on_its_direct_messages(api):
    alice, bob = await register(api), await register(api)
    message = await send(api, alice, bob, "bye")
    await api.put(f"{url(alice, message['id'])}/reactions/{quote(THUMBS)}", headers=bob.headers)
    gone = await api.delete("/api/v1/users/me", json={"password": alice.password}, headers=alice.headers)
    assert gone.status == 204, await gone.text()
    async with api.app[DEPS].db() as db:
        assert (await db.execute(select(MessageReaction))).all() == []
