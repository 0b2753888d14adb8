"""Accounts over HTTP: register, sign in, refresh rotation with reuse detection, profile, search."""

import asyncio

import pytest

from tests.helpers import error_of, register, unique_login


async def test_register_then_sign_in_by_login_and_by_email(api):
    login = unique_login("Ann")
    account = await register(api, login=login, email=f"{login}@Example.com", display_name="Ann")
    assert account.user["login"] == login.lower()
    assert account.user["email"] == f"{login}@example.com".lower()
    assert account.user["display_name"] == "Ann"

    for who in (login.upper(), f"{login}@example.com"):
        response = await api.post("/api/v1/auth/login", json={"login": who, "password": "password123"})
        assert response.status == 200
        body = await response.json()
        assert body["user"]["id"] == account.id
        assert body["expires_in"] == 900
        me = await api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert (await me.json())["id"] == account.id


async def test_wrong_password_and_unknown_login_look_the_same(api):
    account = await register(api)
    wrong = await api.post("/api/v1/auth/login", json={"login": account.user["login"], "password": "nope-nope"})
    unknown = await api.post("/api/v1/auth/login", json={"login": "nobody-here", "password": "password123"})
    assert await error_of(wrong) == (401, "invalid_credentials")
    assert await error_of(unknown) == (401, "invalid_credentials")
    assert (await wrong.json())["error"]["message"] == (await unknown.json())["error"]["message"]


async def test_duplicate_login_or_email_is_a_conflict(api):
    login = unique_login()
    await register(api, login=login, email=f"{login}@example.com")
    again = await api.post("/api/v1/auth/register", json={"login": login.upper(), "password": "password123"})
    assert await error_of(again) == (409, "conflict")
    assert (await again.json())["error"]["fields"] == {"login": "already taken"}
    same_email = await api.post(
        "/api/v1/auth/register",
        json={"login": unique_login(), "password": "password123", "email": f"{login}@EXAMPLE.com"},
    )
    assert await error_of(same_email) == (409, "conflict")


