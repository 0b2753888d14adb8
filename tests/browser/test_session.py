"""Signing in stays signed in: expired access tokens are refreshed (and rotated); signing out ends the session."""

from __future__ import annotations

import pytest

from tests.browser.steps import sign_in
from tests.helpers import register

pytestmark = pytest.mark.browser

SESSION = "JSON.parse(localStorage.getItem('conference.session'))"


async def test_an_expired_access_token_is_refreshed_and_the_refresh_token_rotated(site, new_person):
    page = await new_person()
    account = await register(site.client)
    await sign_in(page, site, account.user["login"])
    before = await page.evaluate(SESSION)
    # As if the tab slept past the access token's lifetime: the token is now refused.
    await page.evaluate(
        f"localStorage.setItem('conference.session', JSON.stringify("
        f"{{...{SESSION}, access_token: 'stale', expires_at: Date.now() + 600000}}))"
    )
    await page.reload()
    await page.wait_for_selector("[data-testid=my-rooms-empty], [data-testid=my-room]")
    after = await page.evaluate(SESSION)
    assert after["refresh_token"] != before["refresh_token"]
    # (A new access token may equal the old one when both were minted within the same second.)
    assert after["access_token"] != "stale"
    # The spent refresh token is no longer accepted by the server.
    response = await site.client.post("/api/v1/auth/refresh", json={"refresh_token": before["refresh_token"]})
    assert response.status == 401


async def test_signing_out_forgets_the_session_and_revokes_it(site, new_person):
    page = await new_person()
    account = await register(site.client)
    await sign_in(page, site, account.user["login"])
    refresh_token = (await page.evaluate(SESSION))["refresh_token"]
    await page.click("[data-testid=sign-out]")
    await page.wait_for_selector("[data-testid=auth-login]")
    assert await page.evaluate("localStorage.getItem('conference.session')") is None
    response = await site.client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
    assert response.status == 401
    # Pages that need an account send people to sign in.
    await page.goto(site.url("/"))
    await page.wait_for_selector("[data-testid=auth-login]")


async def test_a_wrong_password_says_so_next_to_the_form(site, new_person):
    page = await new_person()
    account = await register(site.client)
    await page.goto(site.url("/login"))
    await page.fill("[data-testid=auth-login]", account.user["login"])
    await page.fill("[data-testid=auth-password]", "not-the-password")
    await page.click("[data-testid=auth-submit]")
    await page.wait_for_selector("[data-testid=auth-error]:not([hidden])")
    assert await page.text_content("[data-testid=auth-error]") == "Wrong login or password."


async def test_the_profile_dialog_renames_the_account(site, new_person):
    page = await new_person()
    account = await register(site.client, display_name="Old Name")
    await sign_in(page, site, account.user["login"])
    await page.click("[data-testid=current-user]")
    await page.fill("[data-testid=profile-display_name]", "New Name")
    await page.click("[data-testid=profile-save]")
    await page.wait_for_selector("[data-testid=current-user] >> text=New Name")
    response = await site.client.get("/api/v1/users/me", headers=account.headers)
    assert (await response.json())["display_name"] == "New Name"


async def test_the_socket_opens_with_a_ticket_and_comes_back_by_itself_after_a_4401(site, new_person):
    from conference.realtime.socket import CONNECTIONS

    page = await new_person()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url) if "/api/v1/ws" in ws.url else None)
    account = await register(site.client)
    await sign_in(page, site, account.user["login"])
    connections = site.client.server.app[CONNECTIONS]

    async def mine():
        return [c for c in connections if c.user_id == account.id and not c.closing]

    for _ in range(100):
        if await mine():
            break
        await page.wait_for_timeout(50)
    before = await page.evaluate(SESSION)
    # As when the access token behind the socket expires: the server closes it with 4401.
    for connection in await mine():
        connection.end(4401, "access token expired; refresh it and reconnect")
    for _ in range(100):
        if len(sockets) >= 2 and await mine():
            break
        await page.wait_for_timeout(50)
    assert len(sockets) == 2 and await mine(), sockets
    assert all("ticket=wst_" in url and "access_token" not in url for url in sockets), sockets
    after = await page.evaluate(SESSION)
    assert after["refresh_token"] != before["refresh_token"]  # it refreshed before coming back
    assert await page.is_visible("[data-testid=create-room]")  # still signed in, nothing asked of the person


async def test_the_socket_renews_its_ticket_before_the_access_token_expires_without_reconnecting(make_api, new_person):
    from conference.realtime.socket import CONNECTIONS
    from tests.browser.conftest import Site

    # Renewal is due 20 s before expiry: with 21 s tokens, about a second after the socket opens.
    async with make_api("sqlite", access_token_ttl_s=21) as client:
        site = Site(client)
        page = await new_person()
        sockets = []
        page.on("websocket", lambda ws: sockets.append(ws.url) if "/api/v1/ws" in ws.url else None)
        account = await register(client)
        await sign_in(page, site, account.user["login"])
        connections = client.server.app[CONNECTIONS]
        first_expiry = None
        for _ in range(200):
            mine = [c for c in connections if c.user_id == account.id]
            if mine and first_expiry is None:
                first_expiry = mine[0].expires_at
            if mine and first_expiry is not None and mine[0].expires_at > first_expiry:
                break
            await page.wait_for_timeout(50)
        assert mine and mine[0].expires_at > first_expiry, "the socket was never renewed"
        assert len(sockets) == 1  # the same socket lives on
