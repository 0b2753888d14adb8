"""A tab away longer than the event log keeps events hears `resync` when it comes back, and its pages
reload what they show instead of missing what happened meanwhile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from conference import retention
from conference.db import utcnow
from conference.deps import DEPS
from conference.realtime.models import Event
from conference.realtime.socket import CONNECTIONS
from tests.browser.steps import join_from_prejoin, sign_in
from tests.helpers import register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]
TICKETS = "**/api/v1/ws/ticket"


async def test_a_host_back_after_the_retention_window_sees_who_knocked_meanwhile(site, new_person):
    app = site.client.server.app
    host, guest = await register(site.client), await register(site.client, display_name="Kim Knocker")
    response = await site.client.post(
        "/api/v1/rooms", json={"name": "Office hours", "waiting_room": True}, headers=host.headers
    )
    room = await response.json()
    page = await new_person()
    await sign_in(page, site, host.user["login"])
    await page.goto(site.url(f"/r/{room['id']}"))
    await join_from_prejoin(page)
    await page.click("[data-testid=toggle-people]")

    # The host's socket drops and cannot come back for a while (no tickets)...
    await page.route(TICKETS, lambda route: route.abort())
    for connection in list(app[CONNECTIONS]):
        if connection.user_id == host.id:
            connection.end(1013, "try again later")
    await page.wait_for_timeout(500)
    # ...meanwhile Kim knocks, and (as if a week went by) the sweep deletes that lobby.request.
    knock = await site.client.post(f"/api/v1/rooms/{room['id']}/join", headers=guest.headers)
    assert knock.status == 202
    deps = app[DEPS]
    async with deps.db() as db:
        await db.execute(update(Event).values(created_at=utcnow() - timedelta(days=8)))
        db.add(Event(type="presence", data={}))  # the newest event stays; let it be another one
        await db.commit()
    assert (await retention.sweep(deps.db, deps.settings)).counts["events"] > 0

    await page.unroute(TICKETS)
    # The resume gets `resync` (nothing to replay), and the people panel asks the server who waits.
    await page.wait_for_selector(f"[data-testid=lobby-person][data-user-id='{guest.id}']", timeout=20000)