async def test_refresh_rotates_and_a_reused_token_revokes_the_sign_in(api):
    account = await register(api)
    first = await api.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert first.status == 200
    pair = await first.json()
    assert pair["refresh_token"] != account.refresh_token

    reused = await api.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert await error_of(reused) == (401, "unauthorized")
    # The thief's reuse ended the whole sign-in: the newest refresh token and access token are dead too.
    newest = await api.post("/api/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert await error_of(newest) == (401, "unauthorized")
    me = await api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert await error_of(me) == (401, "unauthorized")


async def test_logout_ends_the_sign_in(api):
    account = await register(api)
    response = await api.post("/api/v1/auth/logout", json={"refresh_token": account.refresh_token})
    assert response.status == 204
    me = await api.get("/api/v1/users/me", headers=account.headers)
    assert await error_of(me) == (401, "unauthorized")
    refresh = await api.post("/api/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    assert await error_of(refresh) == (401, "unauthorized")


async def test_a_remembered_access_token_is_refused_once_its_sign_in_ends(api):
    """The access-token check is remembered per token (tokens.AccessTokenReader) and the open sign-in
    for a few seconds (signins.SignInCache): a logout still ends both at once, also while requests
    with that token are in flight."""
    account = await register(api)
    for _ in range(3):
        assert (await api.get("/api/v1/users/me", headers=account.headers)).status == 200
    in_flight = [asyncio.ensure_future(api.get("/api/v1/users/me", headers=account.headers)) for _ in range(10)]
    response = await api.post("/api/v1/auth/logout", json={"refresh_token": account.refresh_token})
    assert response.status == 204
    await asyncio.gather(*in_flight)
    for _ in range(3):
        me = await api.get("/api/v1/users/me", headers=account.headers)
        assert await error_of(me) == (401, "unauthorized")


async def test_patch_me_changes_name_email_and_password(api):
    account = await register(api)
    response = await api.patch(
        "/api/v1/users/me", headers=account.headers, json={"display_name": "New Name", "email": "new@example.com"}
    )
    assert response.status == 200
    assert (await response.json())["display_name"] == "New Name"

    wrong = await api.patch(
        "/api/v1/users/me", headers=account.headers, json={"password": "another-pass", "current_password": "wrong-pass"}
    )
    assert await error_of(wrong) == (401, "invalid_credentials")
    missing = await api.patch("/api/v1/users/me", headers=account.headers, json={"password": "another-pass"})
    assert await error_of(missing) == (400, "validation_failed")
    ok = await api.patch(
        "/api/v1/users/me",
        headers=account.headers,
        json={"password": "another-pass", "current_password": "password123"},
    )
    assert ok.status == 200
    login = await api.post("/api/v1/auth/login", json={"login": "new@example.com", "password": "another-pass"})
    assert login.status == 200


async def test_delete_me_removes_the_account(api):
    account = await register(api)
    response = await api.delete("/api/v1/users/me", headers=account.headers, json={"password": account.password})
    assert response.status == 204
    login = await api.post("/api/v1/auth/login", json={"login": account.user["login"], "password": "password123"})
    assert await error_of(login) == (401, "invalid_credentials")


async def test_user_search_by_prefix_and_by_id(api):
    me = await register(api)
    prefix = unique_login("zed")
    first = await register(api, login=prefix + "a")
    await register(api, login=prefix + "b")
    response = await api.get("/api/v1/users", params={"q": prefix}, headers=me.headers)
    items = (await response.json())["items"]
    assert [item["login"] for item in items] == [prefix + "a", prefix + "b"]
    assert all(set(item) == {"id", "login", "display_name", "online"} for item in items)
    by_id = await api.get("/api/v1/users", params={"q": first.id}, headers=me.headers)
    assert [item["id"] for item in (await by_id.json())["items"]] == [first.id]
    one = await api.get(f"/api/v1/users/{first.id}", headers=me.headers)
    assert (await one.json())["login"] == prefix + "a"
    missing = await api.get("/api/v1/users/does-not-exist", headers=me.headers)
    assert await error_of(missing) == (404, "not_found")


async def test_like_wildcards_in_the_search_are_literal(api):
    me = await register(api)
    response = await api.get("/api/v1/users", params={"q": "%"}, headers=me.headers)
    assert (await response.json())["items"] == []


REGISTER_BAD = [
    (b"{not json", 400, "invalid_json"),
    (b"[1, 2]", 400, "invalid_json"),
    (b'{"login": "ab", "password": "password123"}', 400, "validation_failed"),
    (b'{"login": "has space", "password": "password123"}', 400, "validation_failed"),
    (b'{"login": "okname1", "password": "short"}', 400, "validation_failed"),
    (b'{"login": "okname2", "password": "' + b"x" * 73 + b'"}', 400, "validation_failed"),
    (b'{"login": "okname3", "password": 12345678}', 400, "validation_failed"),
    (b'{"login": "okname4", "password": "password123", "email": "not-an-email"}', 400, "validation_failed"),
    (b'{"login": "okname5", "password": "password123", "display_name": ""}', 400, "validation_failed"),
    (b'{"login": "okname6", "password": "password123", "admin": true}', 400, "validation_failed"),
    (b'{"password": "password123"}', 400, "validation_failed"),
    (
        b'{"login": "okname7", "password": "password123", "display_name": "' + b"d" * 100_000 + b'"}',
        413,
        "payload_too_large",
    ),
]


@pytest.mark.parametrize("body,status,code", REGISTER_BAD)
async def test_bad_registrations_are_refused_and_store_nothing(api, body, status, code):
    response = await api.post("/api/v1/auth/register", data=body, headers={"Content-Type": "application/json"})
    assert await error_of(response) == (status, code)
    for login in ("okname1", "okname2", "okname3", "okname4", "okname5", "okname6", "okname7"):
        probe = await api.post("/api/v1/auth/login", json={"login": login, "password": "password123"})
        assert probe.status == 401


@pytest.mark.parametrize(
    "headers,code",
    [
        ({}, "unauthorized"),
        ({"Authorization": "Bearer not-a-jwt"}, "unauthorized"),
        ({"Authorization": "Basic abc"}, "unauthorized"),
    ],
)
async def test_me_needs_a_valid_token(api, headers, code):
    assert await error_of(await api.get("/api/v1/users/me", headers=headers)) == (401, code)


async def test_expired_and_tampered_tokens_are_refused(api):
    from conference.accounts.tokens import issue_access_token

    account = await register(api)
    import jwt

    claims = jwt.decode(account.access_token, options={"verify_signature": False})
    expired = issue_access_token(api.settings.jwt_secret, account.id, claims["sid"], ttl_s=-10)
    response = await api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {expired}"})
    assert await error_of(response) == (401, "token_expired")
    forged = issue_access_token("another-secret-" + "y" * 32, account.id, claims["sid"], ttl_s=600)
    response = await api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {forged}"})
    assert await error_of(response) == (401, "unauthorized")
    head, payload, signature = account.access_token.split(".")
    tampered = f"{head}.{payload}.{signature[::-1]}"
    response = await api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {tampered}"})
    assert await error_of(response) == (401, "unauthorized")


async def test_login_is_rate_limited(make_api):
    async with make_api("sqlite", login_rate_per_minute=3) as client:
        statuses = []
        for _ in range(5):
            response = await client.post("/api/v1/auth/login", json={"login": "x-user", "password": "password123"})
            statuses.append(response.status)
        assert statuses[:3] == [401, 401, 401]
        assert statuses[3] == 429
        assert int(response.headers["Retry-After"]) >= 1
        assert (await response.json())["error"]["code"] == "rate_limited"
