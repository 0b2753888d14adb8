"""Counters behind the rate limits and the sign-in backoff: in-process, or shared through Redis.

`hit` is a fixed window (N per window, then 429 until it ends). The rest are the pieces of a
backoff: `count` a streak of attempts, `hold` a key for some seconds (set only when free, so of
two racing attempts one gets the slot), `held_for` what is left of a hold, `forget` both, and
`remember`/`remembers` a set member for a while (addresses an account signed in from)."""

from __future__ import annotations

import math
import time
from typing import Any

from conference.errors import RateLimited

MAX_KEYS = 100_000  # the in-process store forgets expired keys once it holds this many


class RateLimiter:
    """Everything in this process's memory, each key with its own expiry."""

    def __init__(self, window_s: int = 60):
        self.window_s = window_s
        self._values: dict[str, tuple[float, Any]] = {}  # key -> (expires at, value)

    async def hit(self, key: str, limit: int, window_s: int | None = None) -> None:
        window_s = window_s or self.window_s
        name = f"{key}:{int(time.time() // window_s)}"
        count = self._get(name, 0) + 1
        self._set(name, count, window_s * 2)
        if count > limit:
            raise RateLimited(retry_after(window_s))

    async def count(self, key: str, ttl_s: int) -> int:
        value = int(self._get(key, 0)) + 1
        self._set(key, value, ttl_s)
        return value

    async def hold(self, key: str, seconds: int) -> bool:
        if self._get(key, None) is not None:
            return False
        self._set(key, True, seconds)
        return True

    async def held_for(self, key: str) -> int:
        entry = self._values.get(key)
        left = entry[0] - time.time() if entry else 0.0
        return max(1, math.ceil(left)) if left > 0 else 0

    async def forget(self, *keys: str) -> None:
        for key in keys:
            self._values.pop(key, None)

    async def remember(self, key: str, member: str, ttl_s: int) -> None:
        members = set(self._get(key, set())) | {member}
        self._set(key, members, ttl_s)

    async def remembers(self, key: str, member: str) -> bool:
        return member in self._get(key, set())

    def _get(self, key: str, default: Any) -> Any:
        entry = self._values.get(key)
        if entry is None or entry[0] <= time.time():
            return default
        return entry[1]

    def _set(self, key: str, value: Any, ttl_s: float) -> None:
        if len(self._values) >= MAX_KEYS:
            now = time.time()
            self._values = {k: v for k, v in self._values.items() if v[0] > now}
        self._values[key] = (time.time() + ttl_s, value)


class RedisRateLimiter(RateLimiter):
    """The same operations on Redis keys (prefix `rl:`), so every replica counts together."""

    def __init__(self, redis: Any, window_s: int = 60):
        super().__init__(window_s)
        self.redis = redis

    async def hit(self, key: str, limit: int, window_s: int | None = None) -> None:
        window_s = window_s or self.window_s
        name = f"rl:{key}:{int(time.time() // window_s)}"
        async with self.redis.pipeline(transaction=True) as pipe:
            count, _ = await pipe.incr(name).expire(name, window_s * 2).execute()
        if count > limit:
            raise RateLimited(retry_after(window_s))

    async def count(self, key: str, ttl_s: int) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            value, _ = await pipe.incr(f"rl:{key}").expire(f"rl:{key}", ttl_s).execute()
        return int(value)

    async def hold(self, key: str, seconds: int) -> bool:
        return bool(await self.redis.set(f"rl:{key}", 1, ex=seconds, nx=True))

    async def held_for(self, key: str) -> int:
        left_ms = int(await self.redis.pttl(f"rl:{key}"))
        return max(1, math.ceil(left_ms / 1000)) if left_ms > 0 else 0

    async def forget(self, *keys: str) -> None:
        if keys:
            await self.redis.delete(*(f"rl:{key}" for key in keys))

    async def remember(self, key: str, member: str, ttl_s: int) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.sadd(f"rl:{key}", member).expire(f"rl:{key}", ttl_s).execute()

    async def remembers(self, key: str, member: str) -> bool:
        return bool(await self.redis.sismember(f"rl:{key}", member))


def retry_after(window_s: int) -> int:
    """Seconds until the current fixed window ends."""
    return max(1, math.ceil(window_s - time.time() % window_s))
