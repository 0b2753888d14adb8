"""Edits, deletes and reactions are limited per user like messages; so are read marks."""

from __future__ import annotations

from urllib.parse import quote

from tests.helpers import create_room, join, register
from tests.test_throttles import fresh_window, limited


async def test_message_changes_are_limited_per_user(make_api):
    async with make_api("sqlite", message_changes_per_10s=3) as api:
        alice, bob = await register(api), await register(api)
        room = await create_room(api, alice)
        await join(api, bob, room["id"])
        base = f"/api/v1/rooms/{room['id']}/chat/messages"
        message = await (await api.post(base, json={"content": "hi"}, headers=alice.headers)).json()
        url = f"{base}/{message['id']}"
        await fresh_window(10)
        assert (await api.patch(url, json={"content": "one"}, headers=alice.headers)).status == 200
        assert (await api.put(f"{url}/reactions/{quote('👍')}", headers=alice.headers)).status == 200
        assert (await api.delete(f"{url}/reactions/{quote('👍')}", headers=alice.headers)).status == 200
        await limited(await api.patch(url, json={"content": "four"}, headers=alice.headers), 10)
        await limited(await api.put(f"{url}/reactions/{quote('🎉')}", headers=alice.headers), 10)
        dm = await (
            await api.post(f"/api/v1/dm/{bob.id}/messages", json={"content": "x"}, headers=alice.headers)
        ).json()
        await limited(await api.delete(f"/api/v1/dm/{bob.id}/messages/{dm['id']}", headers=alice.headers), 10)
        assert (await api.put(f"{url}/reactions/{quote('🎉')}", headers=bob.headers)).status == 200, "bob is fine"
        history = await (await api.get(base, headers=bob.headers)).json()
        assert history["items"][0]["content"] == "one"
        assert history["items"][0]["reactions"] == [{"emoji": "🎉", "count": 1, "user_ids": [bob.id]}]


async def test_read_marks_are_limited_per_user(make_api):
    async with make_api("sqlite", read_marks_per_10s=2) as api:
        alice = await register(api)
        room = await create_room(api, alice)
        base = f"/api/v1/rooms/{room['id']}/chat"
        message = await (await api.post(f"{base}/messages", json={"content": "hi"}, headers=alice.headers)).json()
        await fresh_window(10)
        for _ in range(2):
            response = await api.post(f"{base}/read", json={"message_id": message["id"]}, headers=alice.headers)
            assert response.status == 200
        await limited(await api.post(f"{base}/read", json={"message_id": message["id"]}, headers=alice.headers), 10)
