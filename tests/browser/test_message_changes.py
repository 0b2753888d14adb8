"""In Chromium, two people: an edit, a delete, a reply and a reaction made in one browser show up live
in the other, in a direct conversation and in a meeting's chat; unread counts reach the title."""

from __future__ import annotations

import pytest

from tests.browser.steps import join_from_prejoin, sign_in
from tests.helpers import create_room, join, register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]
THUMBS = "👍"


async def use_menu(page, message: str, action: str) -> None:
    """Opens the ⋯ menu of a message and picks an item (message-edit, message-reply...) or an emoji."""
    await page.click(f"{message} [data-testid=message-menu] summary")
    target = f"[data-testid=react][data-emoji='{action}']" if action == THUMBS else f"[data-testid={action}]"
    await page.click(f"{message} {target}")


async def test_direct_message_edit_reaction_reply_and_delete_are_seen_live(site, new_person):
    alice = await register(site.client, display_name="Alice")
    bob = await register(site.client, display_name="Bob")
    alice_page, bob_page = await new_person(), await new_person()
    await sign_in(alice_page, site, alice.user["login"])
    await sign_in(bob_page, site, bob.user["login"])

    # Bob is on his rooms tab: a message from Alice shows up as unread in his title.
    await alice_page.goto(site.url(f"/?dm={bob.id}"))
    await alice_page.fill("[data-testid=dm-input]", "Lunch at noon?")
    await alice_page.press("[data-testid=dm-input]", "Enter")
    await bob_page.wait_for_function("() => document.title.startsWith('(1) ')", timeout=15000)
    await bob_page.wait_for_selector("[data-testid=tab-messages] [data-testid=unread-messages] >> text=1")
    await bob_page.goto(site.url(f"/?dm={alice.id}"))
    message = "[data-testid=dm-message]:has-text('Lunch at')"
    await bob_page.wait_for_selector(f"{message} >> text=Lunch at noon?")
    await bob_page.wait_for_function("() => !document.title.startsWith('(')", timeout=15000)

    # Alice edits: Bob sees the new text, marked edited.
    await use_menu(alice_page, message, "message-edit")
    assert await alice_page.input_value("[data-testid=dm-input]") == "Lunch at noon?"
    await alice_page.fill("[data-testid=dm-input]", "Lunch at one?")
    await alice_page.press("[data-testid=dm-input]", "Enter")
    await bob_page.wait_for_selector(f"{message} >> text=Lunch at one?", timeout=15000)
    await bob_page.wait_for_selector(f"{message} [data-testid=message-edited]")

    # Bob reacts and replies: Alice sees the reaction and the quote.
    await use_menu(bob_page, message, THUMBS)
    await alice_page.wait_for_selector(
        f"{message} [data-testid=message-reaction][data-emoji='{THUMBS}'] >> text=1", timeout=15000
    )
    await use_menu(bob_page, message, "message-reply")
    await bob_page.wait_for_selector("[data-testid=draft] >> text=Lunch at one?")
    await bob_page.fill("[data-testid=dm-input]", "Sure, see you")
    await bob_page.press("[data-testid=dm-input]", "Enter")
    reply = "[data-testid=dm-message]:has-text('Sure, see you')"
    await alice_page.wait_for_selector(f"{reply} [data-testid=message-quote] >> text=Lunch at one?", timeout=15000)

    # Alice deletes her message: Bob sees the marker, in the message and in the quote of his reply.
    await use_menu(alice_page, message, "message-delete")
    await alice_page.click("[data-testid=confirm-delete-ok]")
    deleted = "[data-testid=dm-message]:not(:has-text('Sure')) [data-testid=message-deleted]"
    await bob_page.wait_for_selector(f"{deleted} >> text=message deleted", timeout=15000)
    await bob_page.wait_for_selector(f"{reply} [data-testid=message-quote] >> text=message deleted")
    assert await bob_page.locator("[data-testid=dm-list] >> text=Lunch at one?").count() == 0


async def test_room_chat_edit_reaction_and_a_hosts_delete_are_seen_live(site, new_person):
    host = await register(site.client, display_name="Hana Host")
    guest = await register(site.client, display_name="Gil Guest")
    room = await create_room(site.client, host)
    await join(site.client, guest, room["id"])
    host_page, guest_page = await new_person(), await new_person()
    await sign_in(host_page, site, host.user["login"])
    await sign_in(guest_page, site, guest.user["login"])
    for page in (host_page, guest_page):
        await page.goto(site.url(f"/r/{room['id']}"))
        await join_from_prejoin(page)
        await page.click("[data-testid=toggle-chat]")

    await guest_page.fill("[data-testid=chat-input]", "Agenda: budgett")
    await guest_page.press("[data-testid=chat-input]", "Enter")
    message = "[data-testid=chat-message]:has-text('Agenda')"
    await host_page.wait_for_selector(f"{message} >> text=Agenda: budgett", timeout=15000)

    await use_menu(guest_page, message, "message-edit")
    await guest_page.fill("[data-testid=chat-input]", "Agenda: budget")
    await guest_page.press("[data-testid=chat-input]", "Enter")
    await host_page.wait_for_selector(f"{message} [data-testid=message-edited]", timeout=15000)
    assert "Agenda: budget (edited)" in await host_page.text_content(f"{message} [data-testid=message-text]")

    await use_menu(host_page, message, THUMBS)
    chip = f"{message} [data-testid=message-reaction][data-emoji='{THUMBS}']"
    await guest_page.wait_for_selector(f"{chip} >> text=1", timeout=15000)
    await guest_page.click(chip)  # Gil adds his own to the same emoji
    await host_page.wait_for_selector(f"{chip} >> text=2", timeout=15000)
    assert await host_page.get_attribute(chip, "aria-pressed") == "true"

    # The host deletes the guest's message; the guest sees only the marker.
    await use_menu(host_page, message, "message-delete")
    await host_page.click("[data-testid=confirm-delete-ok]")
    await guest_page.wait_for_selector("[data-testid=chat-list] [data-testid=message-deleted]", timeout=15000)
    assert await guest_page.locator("[data-testid=chat-list] >> text=Agenda: budget").count() == 0
