"""Pure rules of accounts: password hashing, access and refresh tokens, settings."""

import time

import jwt
import pytest

from conference.accounts.passwords import check_password, hash_password
from conference.accounts.tokens import (
    TokenExpired,
    TokenInvalid,
    hash_secret,
    issue_access_token,
    new_refresh_token,
    read_access_token,
)
from conference.settings import ConfigError, Settings

SECRET = "s" * 40


async def test_passwords_are_bcrypt_hashed_and_checked():
    hashed = await hash_password("correct horse", 4)
    assert hashed.startswith("$2b$04$") and "correct horse" not in hashed
    assert await check_password("correct horse", hashed, 4)
    assert not await check_password("wrong horse", hashed, 4)
    assert not await check_password("correct horse", None, 4)


def test_access_token_round_trip_and_expiry():
    token = issue_access_token(SECRET, "user-1", "session-1", ttl_s=60)
    claims = read_access_token(SECRET, token)
    assert (claims.user_id, claims.session_id) == ("user-1", "session-1")
    with pytest.raises(TokenExpired):
        read_access_token(SECRET, issue_access_token(SECRET, "user-1", "session-1", ttl_s=-1))
    with pytest.raises(TokenInvalid):
        read_access_token("another" * 6, token)


def test_a_token_of_another_type_or_algorithm_is_refused():
    now = int(time.time())
    refresh_like = jwt.encode({"sub": "u", "sid": "s", "typ": "refresh", "exp": now + 60}, SECRET, algorithm="HS256")
    with pytest.raises(TokenInvalid):
        read_access_token(SECRET, refresh_like)
    unsigned = jwt.encode({"sub": "u", "sid": "s", "typ": "access", "exp": now + 60}, None, algorithm="none")
    with pytest.raises(TokenInvalid):
        read_access_token(SECRET, unsigned)


def test_refresh_tokens_are_random_and_stored_as_hashes():
    first, second = new_refresh_token(), new_refresh_token()
    assert first != second and len(first) > 40
    assert hash_secret(first) != first and len(hash_secret(first)) == 64


def test_production_refuses_dev_keys_and_a_missing_jwt_secret():
    with pytest.raises(ConfigError, match="JWT_SECRET"):
        Settings.from_env({"APP_ENV": "production", "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "v" * 32})
    with pytest.raises(ConfigError, match="dev keys"):
        Settings.from_env({"APP_ENV": "production", "JWT_SECRET": "j" * 40})
    settings = Settings.from_env(
        {
            "APP_ENV": "production",
            "JWT_SECRET": "j" * 40,
            "LIVEKIT_API_KEY": "k",
            "LIVEKIT_API_SECRET": "v" * 32,
            "DATABASE_URL": "postgresql+asyncpg://db/x",
        }
    )
    assert settings.production and not settings.create_demo_user


def test_defaults_are_the_laptop_setup():
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite+aiosqlite")
    assert settings.redis_url is None
    assert (settings.livekit_api_key, settings.livekit_api_secret) == ("devkey", "secret")
    assert settings.livekit_api_url == "http://localhost:7880"
    assert settings.create_demo_user


def test_the_sign_in_cache_forgets_on_request_and_after_its_ttl():
    from types import SimpleNamespace

    from conference.accounts.signins import SignInCache

    cache = SignInCache(ttl_s=0.05)
    ann = SimpleNamespace(id="ann")
    cache.put("s1", ann, cache.generation)
    cache.put("s2", ann, cache.generation)
    assert cache.get("s1", "ann") is ann
    assert cache.get("s1", "bob") is None  # a token naming someone else never matches
    cache.put("s1", ann, cache.generation)
    cache.forget_session("s1")
    assert cache.get("s1", "ann") is None and cache.get("s2", "ann") is ann
    cache.forget_user("ann")
    assert cache.get("s2", "ann") is None
    cache.put("s3", ann, cache.generation)
    time.sleep(0.06)
    assert cache.get("s3", "ann") is None


def test_the_sign_in_cache_keeps_no_answer_read_before_a_forget():
    from types import SimpleNamespace

    from conference.accounts.signins import SignInCache

    cache = SignInCache()
    ann = SimpleNamespace(id="ann")
    read_at = cache.generation  # a request starts reading the database...
    cache.forget_session("s1")  # ...the sign-in ends meanwhile (logout through another request)
    cache.put("s1", ann, read_at)  # ...and the request's stale answer arrives
    assert cache.get("s1", "ann") is None


def test_ended_sign_ins_are_those_named_or_all_but_the_kept_one():
    from types import SimpleNamespace

    from conference.accounts.signins import SignInCache, SignInsEnded

    cache = SignInCache()
    ann, bob = SimpleNamespace(id="ann"), SimpleNamespace(id="bob")
    for session_id, user in (("a1", ann), ("a2", ann), ("a3", ann), ("b1", bob)):
        cache.put(session_id, user, cache.generation)
    cache.forget_ended(SignInsEnded(user_id="ann", session_ids=["a1"], reason="logout"))
    assert cache.get("a1", "ann") is None and cache.get("a2", "ann") is ann
    password_changed = SignInsEnded(user_id="ann", keep="a3", reason="password_changed")
    cache.forget_ended(password_changed)
    assert cache.get("a2", "ann") is None and cache.get("a3", "ann") is ann and cache.get("b1", "bob") is bob
    assert password_changed.ends("ann", "a2") and not password_changed.ends("ann", "a3")
    assert not password_changed.ends("bob", "b1")
