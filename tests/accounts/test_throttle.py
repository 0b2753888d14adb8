"""Sign-in throttling (OWASP): backoff per account and client, a higher bar per account from unknown
clients, per-address limits on sign-in and sign-up; in process and through Redis. Clients are told
apart by X-Forwarded-For from a trusted proxy (the test client at 127.0.0.1)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest

from tests.helpers import error_of, register


def an_address() -> str:
    """A fresh client address, so runs sharing one Redis never share counters."""
    raw = uuid.uuid4().bytes
    return f"10.{raw[0]}.{raw[1]}.{raw[2] or 1}"


@pytest.fixture(params=["memory", "redis"])
def throttled_api(make_api, request):
    """An app whose limits are small enough to reach, counting in process or in Redis."""

    @contextlib.asynccontextmanager
    async def start(**limits):
        redis = {"redis_url": request.getfixturevalue("redis_server").url} if request.param == "redis" else {}
        async with make_api("sqlite", trusted_proxies=("127.0.0.1",), **redis, **limits) as client:
            yield client

    return start


async def sign_in(client, login: str, password: str, address: str):
    return await client.post(
        "/api/v1/auth/login", json={"login": login, "password": password}, headers={"X-Forwarded-For": address}
    )


async def test_failures_back_off_per_account_and_client_and_a_success_resets(throttled_api):
    async with throttled_api(login_free_failures_per_client=3) as client:
        victim, attacker = await register(client), an_address()
        login = victim.user["login"]
        statuses = [(await sign_in(client, login, "wrong-password", attacker)).status for _ in range(4)]
        assert statuses == [401, 401, 401, 401]  # the fourth failure starts a one-second wait
        refused = await sign_in(client, login, "wrong-password", attacker)
        assert await error_of(refused) == (429, "rate_limited")
        assert int(refused.headers["Retry-After"]) == 1
        # the right password from the same client waits too: the wait is the client's, not the password's
        assert (await sign_in(client, login, victim.password, attacker)).status == 429
        # ... while another client signs in at once
        assert (await sign_in(client, login, victim.password, an_address())).status == 200
        await asyncio.sleep(1.1)
        assert (await sign_in(client, login, "wrong-password", attacker)).status == 401  # 5th: waits 2 s now
        wait = await sign_in(client, login, "wrong-password", attacker)
        assert wait.status == 429 and int(wait.headers["Retry-After"]) == 2
        await asyncio.sleep(2.1)
        assert (await sign_in(client, login, victim.password, attacker)).status == 200
        # the success forgot the streak: three free failures again
        statuses = [(await sign_in(client, login, "wrong-password", attacker)).status for _ in range(4)]
        assert statuses == [401, 401, 401, 401]


async def test_the_backoff_is_capped(throttled_api):
    async with throttled_api(login_free_failures_per_client=0, login_backoff_max_s=1) as client:
        account, address = await register(client), an_address()
        for _ in range(4):
            await asyncio.sleep(1.05)
            response = await sign_in(client, account.user["login"], "wrong-password", address)
            assert response.status == 401
            refused = await sign_in(client, account.user["login"], "wrong-password", address)
            assert int(refused.headers["Retry-After"]) == 1


async def test_many_clients_slow_the_account_down_for_strangers_only(throttled_api):
    async with throttled_api(login_free_failures_per_account=3) as client:
        home = an_address()
        victim = await client.post(
            "/api/v1/auth/register",
            json={"login": f"victim-{uuid.uuid4().hex[:6]}", "password": "password123"},
            headers={"X-Forwarded-For": home},
        )
        login = (await victim.json())["user"]["login"]
        statuses = [(await sign_in(client, login, "wrong-password", an_address())).status for _ in range(5)]
        assert statuses == [401, 401, 401, 401, 429]  # a botnet's fifth address waits
        assert (await sign_in(client, login, "password123", an_address())).status == 429
        # the address the account registered from is not a stranger: no lockout for the owner
        assert (await sign_in(client, login, "password123", home)).status == 200


async def test_unknown_logins_are_throttled_like_known_ones(throttled_api):
    async with throttled_api(login_free_failures_per_client=2) as client:
        known, address = await register(client), an_address()
        unknown = f"nobody-{uuid.uuid4().hex[:6]}"
        for login in (known.user["login"], unknown):
            statuses = [(await sign_in(client, login, "wrong-password", address)).status for _ in range(4)]
            assert statuses == [401, 401, 401, 429], login


async def test_login_and_email_share_one_streak(throttled_api):
    async with throttled_api(login_free_failures_per_client=2) as client:
        account, address = await register(client, email=f"{uuid.uuid4().hex[:8]}@example.org"), an_address()
        names = [account.user["login"], account.user["email"], account.user["login"].upper()]
        statuses = [(await sign_in(client, name, "wrong-password", address)).status for name in names]
        assert statuses == [401, 401, 401]
        assert (await sign_in(client, account.user["email"], "wrong-password", address)).status == 429


async def test_sign_in_attempts_are_limited_per_client_address(throttled_api):
    async with throttled_api(login_rate_per_minute=5, login_free_failures_per_client=100) as client:
        address = an_address()
        logins = [f"someone-{n}-{uuid.uuid4().hex[:4]}" for n in range(7)]
        statuses = [(await sign_in(client, login, "wrong-password", address)).status for login in logins]
        assert statuses == [401] * 5 + [429] * 2
        assert (await sign_in(client, logins[0], "wrong-password", an_address())).status == 401


async def test_registration_is_limited_per_client_address(throttled_api):
    async with throttled_api(registrations_per_hour=2) as client:
        address = an_address()

        async def sign_up(from_address: str) -> int:
            body = {"login": f"new-{uuid.uuid4().hex[:8]}", "password": "password123"}
            response = await client.post("/api/v1/auth/register", json=body, headers={"X-Forwarded-For": from_address})
            if response.status == 429:
                assert int(response.headers["Retry-After"]) >= 1
            return response.status

        assert [await sign_up(address) for _ in range(3)] == [201, 201, 429]
        assert await sign_up(an_address()) == 201
