"""Contacts: presence, a direct message that arrives live, and a call that rings, is accepted and connects."""

from __future__ import annotations

import pytest

from tests.browser.steps import assert_video_plays, sign_in
from tests.helpers import register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def befriend(client, a, b):
    response = await client.post("/api/v1/contacts", json={"user_id": b.id}, headers=a.headers)
    assert response.status == 201, await response.text()
    response = await client.post(f"/api/v1/contacts/{a.id}/accept", headers=b.headers)
    assert response.status == 200, await response.text()


async def test_a_contact_is_messaged_and_called_from_the_contacts_tab(site, new_person):
    alice = await register(site.client, display_name="Alice Caller")
    bob = await register(site.client, display_name="Bob Callee")
    await befriend(site.client, alice, bob)
    alice_page, bob_page = await new_person(), await new_person()
    await sign_in(bob_page, site, bob.user["login"])
    await sign_in(alice_page, site, alice.user["login"])

    # Bob is online, so Alice's contact list says so.
    await alice_page.click("[data-testid=tab-contacts]")
    contact = f"[data-testid=contact][data-user-id='{bob.id}']"
    await alice_page.wait_for_selector(f"{contact} .presence--on", timeout=15000)

    # A direct message reaches Bob's open conversation live.
    await bob_page.goto(site.url(f"/?dm={alice.id}"))
    await bob_page.wait_for_selector("[data-testid=dm-input]")
    await alice_page.click(f"{contact} [data-testid=contact-message]")
    await alice_page.fill("[data-testid=dm-input]", "Got a minute?")
    await bob_page.wait_for_selector("[data-testid=typing] >> text=Alice Caller is typing…", timeout=15000)
    await alice_page.press("[data-testid=dm-input]", "Enter")
    await bob_page.wait_for_selector("[data-testid=dm-list] >> text=Got a minute?", timeout=15000)
    assert await bob_page.text_content("[data-testid=typing]") == ""

    # Alice calls; Bob's page rings and he accepts; both end up in the same call.
    await alice_page.click("[data-testid=tab-contacts]")
    await alice_page.click(f"{contact} [data-testid=contact-call]")
    await alice_page.wait_for_selector("[data-testid=outgoing-call]")
    await bob_page.wait_for_selector("[data-testid=incoming-call]", timeout=15000)
    assert "Alice Caller" in await bob_page.text_content("[data-testid=incoming-call]")
    await bob_page.click("[data-testid=call-accept]")
    await bob_page.wait_for_selector("[data-testid=call]")
    await alice_page.wait_for_selector("[data-testid=call]", timeout=15000)
    await assert_video_plays(alice_page, f"[data-testid=tile][data-identity='{bob.id}'] video")
    await assert_video_plays(bob_page, f"[data-testid=tile][data-identity='{alice.id}'] video")


async def test_a_declined_call_tells_the_caller(site, new_person):
    alice = await register(site.client)
    bob = await register(site.client, display_name="Bob Busy")
    await befriend(site.client, alice, bob)
    alice_page, bob_page = await new_person(), await new_person()
    await sign_in(bob_page, site, bob.user["login"])
    await sign_in(alice_page, site, alice.user["login"])
    await alice_page.click("[data-testid=tab-contacts]")
    await alice_page.click(f"[data-testid=contact][data-user-id='{bob.id}'] [data-testid=contact-call]")
    await bob_page.wait_for_selector("[data-testid=incoming-call]", timeout=15000)
    await bob_page.click("[data-testid=call-decline]")
    await alice_page.wait_for_selector("[data-testid=toast] >> text=Bob Busy declined the call.", timeout=15000)
    await alice_page.wait_for_selector("[data-testid=outgoing-call]", state="detached")
