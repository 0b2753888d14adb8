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
from conference.redislink import RedisDown, RedisLink

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
    """The same operations on Redis keys (prefix `rl:`), so every replica counts together. While Redis
    is away each replica counts on its own (its in-process store): limits hold per replica, a little
    looser across all of them, rather than refusing everyone or letting everything through."""

    def __init__(self, link: RedisLink, window_s: int = 60):
        super().__init__(window_s)
        self.link = link
        self.redis = link.client

    async def hit(self, key: str, limit: int, window_s: int | None = None) -> None:
        window_s = window_s or self.window_s
        name = f"rl:{key}:{int(time.time() // window_s)}"

        async def count() -> list[Any]:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, window_s * 2)
                return await pipe.execute()

        try:
            counted, _ = await self.link.run(count)
        except RedisDown:
            return await super().hit(key, limit, window_s)
        if counted > limit:
            raise RateLimited(retry_after(window_s))

    async def count(self, key: str, ttl_s: int) -> int:
        async def count() -> list[Any]:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(f"rl:{key}")
                pipe.expire(f"rl:{key}", ttl_s)
                return await pipe.execute()

        try:
            value, _ = await self.link.run(count)
        except RedisDown:
            return await super().count(key, ttl_s)
        return int(value)

    async def hold(self, key: str, seconds: int) -> bool:
        try:
            return bool(await self.link.run(lambda: self.redis.set(f"rl:{key}", 1, ex=seconds, nx=True)))
        except RedisDown:
            return await super().hold(key, seconds)

    async def held_for(self, key: str) -> int:
        try:
            left_ms = int(await self.link.run(lambda: self.redis.pttl(f"rl:{key}")))
        except RedisDown:
            return await super().held_for(key)
        return max(1, math.ceil(left_ms / 1000)) if left_ms > 0 else 0

    async def forget(self, *keys: str) -> None:
        await super().forget(*keys)
        if keys:
            try:
                await self.link.run(lambda: self.redis.delete(*(f"rl:{key}" for key in keys)))
            except RedisDown:
                pass

    async def remember(self, key: str, member: str, ttl_s: int) -> None:
        async def remember() -> None:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.sadd(f"rl:{key}", member)
                pipe.expire(f"rl:{key}", ttl_s)
                await pipe.execute()

        try:
            await self.link.run(remember)
        except RedisDown:
            await super().remember(key, member, ttl_s)

    async def remembers(self, key: str, member: str) -> bool:
        try:
            return bool(await self.link.run(lambda: self.redis.sismember(f"rl:{key}", member)))
        except RedisDown:
            return await super().remembers(key, member)


def retry_after(window_s: int) -> int:
    """Seconds until the current fixed window ends."""
    return max(1, math.ceil(window_s - time.time() % window_s))
