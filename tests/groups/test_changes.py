"""Group messages have what direct messages have: the sender edits (within the window) and deletes, an
admin deletes anyone's, members react from the allowed set and reply, messages carry files that only
members read, and GET /unread counts the groups."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import delete, select, update

from conference.chat.models import MessageReaction
from conference.db import utcnow
from conference.deps import DEPS
from conference.groups.models import GroupMessage
from conference.uploads import service
from tests.groups.helpers import create_group, post
from tests.helpers import error_of, register
from tests.uploads.files import png, uploaded

THUMBS, HEART = "👍", "❤️"


def url(group: dict, message: dict | int) -> str:
    message_id = message if isinstance(message, int) else message["id"]
    return f"/api/v1/groups/{group['id']}/messages/{message_id}"


def reaction_url(group: dict, message: dict, emoji: str) -> str:
    return f"{url(group, message)}/reactions/{quote(emoji)}"


async def history(api, account, group: dict, **params) -> list[dict]:
    response = await api.get(f"/api/v1/groups/{group['id']}/messages", params=params, headers=account.headers)
    assert response.status == 200, await response.text()
    return (await response.json())["items"]


async def test_the_sender_edits_an_admin_deletes_and_nobody_else_may(api):
    ann, bob, cy = await register(api), await register(api), await register(api)
    group = await create_group(api, ann, bob, cy)
    message = await post(api, bob, group["id"], "hello all")
    for who in (ann, cy):  # an admin may delete but not edit someone else's message
        refused = await api.patch(url(group, message), json={"content": "x"}, headers=who.headers)
        assert await error_of(refused) == (403, "forbidden")
    assert await error_of(await api.delete(url(group, message), headers=cy.headers)) == (403, "forbidden")

    response = await api.patch(url(group, message), json={"content": "hello everyone"}, headers=bob.headers)
    assert response.status == 200, await response.text()
    edited = await response.json()
    assert edited["content"] == "hello everyone" and edited["edited_at"] is not None
    assert await history(api, cy, group) == [edited]

    response = await api.delete(url(group, message), headers=ann.headers)  # Ann is the group's admin
    assert response.status == 200, await response.text()
    marker = await response.json()
    assert marker["deleted"] is True and marker["content"] == "" and marker["id"] == message["id"]
    assert await history(api, cy, group) == [marker]
    again = await api.patch(url(group, message), json={"content": "back"}, headers=bob.headers)
    assert await error_of(again) == (409, "message_deleted")
    assert (await api.delete(url(group, message), headers=bob.headers)).status == 200  # deleted already: the same


async def test_a_member_deletes_their_own_and_an_admin_named_later_anyones(api):
    ann, bob, cy = await register(api), await register(api), await register(api)
    group = await create_group(api, ann, bob, cy)
    own, others = await post(api, cy, group["id"], "mine"), await post(api, ann, group["id"], "ann's")
    assert (await api.delete(url(group, own), headers=cy.headers)).status == 200
    assert await error_of(await api.delete(url(group, others), headers=bob.headers)) == (403, "forbidden")
    promoted = await api.patch(
        f"/api/v1/groups/{group['id']}/members/{bob.id}", json={"role": "admin"}, headers=ann.headers
    )
    assert promoted.status == 200
    assert (await (await api.delete(url(group, others), headers=bob.headers)).json())["deleted"] is True


async def test_strangers_and_wrong_paths_are_404(api):
    ann, bob, stranger = await register(api), await register(api), await register(api)
    group, other = await create_group(api, ann, bob), await create_group(api, bob)
    message = await post(api, ann, group["id"], "ours")
    elsewhere = await post(api, bob, other["id"], "not here")
    for response in (
        await api.patch(url(group, message), json={"content": "x"}, headers=stranger.headers),
        await api.delete(url(group, message), headers=stranger.headers),
        await api.put(reaction_url(group, message, THUMBS), headers=stranger.headers),
        await api.delete(reaction_url(group, message, THUMBS), headers=stranger.headers),
        await api.patch(url(group, elsewhere), json={"content": "x"}, headers=bob.headers),  # another group's
        await api.delete(url(group, 999_999), headers=ann.headers),
        await api.delete(f"/api/v1/groups/{group['id']}/messages/abc", headers=ann.headers),
        await api.delete(f"/api/v1/groups/{group['id']}/messages/%C2%B91", headers=ann.headers),  # "¹1"
        await api.delete(url({"id": "nope"}, message), headers=ann.headers),
    ):
        assert await error_of(response) == (404, "not_found")
    assert (await api.delete(url(group, message))).status == 401
    assert (await history(api, ann, group))[0]["content"] == "ours"


async def test_bad_edits_are_400(api):
    ann = await register(api)
    group = await create_group(api, ann)
    message = await post(api, ann, group["id"], "short")
    for body in ({}, {"content": ""}, {"content": "x" * 4001}, {"content": 5}, {"content": "ok", "extra": 1}):
        response = await api.patch(url(group, message), json=body, headers=ann.headers)
        assert await error_of(response) == (400, "validation_failed"), body
    assert (await history(api, ann, group))[0]["content"] == "short"


async def test_after_the_edit_window_an_edit_is_refused(make_api):
    async with make_api("sqlite", message_edit_window_s=60) as api:
        ann = await register(api)
        group = await create_group(api, ann)
        message = await post(api, ann, group["id"], "old")
        async with api.app[DEPS].db() as db:
            await db.execute(
                update(GroupMessage)
                .where(GroupMessage.id == message["id"])
                .values(created_at=utcnow() - timedelta(seconds=61))
            )
            await db.commit()
        response = await api.patch(url(group, message), json={"content": "new"}, headers=ann.headers)
        assert await error_of(response) == (403, "edit_window_closed")


async def test_members_react_from_the_set_and_take_it_back(api):
    ann, bob, cy = await register(api), await register(api), await register(api)
    group = await create_group(api, ann, bob, cy)
    message = await post(api, ann, group["id"], "lunch?")
    for who in (bob, cy, cy):  # the second press of the same emoji changes nothing
        response = await api.put(reaction_url(group, message, THUMBS), headers=who.headers)
        assert response.status == 200, await response.text()
    await api.put(reaction_url(group, message, HEART), headers=ann.headers)
    reacted = (await history(api, ann, group))[0]
    assert reacted["reactions"] == [
        {"emoji": THUMBS, "count": 2, "user_ids": [bob.id, cy.id]},
        {"emoji": HEART, "count": 1, "user_ids": [ann.id]},
    ]
    async with api.app[DEPS].db() as db:
        kinds = set(await db.scalars(select(MessageReaction.kind)))
    assert kinds == {"group"}
    taken_back = await (await api.delete(reaction_url(group, message, THUMBS), headers=bob.headers)).json()
    assert taken_back["reactions"][0] == {"emoji": THUMBS, "count": 1, "user_ids": [cy.id]}
    for emoji in ("🦄", "x", "👍👍"):
        bad = await api.put(reaction_url(group, message, emoji), headers=bob.headers)
        assert await error_of(bad) == (400, "validation_failed"), emoji
    await api.delete(url(group, message), headers=ann.headers)
    late = await api.put(reaction_url(group, message, THUMBS), headers=bob.headers)
    assert await error_of(late) == (409, "message_deleted")
    assert (await history(api, ann, group))[0]["reactions"] == []


async def test_a_reply_quotes_within_the_group_and_shows_its_original_deleted(api):
    ann, bob = await register(api), await register(api)
    group = await create_group(api, ann, bob)
    ids = [(await post(api, ann, group["id"], f"m{n}"))["id"] for n in range(6)]
    reply = await post(api, bob, group["id"], "about m1", reply_to=ids[1])
    assert reply["reply_to"]["id"] == ids[1] and reply["reply_to"]["excerpt"] == "m1"
    assert [m["id"] for m in await history(api, bob, group, around=ids[1], limit=3)] == ids[0:3]
    await api.delete(url(group, ids[1]), headers=ann.headers)
    quoted = (await history(api, bob, group))[-1]["reply_to"]
    assert quoted == {"id": ids[1], "sender": reply["reply_to"]["sender"], "excerpt": "", "deleted": True}
    to_deleted = await api.post(
        f"/api/v1/groups/{group['id']}/messages", json={"content": "re", "reply_to": ids[1]}, headers=bob.headers
    )
    assert await error_of(to_deleted) == (409, "message_deleted")


async def test_files_on_a_group_message_are_for_its_members_and_go_with_it(api):
    ann, bob, stranger = await register(api), await register(api), await register(api)
    group = await create_group(api, ann, bob)
    picture, notes = await uploaded(api, ann, png(), "photo.png"), await uploaded(api, ann, b"notes", "notes.txt")
    message = await post(api, ann, group["id"], "", attachments=[picture["id"], notes["id"]])
    assert [a["id"] for a in message["attachments"]] == [picture["id"], notes["id"]]
    assert message["attachments"][0]["thumbnail_url"] is not None
    assert (await history(api, bob, group))[0]["attachments"] == message["attachments"]
    assert (await api.get(picture["url"], headers=bob.headers)).status == 200
    assert (await api.get(picture["thumbnail_url"], headers=bob.headers)).status == 200
    assert await error_of(await api.get(picture["url"], headers=stranger.headers)) == (404, "not_found")

    messages_url = f"/api/v1/groups/{group['id']}/messages"
    bobs = await uploaded(api, bob, b"bob's", "bob.txt")
    for body, expected in [
        ({"content": "", "attachments": [bobs["id"]]}, (403, "forbidden")),  # someone else's upload
        ({"content": "", "attachments": [picture["id"]]}, (409, "already_attached")),  # attached already
        ({"content": "", "attachments": ["nope"]}, (404, "not_found")),
        ({"content": "", "attachments": [f"u{n}" for n in range(11)]}, (400, "validation_failed")),
        ({"content": "", "attachments": []}, (400, "validation_failed")),
    ]:
        assert await error_of(await api.post(messages_url, json=body, headers=ann.headers)) == expected, body

    await api.delete(url(group, message), headers=ann.headers)
    assert (await history(api, bob, group))[0]["attachments"] == []
    assert await error_of(await api.get(picture["url"], headers=ann.headers)) == (404, "not_found")
    assert await service.sweep(api.server.app[DEPS]) == 2


async def test_the_sweep_removes_the_files_of_a_group_message_that_is_gone(api):
    ann = await register(api)
    group = await create_group(api, ann)
    kept, gone = await uploaded(api, ann, b"kept", "kept.txt"), await uploaded(api, ann, b"gone", "gone.txt")
    await post(api, ann, group["id"], "stays", attachments=[kept["id"]])
    doomed = await post(api, ann, group["id"], "goes", attachments=[gone["id"]])
    deps = api.server.app[DEPS]
    async with deps.db() as db:
        await db.execute(delete(GroupMessage).where(GroupMessage.id == doomed["id"]))
        await db.commit()
    assert await service.sweep(deps) == 1
    assert (await api.get(kept["url"], headers=ann.headers)).status == 200


async def test_unread_counts_the_groups_and_the_total(api):
    ann, bob = await register(api), await register(api)
    group = await create_group(api, ann, bob, title="Counted")
    first = await post(api, ann, group["id"], "one")
    await post(api, ann, group["id"], "two")
    doomed = await post(api, ann, group["id"], "three")
    await post(api, bob, group["id"], "bob's own")  # moves Bob's read position past all of them
    await api.post(f"/api/v1/groups/{group['id']}/read", json={"message_id": first["id"]}, headers=bob.headers)

    async def unread(account) -> dict:
        response = await api.get("/api/v1/unread", headers=account.headers)
        assert response.status == 200
        return await response.json()

    assert (await unread(bob))["groups"] == []  # his own message read everything before it
    cy = await register(api)
    await api.post(f"/api/v1/groups/{group['id']}/members", json={"user_ids": [cy.id]}, headers=ann.headers)
    counts = await unread(cy)
    assert counts["groups"] == [{"group_id": group["id"], "unread": 4, "last_read_id": None}]
    assert counts["total"] == 4
    await api.delete(url(group, doomed), headers=ann.headers)
    read = await api.post(f"/api/v1/groups/{group['id']}/read", json={"message_id": first["id"]}, headers=cy.headers)
    assert (await read.json())["unread"] == 2
    counts = await unread(cy)
    assert counts["groups"] == [{"group_id": group["id"], "unread": 2, "last_read_id": first["id"]}]
    assert counts["total"] == 2
    # Ann's own messages are read; Bob's, after them, is not.
    assert (await unread(ann))["groups"] == [{"group_id": group["id"], "unread": 1, "last_read_id": doomed["id"]}]
