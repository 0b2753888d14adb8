"""End-to-end encrypted meetings: created with the key only in the link's fragment; two browsers with
the full link see each other; someone without the key is told to ask for it; the passphrase never
appears in any request the browsers make (URLs, headers, bodies, socket addresses)."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.steps import assert_video_plays, csp_violations, join_from_prejoin, sign_in, watch_csp
from tests.helpers import register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


def record_requests(page) -> list[str]:
    """Everything a page sends that a server could see: each request's URL, headers and body, and socket URLs."""
    seen: list[str] = []

    def on_request(request) -> None:
        seen.append(request.url)
        seen.extend(f"{k}: {v}" for k, v in request.headers.items())
        try:
            seen.append(request.post_data or "")
        except UnicodeDecodeError:  # a binary body is looked at as bytes
            seen.append(str(request.post_data_buffer))

    page.on("request", on_request)
    page.on("websocket", lambda socket: seen.append(socket.url))
    return seen


async def test_an_encrypted_meeting_keeps_its_key_in_the_browsers(site, new_person, artifacts_dir):
    host = await register(site.client, display_name="Erin Encrypt")
    guest = await register(site.client, display_name="Gil Guest")
    stranger = await register(site.client, display_name="Sam Stranger")
    host_page, guest_page, stranger_page = await new_person(), await new_person(), await new_person()
    logs = [record_requests(page) for page in (host_page, guest_page, stranger_page)]
    await watch_csp(guest_page)

    await sign_in(host_page, site, host.user["login"])
    await host_page.check("[data-testid=create-e2ee]")
    await host_page.click("[data-testid=create-room]")
    await join_from_prejoin(host_page)
    link = host_page.url
    assert "#key=" in link
    room_id = link.split("/r/")[1].split("#")[0]
    passphrase = unquote(link.split("#key=")[1])
    assert len(passphrase) >= 16
    await host_page.wait_for_selector("[data-testid=badge-e2ee]")

    await sign_in(guest_page, site, guest.user["login"])
    await guest_page.goto(link)
    await join_from_prejoin(guest_page)
    await assert_video_plays(guest_page, f"[data-testid=tile][data-identity='{host.id}'] video")
    await assert_video_plays(host_page, f"[data-testid=tile][data-identity='{guest.id}'] video")
    # LiveKit says both streams arrive encrypted.
    await guest_page.wait_for_selector(f"[data-testid=tile][data-identity='{host.id}'][data-encrypted=true]")
    await host_page.wait_for_selector(f"[data-testid=tile][data-identity='{guest.id}'][data-encrypted=true]")
    await guest_page.click("[data-testid=toggle-chat]")
    await guest_page.wait_for_selector("[data-testid=chat-not-e2ee]")
    save_screenshot(await guest_page.screenshot(), "call-e2ee.png", artifacts_dir)
    assert await csp_violations(guest_page) == []  # the e2ee worker passes the page's policy

    # Without the fragment the meeting cannot be joined, and the page says how to get in.
    await sign_in(stranger_page, site, stranger.user["login"])
    await stranger_page.goto(site.url(f"/r/{room_id}"))
    await stranger_page.wait_for_selector("[data-testid=room-outcome][data-reason=no_key]")
    assert "full" in (await stranger_page.text_content("[data-testid=room-outcome]")).lower()
    save_screenshot(await stranger_page.screenshot(), "e2ee-no-key.png", artifacts_dir)

    # The encrypted room's server state knows nothing of the key either.
    details = await (await site.client.get(f"/api/v1/rooms/{room_id}", headers=host.headers)).json()
    assert details["e2ee"] is True and passphrase not in str(details)
    sent = [line for log in logs for line in log]
    assert any("/api/v1/rooms/" in line for line in sent)  # the log did record the app's requests
    leaks = [line for line in sent if passphrase in line or passphrase in unquote(line)]
    assert not leaks, leaks
