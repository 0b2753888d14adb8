"""Groups in Chromium: a group made from contacts, a message seen live by the other member, search with the
match marked, and a group call that rings the other member's browser and connects both."""

from __future__ import annotations

import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.steps import assert_video_plays, sign_in
from tests.browser.test_contacts import befriend
from tests.helpers import register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def test_a_group_is_made_talks_is_searched_and_its_call_rings_the_other_member(site, new_person, artifacts_dir):
    alice = await register(site.client, display_name="Alice Lead")
    bob = await register(site.client, display_name="Bob Member")
    await befriend(site.client, alice, bob)
    alice_page, bob_page = await new_person(), await new_person(locale="ru-RU")
    await sign_in(alice_page, site, alice.user["login"])
    await sign_in(bob_page, site, bob.user["login"])
    await bob_page.click("[data-testid=tab-groups]")
    await bob_page.wait_for_selector("[data-testid=groups-empty]")

    # Alice makes a group with Bob from her contacts, with the keyboard.
    await alice_page.click("[data-testid=tab-groups]")
    await alice_page.click("[data-testid=new-group]")
    await alice_page.fill("[data-testid=group-title-input]", "Release crew")
    await alice_page.keyboard.press("Tab")
    await alice_page.keyboard.press("Space")
    assert await alice_page.is_checked(f"[data-testid=group-pick][data-user-id='{bob.id}']")
    await alice_page.click("[data-testid=group-create]")
    await alice_page.wait_for_selector("[data-testid=group-title] >> text=Release crew")

    # Her message reaches Bob's list live; he opens the group and reads it.
    await alice_page.fill("[data-testid=group-input]", "Встреча по релизу в пятницу")
    await alice_page.press("[data-testid=group-input]", "Enter")
    item = "[data-testid=group-item] >> text=Release crew"
    await bob_page.wait_for_selector(item, timeout=15000)
    await bob_page.wait_for_selector("[data-testid=group-item] .badge--count >> text=1", timeout=15000)
    await bob_page.click(item)
    await bob_page.wait_for_selector("[data-testid=group-list] >> text=Встреча по релизу в пятницу")
    await bob_page.wait_for_selector("[data-testid=group-item] .badge--count", state="detached", timeout=15000)

    # Search finds it, with the word marked.
    await alice_page.fill("[data-testid=search-input]", "релизу")
    await alice_page.press("[data-testid=search-input]", "Enter")
    hit = "[data-testid=search-hit][data-kind=group]"
    await alice_page.wait_for_selector(f"{hit} mark >> text=релизу")
    save_screenshot(await alice_page.screenshot(), "group-search.png", artifacts_dir)
    await alice_page.focus(hit)
    await alice_page.keyboard.press("Enter")  # the result opens its group at that message
    await alice_page.wait_for_selector("[data-testid=group-message].bubble--found >> text=Встреча по релизу")

    # Alice starts the group's call: Bob's browser rings; he answers and both are in the call.
    await alice_page.click("[data-testid=group-call]")
    await alice_page.wait_for_selector("[data-testid=call]", timeout=20000)
    await bob_page.wait_for_selector("[data-testid=incoming-call]", timeout=15000)
    assert "Alice Lead" in await bob_page.text_content("[data-testid=incoming-call]")
    save_screenshot(await bob_page.screenshot(), "group-call-ringing.png", artifacts_dir)
    await bob_page.click("[data-testid=call-accept]")
    await bob_page.wait_for_selector("[data-testid=call]", timeout=20000)
    await assert_video_plays(alice_page, f"[data-testid=tile][data-identity='{bob.id}'] video")
    await assert_video_plays(bob_page, f"[data-testid=tile][data-identity='{alice.id}'] video")
