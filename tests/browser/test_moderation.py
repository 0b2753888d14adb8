"""Hosts run the room: they admit people from the waiting room, mute and remove someone, who is told so."""

from __future__ import annotations

import pytest

from tests.browser.steps import join_from_prejoin, sign_in
from tests.helpers import register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def signed_in(new_person, site, account):
    page = await new_person()
    await sign_in(page, site, account.user["login"])
    return page


async def test_the_host_admits_a_guest_from_the_waiting_room(site, new_person):
    host = await register(site.client, display_name="Hannah Host")
    guest = await register(site.client, display_name="Gus Guest")
    response = await site.client.post(
        "/api/v1/rooms", json={"name": "Lobby", "waiting_room": True}, headers=host.headers
    )
    room = await response.json()
    host_page, guest_page = await signed_in(new_person, site, host), await signed_in(new_person, site, guest)
    await host_page.goto(site.url(f"/r/{room['id']}"))
    await join_from_prejoin(host_page)

    # Gus joins with his camera and microphone off.
    await guest_page.goto(site.url(f"/r/{room['id']}"))
    await guest_page.click("[data-testid=preview-camera][aria-pressed=true]")
    await guest_page.click("[data-testid=preview-mic][aria-pressed=true]")
    await guest_page.click("[data-testid=join-now]")
    await guest_page.wait_for_selector("[data-testid=waiting-room]")

    await host_page.wait_for_selector("[data-testid=toast] >> text=Gus Guest wants to join", timeout=15000)
    await host_page.click("[data-testid=toggle-people]")
    await host_page.click(f"[data-testid=lobby-person][data-user-id='{guest.id}'] [data-testid=lobby-admit]")
    await guest_page.wait_for_selector("[data-testid=call]", timeout=15000)
    tile = f"[data-testid=tile][data-identity='{guest.id}']"
    await host_page.wait_for_selector(tile, timeout=15000)
    assert await host_page.get_attribute(tile, "data-video") == "false"
    assert await host_page.get_attribute(tile, "data-muted") == "true"
    assert await guest_page.get_attribute("[data-testid=toggle-camera]", "aria-pressed") == "false"
    assert await guest_page.get_attribute("[data-testid=toggle-mic]", "aria-pressed") == "false"

    # Locking the meeting from the panel keeps newcomers out.
    assert await host_page.is_checked("[data-testid=room-waiting_room]")
    await host_page.check("[data-testid=room-locked]")
    late = await register(site.client)
    for _ in range(20):
        response = await site.client.post(f"/api/v1/rooms/{room['id']}/join", headers=late.headers)
        if response.status == 403:
            break
        await host_page.wait_for_timeout(200)
    assert (await response.json())["error"]["code"] == "room_locked"


async def test_a_muted_then_removed_participant_is_told_and_cannot_come_back(site, new_person):
    host = await register(site.client)
    guest = await register(site.client, display_name="Rex Removed")
    response = await site.client.post("/api/v1/rooms", json={"name": "Strict"}, headers=host.headers)
    room = await response.json()
    host_page, guest_page = await signed_in(new_person, site, host), await signed_in(new_person, site, guest)
    for page in (host_page, guest_page):
        await page.goto(site.url(f"/r/{room['id']}"))
        await join_from_prejoin(page)

    await host_page.click("[data-testid=toggle-people]")
    person = f"[data-testid=person][data-identity='{guest.id}']"
    menu_item = "[role=menu]:not([hidden]) [data-testid={}]"
    # First the host mutes Rex's microphone from his menu; Rex's own toolbar shows it off, and he is told who did it.
    await host_page.click(f"{person} [data-testid=person-actions]")
    await host_page.click(menu_item.format("mute-audio"))
    await guest_page.wait_for_selector("[data-testid=toggle-mic][aria-pressed=false]", timeout=15000)
    await guest_page.wait_for_selector("[data-testid=toast] >> text=muted your microphone")
    await host_page.wait_for_selector(f"[data-testid=tile][data-identity='{guest.id}'][data-muted=true]")
    await host_page.click(f"{person} [data-testid=person-actions]")
    await host_page.click(menu_item.format("remove-participant"))
    await host_page.click("[data-testid=confirm-ok]")
    await guest_page.wait_for_selector("[data-testid=room-outcome][data-reason=removed]", timeout=15000)
    assert await guest_page.text_content("[data-testid=room-status]") == "You were removed from the meeting"
    await host_page.wait_for_selector(person, state="detached", timeout=15000)

    await guest_page.goto(site.url(f"/r/{room['id']}"))
    await guest_page.click("[data-testid=join-now]")
    await guest_page.wait_for_selector("[data-testid=room-outcome][data-reason=removed]")


async def test_a_guest_turned_away_from_the_waiting_room_is_told_so(site, new_person):
    host = await register(site.client)
    guest = await register(site.client, display_name="Dora Denied")
    response = await site.client.post(
        "/api/v1/rooms", json={"name": "Invite only", "waiting_room": True}, headers=host.headers
    )
    room = await response.json()
    guest_page = await signed_in(new_person, site, guest)
    await guest_page.goto(site.url(f"/r/{room['id']}"))
    await join_from_prejoin_to_the_waiting_room(guest_page)

    response = await site.client.post(f"/api/v1/rooms/{room['id']}/lobby/{guest.id}/deny", headers=host.headers)
    assert response.status == 200
    await guest_page.wait_for_selector("[data-testid=room-outcome][data-reason=denied]", timeout=15000)
    assert await guest_page.text_content("[data-testid=room-status]") == await guest_page.evaluate(
        "fetch('/i18n/en.json').then((r) => r.json()).then((s) => s['outcome.denied_title'])"
    )


async def join_from_prejoin_to_the_waiting_room(page):
    await page.wait_for_selector("[data-testid=join-now]")
    await page.click("[data-testid=join-now]")
    await page.wait_for_selector("[data-testid=waiting-room]")
