"""The token path's shortcuts answer exactly what the long way does: livekit-api claims with the
grants serialized once, remembered access-token checks, PyJWT's HS256 with its key checked once,
and the short memory of database answers (refresh ahead, one load per key, forget wins)."""

import asyncio
import json
import time
from datetime import timedelta

import jwt
import pytest
from livekit import api
from livekit.api.access_token import Claims

from conference import hs256
from conference.accounts.tokens import AccessTokenReader, TokenExpired, TokenInvalid, issue_access_token
from conference.livekit import ROLE_RIGHTS, LiveKit, RoleClaims, grants_for
from conference.settings import Settings
from conference.ttlcache import TtlCache

SECRET = "s" * 40
ROOM = "abc-defg-hij"


@pytest.mark.parametrize("role", sorted(ROLE_RIGHTS))
@pytest.mark.parametrize("name", ["Ann Example", ""])
def test_role_claims_serialize_like_livekit_api(role, name):
    metadata = json.dumps({"role": role, "login": "ann"})
    plain = Claims(name=name, metadata=metadata, video=grants_for(role, ROOM)).asdict()
    ours = RoleClaims(name=name, metadata=metadata, role=role, room=ROOM).asdict()
    assert ours == plain
    assert list(ours) == list(plain)  # the same key order, so the same signed bytes


@pytest.mark.parametrize("role", sorted(ROLE_RIGHTS))
def test_minted_tokens_carry_what_livekit_api_alone_would(role):
    settings = Settings(livekit_api_key="key", livekit_api_secret="v" * 40)
    grant = LiveKit(settings).mint_token(room=ROOM, identity="u1", name="Ann", role=role, metadata={"login": "ann"})
    plain = (
        api.AccessToken("key", "v" * 40)
        .with_identity("u1")
        .with_name("Ann")
        .with_ttl(timedelta(seconds=settings.media_token_ttl_s))
        .with_metadata(json.dumps({"role": role, "login": "ann"}))
        .with_grants(grants_for(role, ROOM))
        .to_jwt()
    )
    ours = jwt.decode(grant.token, "v" * 40, algorithms=["HS256"], issuer="key")
    theirs = jwt.decode(plain, "v" * 40, algorithms=["HS256"], issuer="key")
    assert abs(ours.pop("exp") - theirs.pop("exp")) <= 1 and abs(ours.pop("nbf") - theirs.pop("nbf")) <= 1
    assert ours == theirs
    verified = api.TokenVerifier("key", "v" * 40).verify(grant.token)
    assert verified.video == grants_for(role, ROOM) and verified.identity == "u1"


def test_a_token_for_an_unknown_role_is_refused():
    with pytest.raises(ValueError, match="unknown role"):
        RoleClaims(name="n", metadata="{}", role="owner", room=ROOM)


def test_remembered_access_tokens_still_expire_and_bad_ones_are_never_remembered():
    reader = AccessTokenReader(SECRET)
    token = issue_access_token(SECRET, "user-1", "session-1", ttl_s=1)
    first = reader.read(token)
    assert reader.read(token) is first and (first.user_id, first.session_id) == ("user-1", "session-1")
    time.sleep(1.05)
    with pytest.raises(TokenExpired):
        reader.read(token)
    forged = issue_access_token("another" * 6, "user-1", "session-1", ttl_s=60)
    for _ in range(2):
        with pytest.raises(TokenInvalid):
            reader.read(forged)
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    with pytest.raises(TokenInvalid):
        reader.read(tampered)


def test_the_reader_stays_bounded():
    reader = AccessTokenReader(SECRET, max_entries=3)
    for n in range(10):
        reader.read(issue_access_token(SECRET, f"user-{n}", "s", ttl_s=60))
    assert len(reader._accepted) <= 3


