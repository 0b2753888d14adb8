"""Sign-ins that end: a password change ends every other sign-in, deleting the account asks for its
password, a sign-in lasts 30 days from its start however often it is refreshed, and a taken login is
refused before any password is hashed. (Sockets closing with them: tests/realtime/test_signins_end.py.)"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.helpers import error_of, register, unique_login


async def sign_in(client, account) -> dict:
    response = await client.post("/api/v1/auth/login", json={"login": account.user["login"], "password": "password123"})
    assert response.status == 200
    return await response.json()


def bearer(pair: dict) -> dict:
    return {"Authorization": f"Bearer {pair['access_token']}"}


async def test_a_password_change_ends_every_other_sign_in_and_keeps_this_one(api):
    account = await register(api)
    laptop, phone = await sign_in(api, account), await sign_in(api, account)
    changed = await api.patch(
        "/api/v1/users/me",
        headers=bearer(laptop),
        json={"password": "a-new-password", "current_password": "password123"},
    )
    assert changed.status == 200
    assert (await api.get("/api/v1/users/me", headers=bearer(laptop))).status == 200
    refreshed = await api.post("/api/v1/auth/refresh", json={"refresh_token": laptop["refresh_token"]})
    assert refreshed.status == 200
    for other in (phone, {"access_token": account.access_token, "refresh_token": account.refresh_token}):
        assert await error_of(await api.get("/api/v1/users/me", headers=bearer(other))) == (401, "unauthorized")
        again = await api.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
        assert await error_of(again) == (401, "unauthorized")


async def test_a_failed_password_change_ends_nothing(api):
    account = await register(api)
    other = await sign_in(api, account)
    wrong = await api.patch(
        "/api/v1/users/me",
        headers=account.headers,
        json={"password": "a-new-password", "current_password": "nope-nope"},
    )
    assert await error_of(wrong) == (401, "invalid_credentials")
    assert (await api.get("/api/v1/users/me", headers=bearer(other))).status == 200


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"password": "wrong-password"}, 401, "invalid_credentials"),
        ({"password": "x" * 73}, 400, "validation_failed"),
        ({"password": "é" * 37}, 400, "validation_failed"),  # 74 bytes in 37 characters
        ({"password": ""}, 400, "validation_failed"),
        ({}, 400, "validation_failed"),
        ({"password": 12345678}, 400, "validation_failed"),
        (None, 400, "validation_failed"),
    ],
)
async def test_deleting_the_account_needs_its_password(api, body, status, code):
    account = await register(api)
    response = await api.delete("/api/v1/users/me", headers=account.headers, json=body)
    assert await error_of(response) == (status, code)
    assert (await api.get("/api/v1/users/me", headers=account.headers)).status == 200  # still there


async def test_deleting_the_account_ends_every_sign_in(api):
    account = await register(api)
    other = await sign_in(api, account)
    deleted = await api.delete("/api/v1/users/me", headers=account.headers, json={"password": "password123"})
    assert deleted.status == 204
    for pair in (other, {"access_token": account.access_token, "refresh_token": account.refresh_token}):
        assert await error_of(await api.get("/api/v1/users/me", headers=bearer(pair))) == (401, "unauthorized")
        again = await api.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
        assert await error_of(again) == (401, "unauthorized")


async def test_refreshing_never_extends_a_sign_in_past_its_lifetime(make_api):
    async with make_api("sqlite", refresh_token_ttl_s=3) as api:
        account = await register(api)
        started = time.monotonic()
        refresh_token = account.refresh_token
        while time.monotonic() - started < 2.2:  # refreshed well within each token's lifetime
            response = await api.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
            assert response.status == 200, await response.text()
            refresh_token = (await response.json())["refresh_token"]
            await asyncio.sleep(0.5)
        await asyncio.sleep(max(0.0, 3.2 - (time.monotonic() - started)))
        # A sliding lifetime would still accept the token minted a moment ago.
        late = await api.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})
        assert await error_of(late) == (401, "unauthorized")
        assert "sign in again" in (await late.json())["error"]["message"]
        fresh = await sign_in(api, account)  # a new sign-in starts a new lifetime
        assert (await api.post("/api/v1/auth/refresh", json={"refresh_token": fresh["refresh_token"]})).status == 200


async def test_a_taken_login_or_email_is_refused_before_the_password_is_hashed(make_api):
    # At cost 14 one bcrypt hash takes about a second here; a refusal must not pay for one.
    async with make_api("sqlite", bcrypt_rounds=14) as api:
        login = unique_login()
        started = time.monotonic()
        await register(api, login=login, email=f"{login}@example.com")
        one_hash = time.monotonic() - started
        for body in (
            {"login": login, "password": "password123"},
            {"login": unique_login(), "password": "password123", "email": f"{login}@example.com"},
        ):
            started = time.monotonic()
            response = await api.post("/api/v1/auth/register", json=body)
            assert await error_of(response) == (409, "conflict")
            assert time.monotonic() - started < one_hash / 4, (time.monotonic() - started, one_hash)
