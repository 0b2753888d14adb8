"""The retention sweep keeps a guest's sign-in (it has no refresh token) while its session token may be
valid, and deletes it afterwards."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from conference import retention
from conference.accounts.models import LoginSession
from conference.db import utcnow
from conference.deps import DEPS
from tests.guests.steps import forget_browser, join_as_guest
from tests.helpers import create_room, register


async def test_a_guest_session_outlives_the_sweep_until_its_token_cannot_be_valid(api):
    deps = api.server.app[DEPS]
    host = await register(api)
    room = await create_room(api, host, guest_access="open")
    fresh = await join_as_guest(api, room["id"], "Fresh")
    forget_browser(api)  # another browser: another guest
    old = await join_as_guest(api, room["id"], "Old")
    async with deps.db() as db:
        long_ago = utcnow() - timedelta(seconds=deps.settings.guest_session_ttl_s + 60)
        await db.execute(update(LoginSession).where(LoginSession.user_id == old.id).values(created_at=long_ago))
        await db.commit()

    pruned = await retention.sweep(deps.db, deps.settings)

    assert pruned.counts["login_sessions"] == 1
    assert (await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=fresh.headers)).status == 200
    gone = await api.get(f"/api/v1/rooms/{room['id']}/chat/messages", headers=old.headers)
    assert gone.status == 401