def test_hs256_with_keys_checked_once_signs_and_refuses_like_pyjwt():
    hs256.install()
    hs256.install()  # idempotent
    token = jwt.encode({"sub": "x"}, SECRET, algorithm="HS256")
    assert jwt.decode(token, SECRET, algorithms=["HS256"]) == {"sub": "x"}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "t" * 40, algorithms=["HS256"])
    pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
    for _ in range(2):  # refused keys are never remembered
        with pytest.raises(jwt.InvalidKeyError):
            jwt.encode({"sub": "x"}, pem, algorithm="HS256")


class Loads:
    """A load function that counts its calls and answers what it is told."""

    def __init__(self, value: str | None = "v1", delay: float = 0.0):
        self.value, self.delay, self.calls = value, delay, 0

    async def __call__(self) -> str | None:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return self.value


async def test_concurrent_misses_share_one_load():
    cache: TtlCache[str, str] = TtlCache(ttl_s=5, max_entries=10)
    load = Loads(delay=0.05)
    assert await asyncio.gather(*(cache.recall("k", load) for _ in range(20))) == ["v1"] * 20
    assert load.calls == 1 and cache.get("k") == "v1"


async def test_nothing_found_is_answered_and_not_remembered():
    cache: TtlCache[str, str] = TtlCache(ttl_s=5, max_entries=10)
    load = Loads(value=None)
    assert await cache.recall("k", load) is None and await cache.recall("k", load) is None
    assert load.calls == 2


async def test_entries_near_their_end_are_refreshed_in_the_background_and_never_outlive_the_ttl():
    cache: TtlCache[str, str] = TtlCache(ttl_s=0.2, max_entries=10, refresh_after=(0.5, 0.5))
    await cache.recall("k", Loads("v1"))
    await asyncio.sleep(0.12)
    refresh = Loads("v2", delay=0.02)
    assert await cache.recall("k", refresh) == "v1"  # still valid: served at once, refreshed behind
    await asyncio.sleep(0.05)
    assert refresh.calls == 1 and cache.get("k") == "v2"
    await asyncio.sleep(0.25)
    assert cache.get("k") is None  # nobody read it: it expired, ttl_s after it was loaded


async def test_a_forget_wins_over_a_load_in_flight():
    cache: TtlCache[str, str] = TtlCache(ttl_s=5, max_entries=10)
    slow = asyncio.ensure_future(cache.recall("k", Loads("stale", delay=0.05)))
    await asyncio.sleep(0.01)
    cache.forget("k")
    assert await slow == "stale"  # its caller asked before the change
    assert cache.get("k") is None  # but it is not remembered
    assert await cache.recall("k", Loads("fresh")) == "fresh"


async def test_a_failed_load_reaches_its_callers_and_is_not_remembered():
    cache: TtlCache[str, str] = TtlCache(ttl_s=5, max_entries=10)

    async def broken() -> str | None:
        raise ConnectionError("database down")

    with pytest.raises(ConnectionError):
        await cache.recall("k", broken)
    assert await cache.recall("k", Loads("back")) == "back"


async def test_a_caller_after_a_forget_does_not_share_a_load_that_started_before_it():
    cache: TtlCache[str, str] = TtlCache(ttl_s=5, max_entries=10)
    stale = asyncio.ensure_future(cache.recall("k", Loads("open", delay=0.05)))
    await asyncio.sleep(0.01)
    cache.forget("k")  # say, the sign-in was revoked while the first load was reading
    fresh = Loads("revoked", delay=0.01)
    assert await cache.recall("k", fresh) == "revoked" and fresh.calls == 1
    assert await stale == "open"
    assert cache.get("k") == "revoked"  # the older load, finishing last, did not overwrite it


def test_puts_read_before_a_forget_are_not_kept():
    cache: TtlCache[str, str] = TtlCache(ttl_s=5, max_entries=10)
    read_at = cache.generation
    cache.forget_where(lambda key, _: key == "other")
    cache.put("k", "stale", read_at)
    assert cache.get("k") is None
    cache.put("k", "fresh", cache.generation)
    assert cache.get("k") == "fresh"
