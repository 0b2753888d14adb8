"""Integrators' links in Chromium: /r/<id>#token=<token from POST /tokens> opens the call with that token,
shows the room and the token's name, and the token never reaches the server."""

from __future__ import annotations

import pytest

from tests.bots import bots
from tests.browser.steps import assert_video_plays
from tests.guests.steps import api_key, key_headers

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def integrator_token(client, key: str, room_id: str, identity: str, name: str) -> dict:
    response = await client.post(
        "/api/v1/tokens", json={"room": room_id, "identity": identity, "name": name}, headers=key_headers(key)
    )
    assert response.status == 200, await response.text()
    return await response.json()


async def test_a_token_link_opens_the_call_and_shows_the_other_participants_video(site, new_person):
    key = await api_key(site.client)
    created = await site.client.post("/api/v1/rooms", json={"name": "Parent evening"}, headers=key_headers(key))
    room = await created.json()
    mine = await integrator_token(site.client, key, room["id"], "parent-42", "Casey Parent")
    theirs = await integrator_token(site.client, key, room["id"], "teacher-7", "Ms Teacher")
    async with bots("teacher") as (teacher,):
        await teacher.connect(theirs["livekit_url"], theirs["token"])
        await teacher.publish_video()

        page = await new_person()
        seen_urls: list[str] = []
        page.on("request", lambda request: seen_urls.append(request.url))
        await page.goto(site.url(f"/r/{room['id']}#token={mine['token']}"))
        await page.wait_for_selector("[data-testid=call]", timeout=20000)
        await assert_video_plays(page, "[data-testid=tile][data-identity='ext:teacher-7'] video")
        assert await page.text_content("[data-testid=room-name]") == "Parent evening"
        assert await page.text_content("[data-testid=room-id]") == room["id"]
        own = "[data-testid=tile][data-identity='ext:parent-42'] figcaption"
        assert "Casey Parent" in await page.text_content(own)
        assert "#" not in page.url  # taken off the address bar (a shared screen would show it)
        assert await page.is_hidden("[data-testid=toggle-chat]")
        await teacher.video_frames_from("ext:parent-42", count=1)  # and the teacher sees the parent

        await page.reload()  # this tab kept the token
        await page.wait_for_selector("[data-testid=call]", timeout=20000)
        assert not [url for url in seen_urls if mine["token"] in url or "token=" in url]


async def test_a_token_for_another_room_is_refused_before_connecting(site, new_person):
    key = await api_key(site.client)
    rooms = []
    for name in ("One", "Two"):
        created = await site.client.post("/api/v1/rooms", json={"name": name}, headers=key_headers(key))
        rooms.append(await created.json())
    other = await integrator_token(site.client, key, rooms[1]["id"], "someone", "Someone")
    page = await new_person()
    await page.goto(site.url(f"/r/{rooms[0]['id']}#token={other['token']}"))
    await page.wait_for_selector("[data-testid=room-outcome][data-reason=error]")
    assert await page.text_content("[data-testid=room-status-detail]") == "This link's token is for another meeting."
