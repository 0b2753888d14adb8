"""Fixed-window rate limits for login and token endpoints: in-process, or shared through Redis."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from conference.errors import RateLimited

if TYPE_CHECKING:
    from redis.asyncio import Redis


class RateLimiter:
    """Counts hits per key in one-minute windows, in this process."""

    def __init__(self, window_s: int = 60):
        self.window_s = window_s
        self._counts: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str, limit: int) -> None:
        window = int(time.time() // self.window_s)
        seen_window, count = self._counts.get(key, (window, 0))
        count = count + 1 if seen_window == window else 1
        self._counts[key] = (window, count)
        if len(self._counts) > 100_000:  # forget old windows rather than grow forever
            self._counts = {k: v for k, v in self._counts.items() if v[0] == window}
        if count > limit:
            raise RateLimited(self._retry_after())

    def _retry_after(self) -> int:
        return max(1, math.ceil(self.window_s - time.time() % self.window_s))


class RedisRateLimiter(RateLimiter):
    """The same windows kept in Redis so every replica counts together."""

    def __init__(self, redis: Redis, window_s: int = 60):
        super().__init__(window_s)
        self.redis = redis

    async def hit(self, key: str, limit: int) -> None:
        window = int(time.time() // self.window_s)
        name = f"rl:{key}:{window}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, self.window_s * 2)
            count, _ = await pipe.execute()
        if count > limit:
            raise RateLimited(self._retry_after())
