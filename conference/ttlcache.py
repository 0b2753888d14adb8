"""A few seconds' memory of database answers on a hot path, without expiry stampedes.

Entries live exactly `ttl_s` (the staleness bound callers document). Three things keep the
database off the request path and its load smooth (bench/token_bench.py found the tail there:
entries made in the same second all expired in the same second, and every request of that
moment queued behind a hundred queries):
  - a key read in the last part of its life is refreshed in the background while the still
    valid entry is served; when that point falls is drawn at random per entry, so entries
    made together do not come due together;
  - concurrent misses of one key share one load;
  - `forget` wins over loads in flight: a load that started before a forget is not stored, and a
    caller arriving after the forget does not share it (it starts its own load).
`generation` grows with every forget; callers that read outside `recall` pass the generation they
started at to `put`, which then keeps nothing read before a forget.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, NamedTuple, TypeVar

log = logging.getLogger("conference.ttlcache")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Load = Callable[[], Awaitable[V | None]]


class _Entry(NamedTuple, Generic[V]):
    expires: float
    refresh_at: float
    value: V


class TtlCache(Generic[K, V]):
    def __init__(self, ttl_s: float, max_entries: int, refresh_after: tuple[float, float] = (0.75, 0.95)):
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.refresh_after = refresh_after  # share of the life after which a read refreshes
        self._entries: dict[K, _Entry[V]] = {}
        # Loads in flight, each with the generation it started at.
        self._loading: dict[K, tuple[asyncio.Task[V | None], int]] = {}
        self.generation = 0  # bumped by every forget; a load from an older generation is not stored

    def get(self, key: K) -> V | None:
        """The remembered value while it is fresh, else None; never loads."""
        entry = self._entries.get(key)
        if entry is None or entry.expires <= time.monotonic():
            return None
        return entry.value

    def put(self, key: K, value: V, read_at_generation: int | None = None) -> None:
        """Remembers `value`, unless it was read before a forget (`read_at_generation` is behind)."""
        if read_at_generation is not None and read_at_generation != self.generation:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # rare; cheaper than an LRU on the hot path
        now = time.monotonic()
        low, high = self.refresh_after
        self._entries[key] = _Entry(now + self.ttl_s, now + self.ttl_s * random.uniform(low, high), value)

    async def recall(self, key: K, load: Load[V]) -> V | None:
        """The fresh value, loading it (once for all concurrent callers) when there is none.
        None from `load` (nothing found) is answered and not remembered."""
        entry = self._entries.get(key)
        now = time.monotonic()
        loading = self._loading.get(key)
        if loading is not None and loading[1] != self.generation:
            loading = None  # started before a forget: its answer may be what was just forgotten
        if entry is not None and entry.expires > now:
            if entry.refresh_at <= now and loading is None:
                self._start_load(key, load, background=True)
            return entry.value
        task = loading[0] if loading is not None else self._start_load(key, load, background=False)
        return await asyncio.shield(task)  # a caller that goes away does not cancel the others' load

    def forget(self, key: K) -> None:
        self.generation += 1
        self._entries.pop(key, None)

    def forget_where(self, matches: Callable[[K, V], bool]) -> None:
        self.generation += 1
        for key in [key for key, entry in self._entries.items() if matches(key, entry.value)]:
            del self._entries[key]

    def _start_load(self, key: K, load: Load[V], *, background: bool) -> asyncio.Task[V | None]:
        generation = self.generation
        task = asyncio.ensure_future(self._load(key, load, generation))
        task.add_done_callback(_log_failure if background else _retrieve)
        self._loading[key] = (task, generation)
        return task

    async def _load(self, key: K, load: Load[V], generation: int) -> V | None:
        try:
            value = await load()
        finally:
            loading = self._loading.get(key)
            if loading is not None and loading[1] == generation:
                del self._loading[key]  # (a newer load of the key, started after a forget, stays)
        if value is not None:
            self.put(key, value, generation)
        return value


def _retrieve(task: asyncio.Task[V | None]) -> None:
    """A foreground load's error reaches its callers; this only keeps asyncio from also
    reporting it as never retrieved when every caller went away first."""
    if not task.cancelled():
        task.exception()


def _log_failure(task: asyncio.Task[V | None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        # The entry stays until it expires; the next miss loads in the foreground and raises.
        log.warning("a background refresh failed: %r", task.exception())
