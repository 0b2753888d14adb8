"""Every control has a name a screen reader can say, and the main path works from the keyboard."""

from __future__ import annotations

import pytest

from tests.browser.steps import sign_in
from tests.helpers import register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]

UNNAMED_CONTROLS = """() => {
  const nameOf = (el) => {
    if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(' ').map((id) => document.getElementById(id)?.textContent || '').join(' ');
    if (el.labels && el.labels.length) return [...el.labels].map((l) => l.textContent).join(' ');
    return el.textContent || el.getAttribute('title') || '';
  };
  const visible = (el) => el.offsetParent !== null || el.getClientRects().length > 0;
  return [...document.querySelectorAll('button, a[href], input, select, textarea, [role=tab], [role=toolbar], dialog')]
    .filter((el) => visible(el) && !nameOf(el).trim())
    .map((el) => el.outerHTML.slice(0, 120));
}"""


async def assert_all_named(page, where: str):
    unnamed = await page.evaluate(UNNAMED_CONTROLS)
    assert unnamed == [], f"unlabelled controls on {where}: {unnamed}"


async def test_every_control_is_labelled_and_a_meeting_is_joined_by_keyboard(site, new_person):
    host = await register(site.client)
    response = await site.client.post("/api/v1/rooms", json={"name": "Keyboard"}, headers=host.headers)
    room = await response.json()
    page = await new_person()
    await page.goto(site.url("/login"))
    await page.wait_for_selector("[data-testid=auth-submit]")
    await assert_all_named(page, "sign-in")
    await page.goto(site.url("/signup"))
    await page.wait_for_selector("[data-testid=auth-email]")
    await assert_all_named(page, "sign-up")

    await sign_in(page, site, host.user["login"])
    for tab in ("rooms", "history", "contacts", "messages"):
        await page.click(f"[data-testid=tab-{tab}]")
        await page.wait_for_timeout(300)
        await assert_all_named(page, f"home/{tab}")

    # Keyboard only: focus the meeting ID field, type, press Enter, then Enter on "Join now".
    await page.focus("[data-testid=join-room-id]")
    await page.keyboard.type(room["id"])
    await page.keyboard.press("Enter")
    await page.wait_for_selector("[data-testid=join-now]")
    await assert_all_named(page, "pre-join")
    assert await page.evaluate("document.activeElement.dataset.testid") == "join-now"
    await page.keyboard.press("Enter")
    await page.wait_for_selector("[data-testid=call]")
    await assert_all_named(page, "call")
    for panel in ("chat", "people"):
        await page.click(f"[data-testid=toggle-{panel}]")
        await assert_all_named(page, f"call/{panel}")
    await page.click("[data-testid=open-more]")
    await page.click("[data-testid=open-settings]")
    await page.wait_for_selector("[data-testid=settings-dialog]")
    await assert_all_named(page, "call/settings")
    await page.keyboard.press("Escape")
    await page.wait_for_selector("[data-testid=settings-dialog]", state="detached")

    # Ctrl+D toggles the microphone, as in other meeting apps.
    assert await page.get_attribute("[data-testid=toggle-mic]", "aria-pressed") == "true"
    await page.keyboard.press("Control+d")
    await page.wait_for_selector("[data-testid=toggle-mic][aria-pressed=false]")
