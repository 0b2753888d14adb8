"""Group conversations over HTTP: a creator makes a group, members talk and page through history,
admins change who is in it, and nobody outside it reads or writes."""

import pytest

from tests.groups.helpers import create_group, post
from tests.helpers import error_of, register


async def test_a_group_is_created_listed_and_read_by_its_members(api):
    ann, bob, cy = await register(api, display_name="Ann"), await register(api), await register(api)
    group = await create_group(api, ann, bob, cy, title="  Launch  ")
    assert group["title"] == "Launch" and group["creator_id"] == ann.id
    assert [(m["user"]["id"], m["role"]) for m in group["members"]][0] == (ann.id, "admin")
    assert {m["user"]["id"] for m in group["members"]} == {ann.id, bob.id, cy.id}

    first = await post(api, bob, group["id"], "hello all")
    assert first["sender"]["id"] == bob.id and first["group_id"] == group["id"]
    assert first["deleted"] is False and first["reactions"] == [] and first["attachments"] == []
    reply = await post(api, ann, group["id"], "hi Bob", reply_to=first["id"])
    assert reply["reply_to"] == {"id": first["id"], "sender": first["sender"], "excerpt": "hello all", "deleted": False}

    listed = await (await api.get("/api/v1/groups", headers=cy.headers)).json()
    (summary,) = listed["items"]
    assert summary["id"] == group["id"] and summary["member_count"] == 3 and summary["unread"] == 2
    assert summary["last_message"]["id"] == reply["id"] and summary["my_role"] == "member"
    page = await (await api.get(f"/api/v1/groups/{group['id']}/messages", headers=cy.headers)).json()
    assert [m["content"] for m in page["items"]] == ["hello all", "hi Bob"]
    assert page["next_before"] is None and page["next_after"] is None

    read = await api.post(f"/api/v1/groups/{group['id']}/read", json={"message_id": first["id"]}, headers=cy.headers)
    assert (await read.json()) == {
        "kind": "group",
        "conversation_id": group["id"],
        "message_id": first["id"],
        "unread": 1,
    }
    listed = await (await api.get("/api/v1/groups", headers=ann.headers)).json()
    assert listed["items"][0]["unread"] == 0  # her own message counts as read; Bob's came before it
    assert (await (await api.get(f"/api/v1/groups/{group['id']}", headers=bob.headers)).json())["id"] == group["id"]


async def test_history_pages_back_forward_and_around_a_message(api):
    ann, bob = await register(api), await register(api)
    group = await create_group(api, ann, bob)
    ids = [(await post(api, ann, group["id"], f"m{n}"))["id"] for n in range(9)]
    url = f"/api/v1/groups/{group['id']}/messages"

    async def page(**params):
        response = await api.get(url, params=params, headers=bob.headers)
        assert response.status == 200, await response.text()
        body = await response.json()
        return [m["content"] for m in body["items"]], body["next_before"], body["next_after"]

    assert await page(limit=4) == (["m5", "m6", "m7", "m8"], ids[5], None)
    assert await page(limit=4, before=ids[5]) == (["m1", "m2", "m3", "m4"], ids[1], ids[4])
    assert await page(limit=4, before=ids[1]) == (["m0"], None, ids[0])
    assert await page(limit=4, after=ids[1]) == (["m2", "m3", "m4", "m5"], ids[2], ids[5])
    assert await page(limit=5, around=ids[4]) == (["m2", "m3", "m4", "m5", "m6"], ids[2], ids[6])
    assert await page(limit=5, around=ids[0]) == (["m0", "m1", "m2"], None, ids[2])


