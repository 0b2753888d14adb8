"""End to end in Chromium: two people sign in, meet, see each other, chat, share a screen; the host ends it."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.steps import PLAYING, assert_video_plays, join_from_prejoin, my_id, sign_in, sign_up
from tests.helpers import register, unique_login

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def test_two_people_meet_chat_share_a_screen_and_the_host_ends_it(site, new_person, artifacts_dir):
    alice, bob = await new_person(), await new_person()
    bob_account = await register(site.client, display_name="Bob Builder")
    await sign_up(alice, site, unique_login("alice"), "Alice Host")
    await sign_in(bob, site, bob_account.user["login"])

    # Alice starts a meeting and reads its ID out to Bob.
    await alice.fill("[data-testid=create-room-name]", "Design review")
    save_screenshot(await alice.screenshot(), "home.png", artifacts_dir)
    await alice.click("[data-testid=create-room]")
    await alice.wait_for_function(PLAYING, arg="[data-testid=preview-video]", timeout=15000)
    save_screenshot(await alice.screenshot(), "prejoin.png", artifacts_dir)
    await join_from_prejoin(alice)
    room_id = (await alice.text_content("[data-testid=room-id]")).strip()
    assert re.fullmatch(r"[a-z]{3}-[a-z]{4}-[a-z]{3}", room_id), room_id
    alice_id = await my_id(alice)
    await alice.click("[data-testid=copy-invite]")
    await alice.wait_for_selector("[data-testid=toast] >> text=Invite link copied.")
    assert await alice.evaluate("navigator.clipboard.readText()") == site.url(f"/r/{room_id}")

    # Bob types it in capitals and without dashes.
    await bob.fill("[data-testid=join-room-id]", room_id.replace("-", "").upper())
    await bob.click("[data-testid=join-room]")
    await join_from_prejoin(bob)
    assert (await bob.text_content("[data-testid=room-id]")).strip() == room_id

    # Each sees the other's camera actually playing.
    await assert_video_plays(alice, f"[data-testid=tile][data-identity='{bob_account.id}'] video")
    await assert_video_plays(bob, f"[data-testid=tile][data-identity='{alice_id}'] video")
    assert await alice.text_content(f"[data-testid=tile][data-identity='{bob_account.id}'] figcaption") == "Bob Builder"
    await alice.wait_for_timeout(500)
    save_screenshot(await alice.screenshot(), "room-two-participants.png", artifacts_dir)

    # Pinning Bob shows him large with Alice in the strip; pinning again goes back to the grid.
    bob_tile = f"[data-testid=tile][data-identity='{bob_account.id}']"
    await alice.hover(bob_tile)
    await alice.click(f"{bob_tile} [data-testid=pin-tile]")
    await alice.wait_for_selector(f"[data-testid=stage-main] {bob_tile}")
    await alice.wait_for_selector(f"[data-testid=stage-strip] [data-testid=tile][data-identity='{alice_id}']")
    await alice.click(f"{bob_tile} [data-testid=pin-tile]")
    await alice.wait_for_selector("[data-testid=stage-strip]", state="hidden")

    # Chat both ways.
    await bob.click("[data-testid=toggle-chat]")
    await bob.fill("[data-testid=chat-input]", "Hello from Bob")
    await bob.press("[data-testid=chat-input]", "Enter")
    await bob.wait_for_selector("[data-testid=chat-list] >> text=Hello from Bob")
    await alice.wait_for_selector("[data-testid=chat-unread]:not([hidden])", timeout=15000)
    await alice.click("[data-testid=toggle-chat]")
    await alice.wait_for_selector("[data-testid=chat-list] >> text=Hello from Bob")
    await alice.fill("[data-testid=chat-input]", "Hi Bob, sharing my screen now")
    await alice.click("[data-testid=chat-send]")
    await bob.wait_for_selector("[data-testid=chat-list] >> text=Hi Bob, sharing my screen now", timeout=15000)
    await alice.click("[data-testid=chat-close]")
    await bob.click("[data-testid=chat-close]")

    # Alice shares her screen: Bob sees it large, then it goes away when she stops.
    await alice.click("[data-testid=toggle-screen-share]")
    await alice.wait_for_selector("[data-testid=toggle-screen-share][aria-pressed=true]")
    screen = f"[data-testid=screen-tile][data-identity='{alice_id}'] video"
    await assert_video_plays(bob, screen)
    assert await bob.locator("[data-testid=stage-main] [data-testid=screen-tile]").count() == 1
    assert await bob.locator("[data-testid=stage-strip] [data-testid=tile]").count() == 2
    await bob.wait_for_timeout(500)
    save_screenshot(await bob.screenshot(), "room-screen-share.png", artifacts_dir)
    await alice.click("[data-testid=toggle-screen-share]")
    await bob.wait_for_selector("[data-testid=screen-tile]", state="detached")
    await alice.wait_for_selector("[data-testid=toggle-screen-share][aria-pressed=false]")

    # The host ends the meeting for everyone.
    await alice.click("[data-testid=leave-room]")  # a host's Leave holds "End for all"
    await alice.click("[data-testid=end-room]")
    await alice.click("[data-testid=end-confirm-ok]")
    await alice.wait_for_selector("[data-testid=room-outcome][data-reason=ended_by_me]")
    await bob.wait_for_selector("[data-testid=room-outcome][data-reason=ended]", timeout=15000)
    assert await bob.text_content("[data-testid=room-status]") == "The meeting has ended"

    # Coming back by the link later says the same.
    await bob.goto(site.url(f"/r/{room_id}"))
    await bob.wait_for_selector("[data-testid=room-outcome][data-reason=ended]")

    # The call is in Alice's history with how long it lasted and who was there (from LiveKit's webhooks).
    await alice.click("[data-testid=outcome-home]")
    item = f"[data-testid=history-item][data-room-id='{room_id}']"
    for _ in range(20):
        await alice.click("[data-testid=tab-history]")
        await alice.wait_for_selector("[data-testid=call-history], [data-testid=call-history-empty]")
        if await alice.locator(f"{item} [data-testid=history-duration]").count():
            break
        await alice.wait_for_timeout(500)
        await alice.click("[data-testid=tab-rooms]")
    assert await alice.text_content(f"{item} .list__title") == "Design review"
    assert re.fullmatch(r"(\d+ min )?\d+ s", await alice.text_content(f"{item} [data-testid=history-duration]"))
    await alice.click(f"{item} summary")
    names = await alice.locator(f"{item} [data-testid=history-participant]").all_text_contents()
    assert any("Alice Host" in n for n in names) and any("Bob Builder" in n for n in names), names


async def test_a_wrong_room_id_says_the_meeting_does_not_exist(site, new_person):
    page = await new_person()
    account = await register(site.client)
    await sign_in(page, site, account.user["login"])
    await page.fill("[data-testid=join-room-id]", "zzz-zzzz-zzz")
    await page.click("[data-testid=join-room]")
    await page.wait_for_selector("[data-testid=room-outcome][data-reason=not_found]")
    assert await page.text_content("[data-testid=room-status]") == "Meeting not found"
    await page.click("[data-testid=outcome-home]")
    await page.wait_for_selector("[data-testid=create-room]")


async def test_an_invite_link_brings_a_signed_out_person_back_to_the_room(site, new_person):
    host = await register(site.client)
    response = await site.client.post("/api/v1/rooms", json={"name": "Invite"}, headers=host.headers)
    room = await response.json()
    guest = await register(site.client)
    page = await new_person()
    await page.goto(site.url(f"/r/{room['id']}"))
    # Not signed in: the guest pre-join, with "Sign in" beside "Join as guest".
    await page.click("[data-testid=prejoin-sign-in]")
    await page.wait_for_selector("[data-testid=auth-login]")
    await page.fill("[data-testid=auth-login]", guest.user["login"])
    await page.fill("[data-testid=auth-password]", "password123")
    await page.click("[data-testid=auth-submit]")
    await page.wait_for_selector("[data-testid=join-now]")
    assert (await page.text_content("[data-testid=prejoin-room-id]")).strip() == room["id"]


async def test_russian_browsers_get_russian_and_the_home_page_fits_a_phone(site, new_person):
    page = await new_person(locale="ru-RU", width=360, height=740)
    await page.goto(site.url("/login"))
    await page.wait_for_selector("[data-testid=auth-submit]")
    assert await page.text_content("[data-testid=auth-submit]") == "Войти"
    account = await register(site.client)
    await sign_in(page, site, account.user["login"])
    assert await page.text_content("[data-testid=create-room]") == "Создать встречу"
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    await page.select_option("[data-testid=language]", "en")
    await page.wait_for_selector("[data-testid=create-room] >> text=Create meeting")
