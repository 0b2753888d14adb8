"""The app's one Redis connection, and what it does when Redis is away.

Every call has a deadline (`TIMEOUT_S` to connect and to read, one immediate retry on a fresh connection,
no backoff), so a Redis that went away fails a call within about two seconds instead of hanging the
request that made it. The first failure marks Redis down: callers then skip it and use what this replica
knows on its own (see `docs/operations.md`, "When Redis is away"), while a probe pings it every
`PROBE_EVERY_S` and marks it up again on the first answer. So during an outage only the calls in flight
when it began wait; the rest go local at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

log = logging.getLogger("conference.redis")
T = TypeVar("T")

TIMEOUT_S = 1.0  # to connect and for an answer; Redis answers in well under a millisecond
HEALTH_CHECK_S = 5  # a connection idle this long is pinged before it is used again
PROBE_EVERY_S = 0.5


class RedisDown(Exception):
    """Redis is marked down: the caller uses its own knowledge instead."""


class RedisLink:
    def __init__(self, url: str) -> None:
        self.client: Redis = Redis.from_url(
            url,
            socket_timeout=TIMEOUT_S,
            socket_connect_timeout=TIMEOUT_S,
            health_check_interval=HEALTH_CHECK_S,
            retry=Retry(NoBackoff(), 1),  # one retry on a fresh connection: a restarted Redis needs it
        )
        self.down_since: float | None = None
        self._probe: asyncio.Task[None] | None = None

    @property
    def up(self) -> bool:
        return self.down_since is None

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call's answer; RedisDown when Redis is marked down or fails now (it is then marked)."""
        if not self.up:
            raise RedisDown()
        try:
            return await call()
        except (RedisError, OSError) as error:
            self.failed(error)
            raise RedisDown() from error

    def failed(self, error: BaseException) -> None:
        """A call failed: Redis is down until the probe hears from it again."""
        if self.down_since is not None:
            return
        self.down_since = time.monotonic()
        log.warning("Redis is unreachable (%s); using this replica's own knowledge until it answers", error)
        self._probe = asyncio.create_task(self._wait_for_redis(), name="redis-probe")

    async def _wait_for_redis(self) -> None:
        while True:
            await asyncio.sleep(PROBE_EVERY_S)
            try:
                await self.client.ping()
            except (RedisError, OSError):
                continue
            log.warning("Redis answers again after %.1f s", time.monotonic() - (self.down_since or time.monotonic()))
            self.down_since = None
            return

    async def ping(self) -> bool:
        """For /readyz: whether Redis answers now (asked even while marked down)."""
        try:
            await asyncio.wait_for(self.client.ping(), TIMEOUT_S * 2)
        except (RedisError, OSError, TimeoutError):
            return False
        return True

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            await asyncio.gather(self._probe, return_exceptions=True)
        await self.client.aclose()
