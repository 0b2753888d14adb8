"""What people see when a meeting cannot go on as usual: full, connection trouble."""
from __future__ import annotations

import pytest

from tests.browser.test_call import join_from_prejoin, sign_in
from tests.helpers import register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def enter(page, site, room_id: str):
    await page.goto(site.url(f"/r/{room_id}"))
    await join_from_prejoin(page)


async def test_a_full_room_says_it_is_full(site, new_person):
    host = await register(site.client)
    response = await site.client.post("/api/v1/rooms", json={"name": "Pair", "max_participants": 2}, headers=host.headers)
    room = await response.json()
    people = []
    for account in [host, await register(site.client), await register(site.client)]:
        page = await new_person()
        await sign_in(page, site, account.user["login"])
        people.append(page)
    await enter(people[0], site, room["id"])
    await enter(people[1], site, room["id"])
    await people[0].wait_for_selector("[data-testid=tile][data-local=false]")

    late = people[2]
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
