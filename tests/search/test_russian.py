"""On PostgreSQL, search stems Russian: a word is found by another of its forms."""

from tests.groups.helpers import create_group, post
from tests.helpers import register


async def test_a_russian_word_is_found_by_another_form(make_api):
    async with make_api("postgres") as api:
        ann = await register(api)
        gid = (await create_group(api, ann, title="Команда"))["id"]
        await post(api, ann, gid, "Завтра встреча с клиентом в десять")
        await post(api, ann, gid, "Переносим встречу на пятницу")
        await post(api, ann, gid, "Про бюджет поговорим позже")
        response = await api.get("/api/v1/search", params={"q": "встречи"}, headers=ann.headers)
        assert response.status == 200, await response.text()
        items = (await response.json())["items"]
        assert [[p["text"] for p in hit["snippet"] if p["hit"]] for hit in items] == [["встречу"], ["встреча"]]
        assert {hit["conversation_title"] for hit in items} == {"Команда"}
        # Both languages in one message, each word found by another form of it.
        await post(api, ann, gid, "Notes from the meetings и обсуждения")
        response = await api.get("/api/v1/search", params={"q": "meeting обсуждение"}, headers=ann.headers)
        (hit,) = (await response.json())["items"]
        assert [p["text"] for p in hit["snippet"] if p["hit"]] == ["meetings", "обсуждения"]