async def test_admins_change_members_and_everyone_may_leave(api):
    ann, bob, cy, dee = [await register(api) for _ in range(4)]
    group = await create_group(api, ann, bob)
    gid = group["id"]
    added = await api.post(f"/api/v1/groups/{gid}/members", json={"user_ids": [cy.id, bob.id]}, headers=ann.headers)
    assert added.status == 200
    assert {m["user"]["id"] for m in (await added.json())["members"]} == {ann.id, bob.id, cy.id}

    # A plain member may neither add, remove, rename nor name admins.
    for response in (
        await api.post(f"/api/v1/groups/{gid}/members", json={"user_ids": [dee.id]}, headers=bob.headers),
        await api.delete(f"/api/v1/groups/{gid}/members/{cy.id}", headers=bob.headers),
        await api.patch(f"/api/v1/groups/{gid}", json={"title": "Mine"}, headers=bob.headers),
        await api.patch(f"/api/v1/groups/{gid}/members/{cy.id}", json={"role": "admin"}, headers=bob.headers),
    ):
        assert await error_of(response) == (403, "forbidden")

    promoted = await api.patch(f"/api/v1/groups/{gid}/members/{bob.id}", json={"role": "admin"}, headers=ann.headers)
    assert {m["user"]["id"]: m["role"] for m in (await promoted.json())["members"]}[bob.id] == "admin"
    removed = await api.delete(f"/api/v1/groups/{gid}/members/{cy.id}", headers=bob.headers)
    assert cy.id not in {m["user"]["id"] for m in (await removed.json())["members"]}
    assert await error_of(await api.delete(f"/api/v1/groups/{gid}/members/{ann.id}", headers=bob.headers)) == (
        403,
        "forbidden",
    )
    renamed = await api.patch(f"/api/v1/groups/{gid}", json={"title": "Renamed"}, headers=bob.headers)
    assert (await renamed.json())["title"] == "Renamed"

    # Cy is out: the group is gone for them.
    assert await error_of(await api.get(f"/api/v1/groups/{gid}", headers=cy.headers)) == (404, "not_found")
    assert (await (await api.get("/api/v1/groups", headers=cy.headers)).json())["items"] == []

    # The creator leaves: Bob is still an admin; when Bob leaves too, nobody is left to manage... but Dee.
    assert (await api.post(f"/api/v1/groups/{gid}/leave", headers=ann.headers)).status == 204
    await api.post(f"/api/v1/groups/{gid}/members", json={"user_ids": [dee.id]}, headers=bob.headers)
    assert (await api.post(f"/api/v1/groups/{gid}/leave", headers=bob.headers)).status == 204
    left = await (await api.get(f"/api/v1/groups/{gid}", headers=dee.headers)).json()
    assert [(m["user"]["id"], m["role"]) for m in left["members"]] == [(dee.id, "admin")]


async def test_strangers_can_neither_read_post_nor_call(api):
    ann, stranger = await register(api), await register(api)
    gid = (await create_group(api, ann))["id"]
    for response in (
        await api.get(f"/api/v1/groups/{gid}", headers=stranger.headers),
        await api.get(f"/api/v1/groups/{gid}/messages", headers=stranger.headers),
        await api.post(f"/api/v1/groups/{gid}/messages", json={"content": "x"}, headers=stranger.headers),
        await api.post(f"/api/v1/groups/{gid}/read", json={"message_id": 1}, headers=stranger.headers),
        await api.post(f"/api/v1/groups/{gid}/call", headers=stranger.headers),
        await api.post(f"/api/v1/groups/{gid}/leave", headers=stranger.headers),
        await api.post(f"/api/v1/groups/{gid}/members", json={"user_ids": [stranger.id]}, headers=stranger.headers),
    ):
        assert await error_of(response) == (404, "not_found")
    assert (await api.get(f"/api/v1/groups/{gid}/messages")).status == 401


@pytest.mark.parametrize(
    "body,status,code",
    [
        ({}, 400, "validation_failed"),
        ({"title": ""}, 400, "validation_failed"),
        ({"title": "    "}, 400, "validation_failed"),
        ({"title": "x" * 101}, 400, "validation_failed"),
        ({"title": 5}, 400, "validation_failed"),
        ({"title": "ok", "member_ids": "abc"}, 400, "validation_failed"),
        ({"title": "ok", "member_ids": [""]}, 400, "validation_failed"),
        ({"title": "ok", "member_ids": ["x" * 33]}, 400, "validation_failed"),
        ({"title": "ok", "member_ids": [f"u{n}" for n in range(257)]}, 400, "validation_failed"),
        ({"title": "ok", "member_ids": ["nobody"]}, 404, "not_found"),
        ({"title": "ok\u0000"}, 400, "validation_failed"),
        ({"title": "ok", "owner": "me"}, 400, "validation_failed"),
    ],
)
async def test_bad_group_bodies(api, body, status, code):
    ann = await register(api)
    assert await error_of(await api.post("/api/v1/groups", json=body, headers=ann.headers)) == (status, code)


