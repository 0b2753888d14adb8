"""Edit, delete and react to room chat and direct messages over HTTP; replies and history around a message.
Every refusal is the one error shape and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import update

from conference.chat.models import ChatMessage
from conference.db import utcnow
from conference.deps import DEPS
from tests.helpers import create_room, error_of, join, register

THUMBS, HEART = "👍", "❤️"


async def room_with_guest(api):
    host, guest = await register(api, display_name="Host"), await register(api, display_name="Guest")
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    return host, guest, room


async def post(api, account, room_id: str, content: str, **extra) -> dict:
    response = await api.post(
        f"/api/v1/rooms/{room_id}/chat/messages", json={"content": content, **extra}, headers=account.headers
    )
    assert response.status == 201, await response.text()
    return await response.json()


async def history(api, account, room_id: str, **params) -> dict:
    response = await api.get(f"/api/v1/rooms/{room_id}/chat/messages", params=params, headers=account.headers)
    assert response.status == 200, await response.text()
    return await response.json()


def message_url(room_id: str, message_id: int | str) -> str:
    return f"/api/v1/rooms/{room_id}/chat/messages/{message_id}"


def reaction_url(room_id: str, message_id: int, emoji: str) -> str:
    return f"{message_url(room_id, message_id)}/reactions/{quote(emoji)}"


async def test_a_new_message_has_no_edits_reply_or_reactions(api):
    host, _, room = await room_with_guest(api)
    message = await post(api, host, room["id"], "hello")
    assert message["edited_at"] is None and message["deleted"] is False
    assert message["reply_to"] is None and message["reactions"] == []


async def test_the_sender_edits_and_history_shows_the_edit(api):
    host, guest, room = await room_with_guest(api)
    message = await post(api, guest, room["id"], "helo")
    response = await api.patch(message_url(room["id"], message["id"]), json={"content": "hello"}, headers=guest.headers)
    assert response.status == 200
    edited = await response.json()
    assert edited["content"] == "hello" and edited["edited_at"] is not None and edited["id"] == message["id"]
    assert (await history(api, host, room["id"]))["items"] == [edited]


async def test_editing_someone_elses_message_is_a_403_even_for_a_host(api):
    host, guest, room = await room_with_guest(api)
    message = await post(api, guest, room["id"], "mine")
    response = await api.patch(message_url(room["id"], message["id"]), json={"content": "x"}, headers=host.headers)
    assert await error_of(response) == (403, "forbidden")
    assert (await history(api, host, room["id"]))["items"][0]["content"] == "mine"


async def test_after_the_edit_window_an_edit_is_refused(make_api):
    async with make_api("sqlite", message_edit_window_s=60) as api:
        host, _, room = await room_with_guest(api)
        message = await post(api, host, room["id"], "old")
        async with api.app[DEPS].db() as db:
            await db.execute(
                update(ChatMessage)
                .where(ChatMessage.id == message["id"])
                .values(created_at=utcnow() - timedelta(seconds=61))
            )
            await db.commit()
        response = await api.patch(
            message_url(room["id"], message["id"]), json={"content": "new"}, headers=host.headers
        )
        assert await error_of(response) == (403, "edit_window_closed")
        assert (await history(api, host, room["id"]))["items"][0]["content"] == "old"


async def test_the_sender_deletes_and_a_marker_stays(api):
    host, guest, room = await room_with_guest(api)
    message = await post(api, guest, room["id"], "oops")
    await api.put(reaction_url(room["id"], message["id"], THUMBS), headers=host.headers)
    response = await api.delete(message_url(room["id"], message["id"]), headers=guest.headers)
    assert response.status == 200
    marker = await response.json()
    assert marker["deleted"] is True and marker["content"] == "" and marker["reactions"] == []
    assert (await history(api, host, room["id"]))["items"] == [marker]
    again = await api.delete(message_url(room["id"], message["id"]), headers=guest.headers)
    assert again.status == 200 and await again.json() == marker


async def test_a_host_deletes_anyones_message_a_guest_only_their_own(api):
    host, guest, room = await room_with_guest(api)
    by_host = await post(api, host, room["id"], "from the host")
    by_guest = await post(api, guest, room["id"], "spam")
    refused = await api.delete(message_url(room["id"], by_host["id"]), headers=guest.headers)
    assert await error_of(refused) == (403, "forbidden")
    removed = await api.delete(message_url(room["id"], by_guest["id"]), headers=host.headers)
    assert removed.status == 200 and (await removed.json())["deleted"] is True
    assert [m["deleted"] for m in (await history(api, host, room["id"]))["items"]] == [False, True]


async def test_a_co_host_deletes_anyones_message(api):
    host, guest, room = await room_with_guest(api)
    cohost = await register(api)
    await join(api, cohost, room["id"])
    promoted = await api.patch(
        f"/api/v1/rooms/{room['id']}/participants/{cohost.id}", json={"role": "host"}, headers=host.headers
    )
    assert promoted.status == 200, await promoted.text()
    by_guest = await post(api, guest, room["id"], "spam")
    removed = await api.delete(message_url(room["id"], by_guest["id"]), headers=cohost.headers)
    assert removed.status == 200 and (await removed.json())["deleted"] is True


async def test_a_deleted_message_can_be_neither_edited_nor_reacted_to(api):
    host, _, room = await room_with_guest(api)
    message = await post(api, host, room["id"], "gone soon")
    await api.delete(message_url(room["id"], message["id"]), headers=host.headers)
    edit = await api.patch(message_url(room["id"], message["id"]), json={"content": "back"}, headers=host.headers)
    assert await error_of(edit) == (409, "message_deleted")
    react = await api.put(reaction_url(room["id"], message["id"], THUMBS), headers=host.headers)
    assert await error_of(react) == (409, "message_deleted")
    reply = await api.post(
        f"/api/v1/rooms/{room['id']}/chat/messages",
        json={"content": "re", "reply_to": message["id"]},
        headers=host.headers,
    )
    assert await error_of(reply) == (409, "message_deleted")


async def test_reactions_count_who_once_per_emoji_per_person(api):
    host, guest, room = await room_with_guest(api)
    message = await post(api, host, room["id"], "vote")
    for account, emoji in ((host, THUMBS), (guest, THUMBS), (guest, THUMBS), (guest, HEART)):
        response = await api.put(reaction_url(room["id"], message["id"], emoji), headers=account.headers)
        assert response.status == 200
    reactions = (await response.json())["reactions"]
    assert reactions == [
        {"emoji": THUMBS, "count": 2, "user_ids": [host.id, guest.id]},
        {"emoji": HEART, "count": 1, "user_ids": [guest.id]},
    ]
    taken_back = await api.delete(reaction_url(room["id"], message["id"], THUMBS), headers=guest.headers)
    assert (await taken_back.json())["reactions"] == [
        {"emoji": THUMBS, "count": 1, "user_ids": [host.id]},
        {"emoji": HEART, "count": 1, "user_ids": [guest.id]},
    ]
    assert (await history(api, guest, room["id"]))["items"][0]["reactions"] == (await taken_back.json())["reactions"]


@pytest.mark.parametrize("emoji", ["🦄", "x", "👍👍", "%F0%9F"])
async def test_a_reaction_outside_the_set_is_a_400(api, emoji):
    host, _, room = await room_with_guest(api)
    message = await post(api, host, room["id"], "hi")
    response = await api.put(
        f"{message_url(room['id'], message['id'])}/reactions/{quote(emoji, safe='%')}", headers=host.headers
    )
    assert await error_of(response) == (400, "validation_failed")
    assert (await history(api, host, room["id"]))["items"][0]["reactions"] == []


async def test_unknown_or_foreign_message_ids_are_404(api):
    host, guest, room = await room_with_guest(api)
    other_room = await create_room(api, host)
    elsewhere = await post(api, host, other_room["id"], "elsewhere")
    for message_id in (elsewhere["id"], 999999, "abc", 0):
        edit = await api.patch(message_url(room["id"], message_id), json={"content": "x"}, headers=host.headers)
        assert await error_of(edit) == (404, "not_found"), message_id
        assert await error_of(await api.delete(message_url(room["id"], message_id), headers=host.headers)) == (
            404,
            "not_found",
        )
    react = await api.put(f"{message_url(room['id'], 999999)}/reactions/{quote(THUMBS)}", headers=host.headers)
    assert await error_of(react) == (404, "not_found")
    reply = await api.post(
        f"/api/v1/rooms/{room['id']}/chat/messages",
        json={"content": "re", "reply_to": elsewhere["id"]},
        headers=guest.headers,
    )
    assert await error_of(reply) == (404, "not_found")


async def test_strangers_can_change_nothing(api):
    host, _, room = await room_with_guest(api)
    stranger = await register(api)
    message = await post(api, host, room["id"], "members only")
    url = message_url(room["id"], message["id"])
    assert await error_of(await api.patch(url, json={"content": "x"}, headers=stranger.headers)) == (403, "forbidden")
    assert await error_of(await api.delete(url, headers=stranger.headers)) == (403, "forbidden")
    react = await api.put(reaction_url(room["id"], message["id"], THUMBS), headers=stranger.headers)
    assert await error_of(react) == (403, "forbidden")


@pytest.mark.parametrize(
    "body", [{}, {"content": ""}, {"content": "  "}, {"content": "x" * 4001}, {"content": 5}, {"content": "a", "x": 1}]
)
async def test_bad_edits_are_a_400_and_change_nothing(api, body):
    host, _, room = await room_with_guest(api)
    message = await post(api, host, room["id"], "keep")
    response = await api.patch(message_url(room["id"], message["id"]), json=body, headers=host.headers)
    assert await error_of(response) == (400, "validation_failed")
    assert (await history(api, host, room["id"]))["items"][0] == message


async def test_a_reply_quotes_its_original_and_the_quote_follows_edits_and_deletes(api):
    host, guest, room = await room_with_guest(api)
    original = await post(api, host, room["id"], "q" * 200)
    reply = await post(api, guest, room["id"], "answer", reply_to=original["id"])
    assert reply["reply_to"] == {
        "id": original["id"],
        "sender": original["sender"],
        "excerpt": "q" * 140,
        "deleted": False,
    }
    await api.patch(message_url(room["id"], original["id"]), json={"content": "short"}, headers=host.headers)
    assert (await history(api, guest, room["id"]))["items"][1]["reply_to"]["excerpt"] == "short"
    await api.delete(message_url(room["id"], original["id"]), headers=host.headers)
    quoted = (await history(api, guest, room["id"]))["items"][1]["reply_to"]
    assert quoted == {"id": original["id"], "sender": original["sender"], "excerpt": "", "deleted": True}


async def test_history_around_a_message_and_paging_forward(api):
    host, _, room = await room_with_guest(api)
    ids = [(await post(api, host, room["id"], f"m{n}"))["id"] for n in range(10)]
    page = await history(api, host, room["id"], around=ids[5], limit=4)
    assert [m["id"] for m in page["items"]] == ids[3:7]
    assert page["next_before"] == ids[3] and page["next_after"] == ids[6]
    newer = await history(api, host, room["id"], after=page["next_after"], limit=4)
    assert [m["id"] for m in newer["items"]] == ids[7:10] and newer["next_after"] is None
    start = await history(api, host, room["id"], around=ids[0], limit=4)
    assert [m["id"] for m in start["items"]] == ids[0:4] and start["next_before"] is None
    assert (await history(api, host, room["id"]))["next_after"] is None


@pytest.mark.parametrize("params", [{"around": "1", "before": "2"}, {"after": "x"}, {"around": "0"}])
async def test_bad_cursors_are_a_400(api, params):
    host, _, room = await room_with_guest(api)
    response = await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", params=params, headers=host.headers)
    assert await error_of(response) == (400, "validation_failed")


async def test_around_an_unknown_message_is_a_404(api):
    host, _, room = await room_with_guest(api)
    response = await api.get(
        f"/api/v1/rooms/{room['id']}/chat/messages", params={"around": "999999"}, headers=host.headers
    )
    assert await error_of(response) == (404, "not_found")


async def test_no_edits_or_reactions_after_the_room_ended_but_a_host_still_deletes(api):
    host, _, room = await room_with_guest(api)
    message = await post(api, host, room["id"], "last words")
    await api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
    edit = await api.patch(message_url(room["id"], message["id"]), json={"content": "x"}, headers=host.headers)
    assert await error_of(edit) == (409, "room_ended")
    react = await api.put(reaction_url(room["id"], message["id"], THUMBS), headers=host.headers)
    assert await error_of(react) == (409, "room_ended")
    assert (await api.delete(message_url(room["id"], message["id"]), headers=host.headers)).status == 200
