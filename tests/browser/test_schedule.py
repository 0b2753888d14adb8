"""A scheduled meeting in Chromium: someone who comes early sees when it starts, with a calendar file, and
is let in by the page itself when the time comes; the home page lists the meeting as upcoming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.steps import join_from_prejoin, sign_in
from tests.helpers import create_room, register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def test_an_early_participant_waits_for_the_start_and_comes_in_then(site, new_person):
    host, member = await register(site.client), await register(site.client, display_name="Early Ed")
    starts = (datetime.now(UTC) + timedelta(seconds=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    room = await create_room(site.client, host, name="Planning", starts_at=starts)
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    upcoming = await create_room(site.client, member, name="Retro", starts_at=later)

    page = await new_person()
    await sign_in(page, site, member.user["login"])
    await page.wait_for_selector(f"[data-testid=my-room][data-room-id='{upcoming['id']}'] [data-testid=upcoming]")
    await page.goto(site.url(f"/r/{room['id']}"))
    await page.click("[data-testid=join-now]")
    await page.wait_for_selector("[data-testid=room-outcome][data-reason=not_started]")
    link = await page.get_attribute("[data-testid=add-to-calendar]", "href")
    calendar = await site.client.get(link)
    assert calendar.status == 200 and "SUMMARY:Planning" in await calendar.text()

    await join_from_prejoin(page)  # the page came back to the pre-join by itself at the start
    assert await page.text_content("[data-testid=room-name]") == "Planning"
