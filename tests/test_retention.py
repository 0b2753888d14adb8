"""The retention sweep deletes old events, old webhook ids and sign-ins nobody can use, and nothing else."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from sqlalchemy import func, select, update

from conference import retention
from conference.accounts.models import LoginSession, RefreshToken
from conference.accounts.tokens import hash_secret
from conference.calls.models import ProcessedWebhook
from conference.db import utcnow
from conference.deps import DEPS
from conference.realtime.models import Event
from conference.settings import Settings
from tests.helpers import Account, register

DAY = timedelta(days=1)


async def count(db, model, *where) -> int:
    async with db() as session:
        return await session.scalar(select(func.count()).select_from(model).where(*where))


async def test_old_events_and_webhook_ids_go_recent_ones_stay(api, monkeypatch):
    deps = api.server.app[DEPS]
    now = utcnow()
    monkeypatch.setattr(retention, "BATCH", 3)  # several batches for the old events
    async with deps.db() as session:
        session.add_all([Event(type="presence", data={"n": n}, created_at=now - 8 * DAY) for n in range(7)])
        session.add(Event(type="presence", data={"n": "recent"}, created_at=now - 6 * DAY))
        session.add_all(
            [
                ProcessedWebhook(event_id="EV_old", event="room_started", received_at=now - 25 * timedelta(hours=1)),
                ProcessedWebhook(event_id="EV_new", event="room_started", received_at=now - 23 * timedelta(hours=1)),
            ]
        )
        await session.commit()

    pruned = await retention.sweep(deps.db, deps.settings)

    assert pruned.counts["events"] == 7 and pruned.counts["processed_webhooks"] == 1 and not pruned.skipped
    async with deps.db() as session:
        assert [event.data for event in await session.scalars(select(Event))] == [{"n": "recent"}]
        assert list(await session.scalars(select(ProcessedWebhook.event_id))) == ["EV_new"]
    assert (await retention.sweep(deps.db, deps.settings)).counts["events"] == 0


async def test_the_window_comes_from_the_environment():
    assert Settings.from_env({}).event_retention_days == 7
    assert Settings.from_env({"EVENT_RETENTION_DAYS": "30"}).event_retention_days == 30


async def age_sign_in(deps, account: Account, *, revoked_ago=None, tokens_expired_ago=None) -> None:
    async with deps.db() as session:
        if revoked_ago is not None:
            await session.execute(
                update(LoginSession).where(LoginSession.user_id == account.id).values(revoked_at=utcnow() - revoked_ago)
            )
        if tokens_expired_ago is not None:
            sessions = select(LoginSession.id).where(LoginSession.user_id == account.id)
            await session.execute(
                update(RefreshToken)
                .where(RefreshToken.session_id.in_(sessions))
                .values(expires_at=utcnow() - tokens_expired_ago)
            )
        await session.commit()


async def sign_ins_of(deps, account: Account) -> tuple[int, int]:
    sessions = select(LoginSession.id).where(LoginSession.user_id == account.id)
    return (
        await count(deps.db, LoginSession, LoginSession.user_id == account.id),
        await count(deps.db, RefreshToken, RefreshToken.session_id.in_(sessions)),
    )


async def test_sign_ins_nobody_can_use_go_live_ones_stay(api):
    deps = api.server.app[DEPS]
    active, rotated = await register(api), await register(api)
    long_logged_out, lately_logged_out = await register(api), await register(api)
    abandoned, just_expired = await register(api), await register(api)
    refreshed = await api.post("/api/v1/auth/refresh", json={"refresh_token": rotated.refresh_token})
    assert refreshed.status == 200
    for account in (long_logged_out, lately_logged_out):
        assert (await api.post("/api/v1/auth/logout", json={"refresh_token": account.refresh_token})).status == 204
    await age_sign_in(deps, long_logged_out, revoked_ago=31 * DAY)
    await age_sign_in(deps, lately_logged_out, revoked_ago=DAY)
    await age_sign_in(deps, abandoned, tokens_expired_ago=2 * DAY)
    # Expired, but an access token minted just before may still be valid: kept for now.
    await age_sign_in(deps, just_expired, tokens_expired_ago=timedelta(minutes=5))

    pruned = await retention.sweep(deps.db, deps.settings)

    assert pruned.counts["login_sessions"] == 2
    assert await sign_ins_of(deps, long_logged_out) == (0, 0)  # its tokens went with it
    assert await sign_ins_of(deps, abandoned) == (0, 0)
    assert await sign_ins_of(deps, lately_logged_out) == (1, 1)
    assert await sign_ins_of(deps, just_expired) == (1, 1)
    assert await sign_ins_of(deps, rotated) == (1, 2)  # the spent token stays: reuse detection needs it
    assert await sign_ins_of(deps, active) == (1, 1)

    assert (await api.get("/api/v1/users/me", headers=active.headers)).status == 200
    again = await api.post("/api/v1/auth/refresh", json={"refresh_token": active.refresh_token})
    assert again.status == 200
    reused = await api.post("/api/v1/auth/refresh", json={"refresh_token": rotated.refresh_token})
    assert reused.status == 401
    assert await count(deps.db, LoginSession, LoginSession.user_id == rotated.id, LoginSession.revoked_at.is_not(None))


async def test_expired_tokens_go_while_their_sign_in_lives_on(api):
    deps = api.server.app[DEPS]
    account = await register(api)
    async with deps.db() as session:
        signin = await session.scalar(select(LoginSession.id).where(LoginSession.user_id == account.id))
        await session.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == hash_secret(account.refresh_token))
            .values(expires_at=utcnow() - 2 * DAY)
        )
        # A second, valid token on the same sign-in keeps the sign-in; only the expired token goes.
        session.add(RefreshToken(token_hash="f" * 64, session_id=signin, expires_at=utcnow() + DAY))
        await session.commit()

    pruned = await retention.sweep(deps.db, deps.settings)

    assert pruned.counts == {**pruned.counts, "login_sessions": 0, "refresh_tokens": 1}
    async with deps.db() as session:
        assert list(
            await session.scalars(select(RefreshToken.token_hash).where(RefreshToken.session_id == signin))
        ) == ["f" * 64]


async def test_one_replica_sweeps_at_a_time_on_postgres(make_api, postgres):
    async with make_api("postgres") as api:
        deps = api.server.app[DEPS]
        async with deps.db() as session:
            session.add_all([Event(type="presence", data={}, created_at=utcnow() - 30 * DAY) for _ in range(2)])
            await session.commit()
        other_replica = await asyncpg.connect(deps.settings.database_url.replace("postgresql+asyncpg", "postgresql"))
        try:
            assert await other_replica.fetchval("SELECT pg_try_advisory_lock($1)", retention.POSTGRES_SWEEP_LOCK)
            pruned = await retention.sweep(deps.db, deps.settings)
            assert pruned.skipped and await count(deps.db, Event) == 2
            await other_replica.execute("SELECT pg_advisory_unlock($1)", retention.POSTGRES_SWEEP_LOCK)
        finally:
            await other_replica.close()
        pruned = await retention.sweep(deps.db, deps.settings)
        assert not pruned.skipped and pruned.counts["events"] == 1 and await count(deps.db, Event) == 1  # the newest


async def test_the_newest_event_stays_however_old(api):
    """SQLite numbers an emptied table's next row 1: every replica's stream and every client's cursor
    would take it for an event seen long ago."""
    deps = api.server.app[DEPS]
    async with deps.db() as session:
        session.add_all([Event(type="presence", data={"n": n}, created_at=utcnow() - 9 * DAY) for n in range(3)])
        await session.commit()
        newest = await session.scalar(select(func.max(Event.id)))
    assert (await retention.sweep(deps.db, deps.settings)).counts["events"] == 2
    async with deps.db() as session:
        assert list(await session.scalars(select(Event.id))) == [newest]
        session.add(Event(type="presence", data={"n": "next"}))
        await session.commit()
        assert await session.scalar(select(func.max(Event.id))) == newest + 1
