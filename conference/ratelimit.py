"""Fixed-window rate limits: in-process, or shared through Redis so every replica counts together."""

from __future__ import annotations

import math
import time
from typing import Any

from conference.errors import RateLimited


class RateLimiter:
    """Counts hits per key in fixed windows (one minute unless a call says otherwise), in this process."""

    def __init__(self, window_s: int = 60):
        self.window_s = window_s
        self._counts: dict[str, tuple[int, int]] = {}  # key and window length -> (window, hits)

    async def hit(self, key: str, limit: int, window_s: int | None = None) -> None:
        """Counts one hit; raises RateLimited (with the seconds until the window ends) past `limit`."""
        window_s = window_s or self.window_s
        window = int(time.time() // window_s)
        name = f"{key}/{window_s}"
        seen_window, count = self._counts.get(name, (window, 0))
        count = count + 1 if seen_window == window else 1
        self._counts[name] = (window, count)
        if len(self._counts) > 100_000:  # forget old windows rather than grow forever
            self._counts = {k: v for k, v in self._counts.items() if v[0] == int(time.time() // _length(k))}
        if count > limit:
            raise RateLimited(retry_after(window_s))


class RedisRateLimiter(RateLimiter):
    """The same windows kept in Redis."""

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


def _length(name: str) -> int:
    return int(name.rsplit("/", 1)[1])


def retry_after(window_s: int) -> int:
    """Seconds until the current fixed window ends."""
    return max(1, math.ceil(window_s - time.time() % window_s))
