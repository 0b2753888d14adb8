"""Groups in Chromium: a group made from contacts, a message seen live by the other member, search with the
match marked, and a group call that rings the other member's browser and connects both; a reaction, an
edit, a reply with a file and the unread count seen live by the other member."""

from __future__ import annotations

import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.steps import assert_video_plays, sign_in
from tests.browser.test_contacts import befriend
from tests.browser.test_message_changes import THUMBS, use_menu
from tests.groups.helpers import create_group
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


async def test_in_a_group_a_reaction_an_edit_a_file_and_the_unread_count_are_seen_live(site, new_person, tmp_path):
    alice = await register(site.client, display_name="Alice Lead")
    bob = await register(site.client, display_name="Bob Member")
    group = await create_group(site.client, alice, bob, title="Launch")
    alice_page, bob_page = await new_person(), await new_person(locale="ru-RU")
    await sign_in(alice_page, site, alice.user["login"])
    await sign_in(bob_page, site, bob.user["login"])
    await alice_page.goto(site.url(f"/?group={group['id']}"))
    await alice_page.wait_for_selector("[data-testid=group-title] >> text=Launch")

    # Bob is on his rooms tab: Alice's message shows in his title and on his Groups tab.
    await alice_page.fill("[data-testid=group-input]", "Ship it on Friday?")
    await alice_page.press("[data-testid=group-input]", "Enter")
    await bob_page.wait_for_function("() => document.title.startsWith('(1) ')", timeout=15000)
    await bob_page.wait_for_selector("[data-testid=tab-groups] [data-testid=unread-groups] >> text=1")
    await bob_page.goto(site.url(f"/?group={group['id']}"))
    message = "[data-testid=group-message]:has-text('Ship it')"
    await bob_page.wait_for_selector(f"{message} >> text=Ship it on Friday?")
    await bob_page.wait_for_function("() => !document.title.startsWith('(')", timeout=15000)

    # Bob reacts from the message's menu: Alice sees it live; Alice edits: Bob sees the new text, marked.
    await use_menu(bob_page, message, THUMBS)
    await alice_page.wait_for_selector(
        f"{message} [data-testid=message-reaction][data-emoji='{THUMBS}'] >> text=1", timeout=15000
    )
    await use_menu(alice_page, message, "message-edit")
    await alice_page.fill("[data-testid=group-input]", "Ship it on Monday?")
    await alice_page.press("[data-testid=group-input]", "Enter")
    await bob_page.wait_for_selector(f"{message} >> text=Ship it on Monday?", timeout=15000)
    await bob_page.wait_for_selector(f"{message} [data-testid=message-edited]")

    # Alice attaches a file with the button and replies to her message: Bob gets both, with the quote.
    notes = tmp_path / "plan.txt"
    notes.write_text("the plan")
    await alice_page.set_input_files("[data-testid=group-thread] [data-testid=attach-input]", str(notes))
    await alice_page.wait_for_selector("[data-testid=attach-chip]:not(.attach-chip--busy)")
    await use_menu(alice_page, message, "message-reply")
    await alice_page.fill("[data-testid=group-input]", "the plan")
    await alice_page.press("[data-testid=group-input]", "Enter")
    reply = "[data-testid=group-message]:has-text('the plan')"
    await bob_page.wait_for_selector(f"{reply} [data-testid=attachment-file] >> text=plan.txt", timeout=15000)
    await bob_page.wait_for_selector(f"{reply} [data-testid=message-quote] >> text=Ship it on Monday?")
