"""Message search: people find words in the messages they can read (their rooms' chat, their direct
messages, their groups) and nothing else, page by page, with the matches marked."""

import pytest

from tests.groups.helpers import create_group, post
from tests.helpers import create_room, error_of, join, register


async def search(api, account, q: str, **params) -> dict:
    response = await api.get("/api/v1/search", params={"q": q, **params}, headers=account.headers)
    assert response.status == 200, await response.text()
    return await response.json()


def marked(hit: dict) -> list[str]:
    return [part["text"] for part in hit["snippet"] if part["hit"]]


async def test_finds_what_i_can_read_in_every_kind_of_conversation(api):
    ann, bob, eve = (
        await register(api, display_name="Ann"),
        await register(api, display_name="Bob"),
        await register(api),
    )
    room = await create_room(api, ann, name="Planning")
    await join(api, bob, room["id"])
    await api.post(
        f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": "the budget is due"}, headers=bob.headers
    )
    await api.post(f"/api/v1/dm/{ann.id}/messages", json={"content": "about the budget, call me"}, headers=bob.headers)
    group = await create_group(api, bob, ann, title="Finance")
    await post(api, bob, group["id"], "Budget numbers attached")
    # What Ann cannot read: Eve's own room and Eve's group.
    secret_room = await create_room(api, eve, name="Secret")
    await api.post(f"/api/v1/rooms/{secret_room['id']}/chat/messages", json={"content": "budget!"}, headers=eve.headers)
    await post(api, eve, (await create_group(api, eve))["id"], "hidden budget")

    found = await search(api, ann, "budget")
    assert [(hit["kind"], hit["conversation_id"], hit["conversation_title"]) for hit in found["items"]] == [
        ("group", group["id"], "Finance"),
        ("dm", bob.id, "Bob"),
        ("room", room["id"], "Planning"),
    ]
    assert all(marked(hit) in (["budget"], ["Budget"]) for hit in found["items"])
    assert found["items"][1]["sender"]["id"] == bob.id and found["next_before"] is None
    assert "".join(p["text"] for p in found["items"][1]["snippet"]) == "about the budget, call me"
    assert [hit["kind"] for hit in (await search(api, eve, "budget"))["items"]] == ["group", "room"]
    assert (await search(api, ann, "nothing-like-this"))["items"] == []


async def test_english_words_are_found_by_another_form(api):
    ann = await register(api)
    gid = (await create_group(api, ann))["id"]
    await post(api, ann, gid, "We are meeting on Friday")
    found = await search(api, ann, "meetings")
    assert [marked(hit) for hit in found["items"]] == [["meeting"]]


async def test_results_come_in_pages_newest_first(api):
    ann = await register(api)
    gid = (await create_group(api, ann))["id"]
    other = (await create_group(api, ann))["id"]
    ids = []
    for n in range(7):
        ids.append((await post(api, ann, gid if n % 2 else other, f"release note {n}"))["id"])
    seen, before = [], None
    while True:
        page = await search(api, ann, "release", limit=3, **({"before": before} if before else {}))
        assert len(page["items"]) <= 3
        seen += [hit["message_id"] for hit in page["items"]]
        before = page["next_before"]
        if before is None:
            break
    assert seen == list(reversed(ids))


async def test_a_member_who_left_no_longer_finds_the_group(api):
    ann, bob = await register(api), await register(api)
    gid = (await create_group(api, ann, bob))["id"]
    await post(api, ann, gid, "quarterly review")
    assert len((await search(api, bob, "quarterly"))["items"]) == 1
    await api.post(f"/api/v1/groups/{gid}/leave", headers=bob.headers)
    assert (await search(api, bob, "quarterly"))["items"] == []


@pytest.mark.parametrize(
    "params,status",
    [
        ({}, 400),
        ({"q": ""}, 400),
        ({"q": "   "}, 400),
        ({"q": "x" * 201}, 400),
        ({"q": "!!! ???"}, 400),
        ({"q": "ok", "limit": "0"}, 400),
        ({"q": "ok", "limit": "51"}, 400),
        ({"q": "ok", "before": "garbage"}, 400),
        ({"q": "ok", "before": "1.7.1"}, 400),
        ({"q": 'AND OR NOT "( * ^ NEAR'}, 200),
        ({"q": "ok", "limit": "50"}, 200),
    ],
)
async def test_bad_queries(api, params, status):
    ann = await register(api)
    response = await api.get("/api/v1/search", params=params, headers=ann.headers)
    if status == 200:
        assert response.status == 200, await response.text()
    else:
        assert await error_of(response) == (status, "validation_failed")


async def test_search_needs_a_sign_in_and_is_rate_limited(make_api):
    async with make_api("sqlite", searches_per_minute=2) as api:
        assert (await api.get("/api/v1/search", params={"q": "x"})).status == 401
        ann = await register(api)
        await search(api, ann, "one")
        await search(api, ann, "two")
        response = await api.get("/api/v1/search", params={"q": "three"}, headers=ann.headers)
        assert await error_of(response) == (429, "rate_limited")
