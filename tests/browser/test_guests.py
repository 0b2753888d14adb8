"""Guests in Chromium: someone with only the link joins by name, through the lobby or straight in; a host
opens the door from the call, sees who is a guest, and a removed guest cannot come back from that browser."""

from __future__ import annotations

import pytest

from tests.bots import bots
from tests.browser.steps import PLAYING, assert_video_plays, join_from_prejoin, my_id, sign_in
from tests.helpers import create_room, join, register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def join_as_guest_in(page, name: str) -> None:
    await page.wait_for_selector("[data-testid=prejoin-name]")
    await page.wait_for_function(PLAYING, arg="[data-testid=preview-video]", timeout=15000)
    assert await page.text_content("[data-testid=join-now]") == "Join as guest"
    await page.fill("[data-testid=prejoin-name]", name)
    await page.click("[data-testid=join-now]")


async def test_a_guest_with_only_the_link_is_admitted_by_the_host_and_sees_the_call(site, new_person):
    host = await register(site.client, display_name="Hannah Host")
    room = await create_room(site.client, host, name="Open day")  # guests knock by default
    host_grant = await join(site.client, host, room["id"])
    async with bots("host") as (host_bot,):
        await host_bot.connect(host_grant["livekit_url"], host_grant["token"])
        await host_bot.publish_video()

        page = await new_person()
        await page.goto(site.url(f"/r/{room['id']}"))
        await page.wait_for_selector("[data-testid=prejoin-sign-in]")
        assert await page.get_attribute("[data-testid=prejoin-sign-in]", "href") == f"/login?next=%2Fr%2F{room['id']}"
        assert "Open day" in await page.text_content("[data-testid=prejoin]")
        await join_as_guest_in(page, "Gwen Guest")
        await page.wait_for_selector("[data-testid=waiting-room]")

        waiting = await site.client.get(f"/api/v1/rooms/{room['id']}/lobby", headers=host.headers)
        [entry] = (await waiting.json())["items"]
        assert entry["user"]["display_name"] == "Gwen Guest" and entry["user"]["guest"] is True
        admitted = await site.client.post(
            f"/api/v1/rooms/{room['id']}/lobby/{entry['user']['id']}/admit", headers=host.headers
        )
        assert admitted.status == 200
        await page.wait_for_selector("[data-testid=call]", timeout=15000)
        await assert_video_plays(page, f"[data-testid=tile][data-identity='{host.id}'] video")
        await host_bot.video_frames_from(entry["user"]["id"], count=1)  # the guest's camera reaches the host

        live = await site.client.get(f"/api/v1/rooms/{room['id']}/participants", headers=host.headers)
        guest_row = next(item for item in (await live.json())["items"] if item["identity"] == entry["user"]["id"])
        assert guest_row["user"]["guest"] is True and guest_row["name"] == "Gwen Guest"


async def test_a_host_opens_the_door_chats_with_a_guest_and_a_removed_guest_stays_out(site, new_person):
    host = await register(site.client, display_name="Hannah Host")
    room = await create_room(site.client, host, guest_access="off")
    guest_page = await new_person()
    await guest_page.goto(site.url(f"/r/{room['id']}"))
    await guest_page.wait_for_selector("[data-testid=room-outcome][data-reason=guests_off]")
    assert await guest_page.text_content("[data-testid=room-status]") == "Sign in to join"

    host_page = await new_person()
    await sign_in(host_page, site, host.user["login"])
    await host_page.goto(site.url(f"/r/{room['id']}"))
    await join_from_prejoin(host_page)
    await host_page.click("[data-testid=toggle-people]")
    await host_page.select_option("[data-testid=room-guest_access]", "open")
    await host_page.wait_for_timeout(300)
    assert (await (await site.client.get(f"/api/v1/rooms/{room['id']}", headers=host.headers)).json())[
        "guest_access"
    ] == "open"

    await guest_page.reload()
    await join_as_guest_in(guest_page, "Gus Guest")
    await guest_page.wait_for_selector("[data-testid=call]", timeout=15000)
    guest_id = await guest_page.evaluate("JSON.parse(sessionStorage.getItem('conference.guest')).id")
    person = f"[data-testid=person][data-identity='{guest_id}']"
    await host_page.wait_for_selector(f"{person} [data-testid=guest-badge]", timeout=15000)
    await assert_video_plays(guest_page, f"[data-testid=tile][data-identity='{await my_id(host_page)}'] video")

    await guest_page.click("[data-testid=toggle-chat]")
    await guest_page.fill("[data-testid=chat-input]", "Hi, I am a guest")
    await guest_page.press("[data-testid=chat-input]", "Enter")
    await host_page.click("[data-testid=toggle-chat]")
    message = f"[data-testid=chat-message][data-sender='{guest_id}']"
    await host_page.wait_for_selector(f"{message} >> text=Hi, I am a guest", timeout=15000)
    assert await host_page.is_visible(f"{message} [data-testid=guest-badge]")

    await host_page.click("[data-testid=toggle-people]")
    await host_page.click(f"{person} [data-testid=person-actions]")  # the person's menu, as for members
    await host_page.click("[role=menu]:not([hidden]) [data-testid=remove-participant]")
    await host_page.click("[data-testid=confirm-ok]")
    await guest_page.wait_for_selector("[data-testid=room-outcome][data-reason=removed]", timeout=15000)

    await guest_page.reload()  # the same browser: the old session is in its storage, the server's mark in a cookie
    await join_as_guest_in(guest_page, "Not Gus")
    await guest_page.wait_for_selector("[data-testid=room-outcome][data-reason=removed]")
    await guest_page.evaluate("sessionStorage.clear()")
    await guest_page.reload()
    await join_as_guest_in(guest_page, "Really not Gus")
    await guest_page.wait_for_selector("[data-testid=room-outcome][data-reason=removed]")


async def test_a_guest_turned_away_from_the_lobby_is_told_so(site, new_person):
    host = await register(site.client)
    room = await create_room(site.client, host)
    page = await new_person()
    await page.goto(site.url(f"/r/{room['id']}"))
    await join_as_guest_in(page, "Dora")
    await page.wait_for_selector("[data-testid=waiting-room]")
    waiting = await site.client.get(f"/api/v1/rooms/{room['id']}/lobby", headers=host.headers)
    [entry] = (await waiting.json())["items"]
    denied = await site.client.post(
        f"/api/v1/rooms/{room['id']}/lobby/{entry['user']['id']}/deny", headers=host.headers
    )
    assert denied.status == 200
    await page.wait_for_selector("[data-testid=room-outcome][data-reason=denied]", timeout=15000)
