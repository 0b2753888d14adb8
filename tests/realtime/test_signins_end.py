"""A socket lives no longer than its sign-in: logout, refresh-token reuse, a password change, account
deletion and access-token expiry close it with 4401 within 5 s, also when the socket is on another
replica than the request that ended the sign-in. The replica that ended it refuses the token at once;
another replica forgets its cached sign-in when the notice arrives through Redis (well within 5 s)."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid

import pytest
from sqlalchemy import update

from conference.accounts.models import LoginSession
from conference.deps import DEPS
from tests.helpers import Account, error_of, register
from tests.realtime.sockets import Socket, connect

WITHIN_S = 5.0


@pytest.fixture(params=["one replica", "two replicas"])
def replicas(request, make_api):
    """(front, back): the request that ends a sign-in goes to `front`, the sockets live on `back`."""

    @contextlib.asynccontextmanager
    async def start(**settings):
        if request.param == "one replica":
            async with make_api("sqlite", **settings) as app:
                yield app, app
            return
        database = request.getfixturevalue("postgres").create_database("t_" + uuid.uuid4().hex[:12])
        redis_url = request.getfixturevalue("redis_server").url
        async with (
            make_api(database=database, redis_url=redis_url, **settings) as front,
            make_api(database=database, redis_url=redis_url, **settings) as back,
        ):
            yield front, back

    return start


async def second_sign_in(client, account: Account) -> Account:
    response = await client.post("/api/v1/auth/login", json={"login": account.user["login"], "password": "password123"})
    body = await response.json()
    return Account(body["user"], body["access_token"], body["refresh_token"], account.password)


async def live(client, account: Account) -> Socket:
    ws = await connect(client, account)
    await ws.expect("ready")
    return ws


async def closed_in_time(ws: Socket, started: float, reason: str) -> None:
    code, message = await ws.closed(timeout=WITHIN_S + 1)
    assert code == 4401, (code, message)
    assert time.monotonic() - started < WITHIN_S
    assert reason in message


async def refused_within(client, headers: dict[str, str], started: float) -> None:
    """Another replica refuses the ended sign-in once the notice reached it, within the bound."""
    while True:
        response = await client.get("/api/v1/users/me", headers=headers)
        if response.status != 200:
            assert await error_of(response) == (401, "unauthorized")
            return
        assert time.monotonic() - started < WITHIN_S, "the other replica still accepts the ended sign-in"
        await asyncio.sleep(0.05)


async def still_open(ws: Socket) -> None:
    await ws.send(type="ping")
    await ws.expect("pong")


async def test_logout_closes_that_sign_ins_sockets_only(replicas):
    async with replicas() as (front, back):
        alice = await register(front)
        phone = await second_sign_in(front, alice)
        laptop_ws, phone_ws = await live(back, alice), await live(back, phone)
        assert (await back.get("/api/v1/users/me", headers=alice.headers)).status == 200  # cached on back
        started = time.monotonic()
        response = await front.post("/api/v1/auth/logout", json={"refresh_token": alice.refresh_token})
        assert response.status == 204
        assert await error_of(await front.get("/api/v1/users/me", headers=alice.headers)) == (401, "unauthorized")
        await refused_within(back, alice.headers, started)
        await closed_in_time(laptop_ws, started, "signed out")
        await still_open(phone_ws)


async def test_refresh_token_reuse_closes_the_revoked_sign_ins_sockets(replicas):
    async with replicas() as (front, back):
        alice = await register(front)
        ws = await live(back, alice)
        rotated = await front.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
        assert rotated.status == 200
        fresh = await rotated.json()
        assert (
            await back.get("/api/v1/users/me", headers={"Authorization": f"Bearer {fresh['access_token']}"})
        ).status == 200
        started = time.monotonic()
        reused = await front.post("/api/v1/auth/refresh", json={"refresh_token": alice.refresh_token})
        assert await error_of(reused) == (401, "unauthorized")
        await refused_within(back, {"Authorization": f"Bearer {fresh['access_token']}"}, started)
        await closed_in_time(ws, started, "revoked")


async def test_a_password_change_closes_every_other_sign_ins_sockets(replicas):
    async with replicas() as (front, back):
        alice, bob = await register(front), await register(front)
        phone = await second_sign_in(front, alice)
        phone_ws, laptop_ws, bob_ws = await live(back, phone), await live(back, alice), await live(back, bob)
        started = time.monotonic()
        changed = await front.patch(
            "/api/v1/users/me",
            headers=alice.headers,
            json={"password": "another-pass", "current_password": "password123"},
        )
        assert changed.status == 200
        await closed_in_time(phone_ws, started, "password")
        await still_open(laptop_ws)  # the sign-in that changed it stays
        await still_open(bob_ws)


async def test_deleting_the_account_closes_all_its_sockets(replicas):
    async with replicas() as (front, back):
        alice, bob = await register(front), await register(front)
        phone = await second_sign_in(front, alice)
        sockets, bob_ws = (
            [await live(back, alice), await live(back, phone), await live(front, alice)],
            await live(back, bob),
        )
        started = time.monotonic()
        deleted = await front.delete("/api/v1/users/me", headers=alice.headers, json={"password": "password123"})
        assert deleted.status == 204
        for ws in sockets:
            await closed_in_time(ws, started, "deleted")
        await still_open(bob_ws)


async def test_a_socket_closes_when_its_access_token_expires(replicas):
    async with replicas(access_token_ttl_s=2) as (front, back):
        alice = await register(front)
        started = time.monotonic()  # the token was minted a moment ago and lives 1-2 s (whole seconds)
        ws = await live(back, alice)
        code, message = await ws.closed(timeout=WITHIN_S)
        assert code == 4401 and "expired" in message
        assert time.monotonic() - started < 2 + 1.5


async def test_a_sign_in_ended_behind_the_hubs_back_still_closes_its_sockets(make_api):
    # As if the notice was lost (Redis away for a moment): the replica's re-check of its sockets'
    # sign-ins in the database closes them within ws_signin_check_s.
    async with make_api("sqlite", ws_signin_check_s=1.0) as api:
        alice, bob = await register(api), await register(api)
        alice_ws, bob_ws = await live(api, alice), await live(api, bob)
        async with api.server.app[DEPS].db() as db:
            await db.execute(
                update(LoginSession).where(LoginSession.user_id == alice.id).values(revoked_at=LoginSession.created_at)
            )
            await db.commit()
        started = time.monotonic()
        await closed_in_time(alice_ws, started, "ended")
        assert time.monotonic() - started < 2.5
        await still_open(bob_ws)


async def test_a_closed_socket_gets_nothing_more_and_a_new_sign_in_carries_on(replicas):
    async with replicas() as (front, back):
        alice, bob = await register(front), await register(front)
        ws = await live(back, alice)
        await front.post("/api/v1/auth/logout", json={"refresh_token": alice.refresh_token})
        await ws.closed()
        sent = await front.post(
            f"/api/v1/dm/{alice.id}/messages", json={"content": "after logout"}, headers=bob.headers
        )
        assert sent.status == 201
        again = await second_sign_in(front, alice)
        fresh = await connect(back, again)  # no `after`: pending direct messages come first
        assert (await fresh.expect("dm.message"))["data"]["content"] == "after logout"
