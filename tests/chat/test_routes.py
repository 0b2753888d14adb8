"""Room chat over HTTP: members post and page back through history; nobody else can."""

import pytest

from tests.helpers import create_room, error_of, join, register


async def test_members_post_and_read_in_order(api):
    host, guest = await register(api, display_name="Host"), await register(api)
    room = await create_room(api, host)
    await join(api, guest, room["id"])
    posted = await api.post(
        f"/api/v1/rooms/{room['id']}/chat/messages", headers=host.headers, json={"content": "hello"}
    )
    assert posted.status == 201
    message = await posted.json()
    assert message["content"] == "hello" and message["room_id"] == room["id"]
    assert message["sender"] == {"id": host.id, "login": host.user["login"], "display_name": "Host"}
    await api.post(f"/api/v1/rooms/{room['id']}/chat/messages", headers=guest.headers, json={"content": "hi!"})
    page = await (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=guest.headers)).json()
    assert [m["content"] for m in page["items"]] == ["hello", "hi!"]
    assert page["next_before"] is None


async def test_history_pages_backwards_with_before(api):
    host = await register(api)
    room = await create_room(api, host)
    for n in range(7):
        await api.post(f"/api/v1/rooms/{room['id']}/chat/messages", headers=host.headers, json={"content": f"m{n}"})
    url = f"/api/v1/rooms/{room['id']}/chat/messages"
    first = await (await api.get(url, params={"limit": 3}, headers=host.headers)).json()
    assert [m["content"] for m in first["items"]] == ["m4", "m5", "m6"]
    second = await (
        await api.get(url, params={"limit": 3, "before": first["next_before"]}, headers=host.headers)
    ).json()
    assert [m["content"] for m in second["items"]] == ["m1", "m2", "m3"]
    last = await (await api.get(url, params={"limit": 3, "before": second["next_before"]}, headers=host.headers)).json()
    assert [m["content"] for m in last["items"]] == ["m0"] and last["next_before"] is None


async def test_strangers_can_neither_read_nor_post(api):
    host, stranger = await register(api), await register(api)
    room = await create_room(api, host)
    url = f"/api/v1/rooms/{room['id']}/chat/messages"
    assert await error_of(await api.get(url, headers=stranger.headers)) == (403, "forbidden")
    assert await error_of(await api.post(url, headers=stranger.headers, json={"content": "x"})) == (403, "forbidden")
    assert (await (await api.get(url, headers=host.headers)).json())["items"] == []


@pytest.mark.parametrize(
    "body,status,code",
    [
        ({}, 400, "validation_failed"),
        ({"content": ""}, 400, "validation_failed"),
        ({"content": "   "}, 400, "validation_failed"),
        ({"content": "x" * 4001}, 400, "validation_failed"),
        ({"content": 5}, 400, "validation_failed"),
        ({"content": "ok", "sender_id": "x"}, 400, "validation_failed"),
    ],
)
async def test_bad_messages_are_refused_and_not_stored(api, body, status, code):
    host = await register(api)
    room = await create_room(api, host)
    url = f"/api/v1/rooms/{room['id']}/chat/messages"
    assert await error_of(await api.post(url, headers=host.headers, json=body)) == (status, code)
    assert (await (await api.get(url, headers=host.headers)).json())["items"] == []


async def test_a_message_of_exactly_4000_characters_is_accepted(api):
    host = await register(api)
    room = await create_room(api, host)
    response = await api.post(
        f"/api/v1/rooms/{room['id']}/chat/messages", headers=host.headers, json={"content": "é" * 4000}
    )
    assert response.status == 201


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "101"}, {"before": "abc"}, {"before": "-4"}])
async def test_bad_paging_is_refused(api, query):
    host = await register(api)
    room = await create_room(api, host)
    response = await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", params=query, headers=host.headers)
    assert await error_of(response) == (400, "validation_failed")


async def test_no_posting_after_the_room_ended(api):
    host = await register(api)
    room = await create_room(api, host)
    await api.post(f"/api/v1/rooms/{room['id']}/end", headers=host.headers)
    response = await api.post(
        f"/api/v1/rooms/{room['id']}/chat/messages", headers=host.headers, json={"content": "late"}
    )
    assert await error_of(response) == (409, "room_ended")


async def test_a_stored_message_survives_a_restart(make_api):
    async with make_api("sqlite") as first:
        database = first.settings.database_url
        host = await register(first)
        room = await create_room(first, host)
        posted = await first.post(
            f"/api/v1/rooms/{room['id']}/chat/messages", headers=host.headers, json={"content": "keep me"}
        )
        assert posted.status == 201
    async with make_api(database=database) as second:
        page = await (await second.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=host.headers)).json()
        assert [m["content"] for m in page["items"]] == ["keep me"]
