"""What people see when a meeting cannot go on as usual: full, connection trouble."""

from __future__ import annotations

import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.steps import join_from_prejoin, sign_in
from tests.helpers import register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def enter(page, site, room_id: str):
    await page.goto(site.url(f"/r/{room_id}"))
    await join_from_prejoin(page)


async def test_a_full_room_says_it_is_full(site, new_person):
    host = await register(site.client)
    response = await site.client.post(
        "/api/v1/rooms", json={"name": "Trio", "max_participants": 3}, headers=host.headers
    )
    room = await response.json()
    people = []
    for account in [host, *[await register(site.client) for _ in range(3)]]:
        page = await new_person()
        await sign_in(page, site, account.user["login"])
        people.append(page)
    # The host's screen shows two tiles at most, so the two others fold into "+2".
    await people[0].evaluate("localStorage.setItem('conference.maxTiles', '2')")
    for page in people[:3]:
        await enter(page, site, room["id"])
    await people[0].wait_for_selector("[data-testid=more-tile] >> text=+2")
    assert await people[0].locator("[data-testid=stage] [data-testid=tile]").count() == 1
    await people[0].click("[data-testid=more-tile]")
    await people[0].wait_for_selector("[data-testid=people-panel] [data-testid=person] >> nth=2")

    late = people[3]
    await late.goto(site.url(f"/r/{room['id']}"))
    await late.click("[data-testid=join-now]")
    await late.wait_for_selector("[data-testid=room-outcome][data-reason=full]")
    assert await late.text_content("[data-testid=room-status]") == "The meeting is full"


async def test_losing_the_network_shows_a_reconnecting_banner_until_it_is_back(site, new_person):
    account = await register(site.client)
    response = await site.client.post("/api/v1/rooms", json={"name": "Flaky"}, headers=account.headers)
    room = await response.json()
    page = await new_person()
    await sign_in(page, site, account.user["login"])
    await enter(page, site, room["id"])
    await page.context.set_offline(True)
    await page.wait_for_selector("[data-testid=reconnecting-banner]", state="visible", timeout=30000)
    await page.context.set_offline(False)
    await page.wait_for_selector("[data-testid=reconnecting-banner]", state="hidden", timeout=30000)
    assert await page.locator("[data-testid=call]").count() == 1


async def test_on_a_phone_the_call_fits_and_the_host_ends_it_from_leave(site, new_person, artifacts_dir):
    host = await register(site.client)
    response = await site.client.post("/api/v1/rooms", json={"name": "Pocket"}, headers=host.headers)
    room = await response.json()
    page = await new_person(width=360, height=740)
    await sign_in(page, site, host.user["login"])
    await enter(page, site, room["id"])
    await page.wait_for_selector("[data-testid=tile][data-local=true][data-video=true]")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    toolbar = await page.locator("[data-testid=controls]").bounding_box()
    assert toolbar["height"] < 90, "the toolbar wraps onto a second row"
    (artifacts_dir / "room-phone.png").write_bytes(await page.screenshot())
    # Sharing, reactions and the rest wait in "more" on a phone.
    await page.click("[data-testid=open-more]")
    await page.wait_for_selector("[role=menu]:not([hidden]) [data-testid=more-share]")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    save_screenshot(await page.screenshot(), "call-phone-more.png", artifacts_dir)
    await page.keyboard.press("Escape")

    await page.click("[data-testid=leave-room]")
    await page.click("[data-testid=end-room]")
    await page.click("[data-testid=end-confirm-ok]")
    await page.wait_for_selector("[data-testid=room-outcome][data-reason=ended_by_me]")
    response = await site.client.get(f"/api/v1/rooms/{room['id']}", headers=host.headers)
    assert (await response.json())["status"] == "ended"


async def test_someone_joining_later_reads_the_chat_so_far(site, new_person):
    host = await register(site.client, display_name="Early Bird")
    response = await site.client.post("/api/v1/rooms", json={"name": "Notes"}, headers=host.headers)
    room = await response.json()
    await site.client.post(f"/api/v1/rooms/{room['id']}/join", headers=host.headers)
    for text in ("Agenda: budget", "Then: hiring"):
        response = await site.client.post(
            f"/api/v1/rooms/{room['id']}/chat/messages", json={"content": text}, headers=host.headers
        )
        assert response.status == 201, await response.text()
    latecomer = await register(site.client)
    page = await new_person()
    await sign_in(page, site, latecomer.user["login"])
    await enter(page, site, room["id"])
    await page.click("[data-testid=toggle-chat]")
    messages = page.locator("[data-testid=chat-list] [data-testid=chat-message]")
    await messages.nth(1).wait_for()
    texts = await messages.all_text_contents()
    assert "Agenda: budget" in texts[0] and "Then: hiring" in texts[1] and "Early Bird" in texts[0]
