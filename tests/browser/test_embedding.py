"""Embedding in Chromium: the example page of docs/embedding.md, served from a second loopback origin, frames
/embed/<id> and drives the call with postMessage (join, toggle-audio, leave) while events come back (ready,
joined, participant-joined, media, left, ended); the same page on an origin the API key does not list is
refused by the browser (frame-ancestors)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from aiohttp import web

from conference.deps import DEPS
from tests.bots import bots
from tests.browser.steps import PLAYING
from tests.guests.steps import api_key, key_headers
from tests.servers import free_port

pytestmark = [pytest.mark.browser, pytest.mark.livekit]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "embedding.md"


def example_page(app_origin: str, room_id: str, token: str) -> str:
    """The HTML example of docs/embedding.md, with this test's host, room and token filled in."""
    page = re.search(r"```html\n(.*?)```", DOCS.read_text(), re.S).group(1)
    assert "https://meet.example.com" in page and "kqz-mvtd-wpa" in page and "TOKEN_FROM_YOUR_SERVER" in page
    return (
        page.replace("https://meet.example.com", app_origin)
        .replace("kqz-mvtd-wpa", room_id)
        .replace("TOKEN_FROM_YOUR_SERVER", token)
    )


async def serve(host: str, html: str) -> tuple[web.AppRunner, str]:
    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://{host}:{port}"


EVENTS = "[...document.querySelectorAll('#log li')].map((li) => JSON.parse(li.textContent))"


async def event(page, type_: str, count: int = 1, timeout: float = 20000, **data) -> dict:
    """The `count`-th event of this type (with these fields) the example page logged."""
    script = f"""([type, data, count]) => {{
        const found = {EVENTS}.filter((e) => e.type === type && Object.entries(data).every(([k, v]) => e[k] === v));
        return found.length >= count ? found[count - 1] : null;
    }}"""
    handle = await page.wait_for_function(script, arg=[type_, data, count], timeout=timeout)
    return await handle.json_value()


async def token_for(client, key: str, room_id: str, identity: str, name: str) -> dict:
    response = await client.post(
        "/api/v1/tokens", json={"room": room_id, "identity": identity, "name": name}, headers=key_headers(key)
    )
    assert response.status == 200, await response.text()
    return await response.json()


async def test_the_documented_page_drives_an_embedded_call_and_an_unlisted_origin_is_refused(site, new_person):
    key = await api_key(site.client)
    app_origin = site.url("/").rstrip("/")
    made = await site.client.post("/api/v1/rooms", json={"name": "Embedded"}, headers=key_headers(key))
    room = await made.json()
    teacher_grant = await token_for(site.client, key, room["id"], "teacher", "Ms Teacher")
    mine = await token_for(site.client, key, room["id"], "pupil", "Pip Pupil")
    html = example_page(app_origin, room["id"], mine["token"])
    listed, listed_url = await serve("localhost", html)
    unlisted, unlisted_url = await serve("127.0.0.1", html)
    try:
        allowed = await site.client.patch(
            "/api/v1/keys/me", json={"allowed_origins": [listed_url]}, headers=key_headers(key)
        )
        assert allowed.status == 200
        async with bots("teacher") as (teacher,):
            await teacher.connect(teacher_grant["livekit_url"], teacher_grant["token"])
            await teacher.publish_video()

            page = await new_person()
            await page.goto(listed_url)
            assert (await event(page, "ready"))["room_id"] == room["id"]
            joined = await event(page, "joined")  # the page answered `ready` with a join
            assert joined["identity"] == "ext:pupil" and joined["name"] == "Pip Pupil"
            assert (await event(page, "participant-joined", identity="ext:teacher"))["name"] == "Ms Teacher"
            frame = next(f for f in page.frames if "/embed/" in f.url)
            teacher_video = "[data-testid=tile][data-identity='ext:teacher'] video"
            await frame.wait_for_function(PLAYING, arg=teacher_video, timeout=30000)
            await teacher.video_frames_from("ext:pupil", count=1)

            await event(page, "media", audio=True, video=True)
            await page.click("#mic")
            await event(page, "media", audio=False)
            assert await frame.get_attribute("[data-testid=toggle-mic]", "aria-pressed") == "false"
            await page.click("#leave")
            assert (await event(page, "left"))["reason"] == "left"

            await page.click("#join")
            await event(page, "joined", count=2)
            await site.client.app[DEPS].livekit.delete_room(room["id"])  # the call ends for everyone
            assert (await event(page, "ended"))["room_id"] == room["id"]

            stranger = await new_person()
            console: list[str] = []
            stranger.on("console", lambda message: console.append(message.text))
            await stranger.goto(unlisted_url)
            await stranger.wait_for_timeout(3000)
            assert await stranger.evaluate(EVENTS) == []  # the frame never ran, so it never spoke
            assert any("frame-ancestors" in line for line in console), console
    finally:
        await listed.cleanup()
        await unlisted.cleanup()


async def test_an_embedded_call_can_be_joined_as_a_guest_by_name(site, new_person):
    key = await api_key(site.client)
    app_origin = site.url("/").rstrip("/")
    made = await site.client.post(
        "/api/v1/rooms", json={"name": "Open house", "guest_access": "open"}, headers=key_headers(key)
    )
    room = await made.json()
    listed, listed_url = await serve("localhost", example_page(app_origin, room["id"], ""))
    try:
        await site.client.patch("/api/v1/keys/me", json={"allowed_origins": [listed_url]}, headers=key_headers(key))
        page = await new_person()
        await page.goto(listed_url)
        # The page has no token to give: its join is refused, and a join by name comes in as a guest.
        assert (await event(page, "error"))["code"] == "validation_failed"
        await page.evaluate(
            "origin => document.getElementById('meeting').contentWindow.postMessage("
            "{type: 'join', display_name: 'Gia Guest'}, origin)",
            app_origin,
        )
        joined = await event(page, "joined")
        assert joined["name"] == "Gia Guest" and len(joined["identity"]) == 32
        frame = next(f for f in page.frames if "/embed/" in f.url)
        await frame.wait_for_selector(f"[data-testid=tile][data-identity='{joined['identity']}']")
    finally:
        await listed.cleanup()