async def test_a_group_holds_256_members_at_most(api):
    ann = await register(api)
    people = [await register(api) for _ in range(3)]
    gid = (await create_group(api, ann, *people[:2]))["id"]
    # 255 unknown ids plus the 3 present would pass the body check but not the group's size.
    too_many = [people[2].id, *(f"nobody{n}" for n in range(254))]
    response = await api.post(f"/api/v1/groups/{gid}/members", json={"user_ids": too_many}, headers=ann.headers)
    assert await error_of(response) == (400, "validation_failed")
    response = await api.post(f"/api/v1/groups/{gid}/members", json={"user_ids": [people[2].id]}, headers=ann.headers)
    assert response.status == 200


@pytest.mark.parametrize(
    "path,params,status",
    [
        ("messages", {"limit": "0"}, 400),
        ("messages", {"limit": "101"}, 400),
        ("messages", {"before": "x"}, 400),
        ("messages", {"before": "5", "after": "2"}, 400),
        ("messages", {"around": "999999"}, 404),
        ("messages", {"limit": "100"}, 200),
    ],
)
async def test_bad_history_queries(api, path, params, status):
    ann = await register(api)
    gid = (await create_group(api, ann))["id"]
    response = await api.get(f"/api/v1/groups/{gid}/{path}", params=params, headers=ann.headers)
    assert response.status == status, await response.text()


async def test_bad_messages_and_unknown_ids(api):
    ann, bob = await register(api), await register(api)
    gid = (await create_group(api, ann, bob))["id"]
    other = (await create_group(api, bob))["id"]
    elsewhere = await post(api, bob, other, "not in ann's group")
    url = f"/api/v1/groups/{gid}/messages"
    for body, expected in [
        ({"content": ""}, (400, "validation_failed")),
        ({"content": "   "}, (400, "validation_failed")),
        ({"content": "x" * 4001}, (400, "validation_failed")),
        ({"content": "ok", "reply_to": elsewhere["id"]}, (404, "not_found")),
        ({"content": "ok", "reply_to": 0}, (400, "validation_failed")),
    ]:
        assert await error_of(await api.post(url, json=body, headers=ann.headers)) == expected, body
    read = await api.post(f"/api/v1/groups/{gid}/read", json={"message_id": elsewhere["id"]}, headers=ann.headers)
    assert await error_of(read) == (404, "not_found")
    assert await error_of(await api.get("/api/v1/groups/nope", headers=ann.headers)) == (404, "not_found")
    assert await error_of(await api.get(f"/api/v1/groups/{'x' * 40}", headers=ann.headers)) == (404, "not_found")
    assert await error_of(await api.delete(f"/api/v1/groups/{gid}/members/nobody", headers=ann.headers)) == (
        404,
        "not_found",
    )
    assert await error_of(await api.get("/api/v1/groups", params={"limit": "500"}, headers=ann.headers)) == (
        400,
        "validation_failed",
    )


async def test_group_changes_are_rate_limited(make_api):
    async with make_api("sqlite", group_changes_per_minute=2) as api:
        ann = await register(api)
        await create_group(api, ann)
        await create_group(api, ann)
        response = await api.post("/api/v1/groups", json={"title": "third"}, headers=ann.headers)
        assert await error_of(response) == (429, "rate_limited")


async def test_my_groups_come_most_recently_active_first_in_pages(api):
    ann = await register(api)
    first, second, third = [await create_group(api, ann, title=f"g{n}") for n in range(3)]
    await post(api, ann, first["id"], "bring the first one up")
    url = "/api/v1/groups"
    page = await (await api.get(url, params={"limit": 2}, headers=ann.headers)).json()
    assert [g["title"] for g in page["items"]] == ["g0", "g2"] and page["next_offset"] == 2
    rest = await (await api.get(url, params={"limit": 2, "offset": 2}, headers=ann.headers)).json()
    assert [g["title"] for g in rest["items"]] == ["g1"] and rest["next_offset"] is None
    assert {second["id"], third["id"]} <= {g["id"] for g in [*page["items"], *rest["items"]]}


async def test_group_messages_count_with_the_other_messages_per_user(make_api):
    async with make_api("sqlite", messages_per_10s=2) as api:
        ann = await register(api)
        gid = (await create_group(api, ann))["id"]
        await post(api, ann, gid, "one")
        await api.post(f"/api/v1/dm/{(await register(api)).id}/messages", json={"content": "two"}, headers=ann.headers)
        response = await api.post(f"/api/v1/groups/{gid}/messages", json={"content": "three"}, headers=ann.headers)
        assert await error_of(response) == (429, "rate_limited")
