"""The scale-out hub: events travel through Redis pub/sub, presence lives in Redis with a TTL.

While Redis is away (`RedisLink` marks it down), the hub keeps serving on this replica's knowledge:
events go to this replica's sockets at once and reach the others through their poll of the event log
(within a second), presence and socket counts are this replica's, notices reach the others through
their own re-checks. Once Redis answers, the subscription is renewed and the next refresh (every
TTL/3) writes this replica's presence and sockets back, so a restarted, empty Redis is whole again.

Presence keys: `presence:user:<id>` is a sorted set of the replicas holding a connection of
that user, scored by when the entry lapses; each replica refreshes its entries every TTL/3,
so a replica that dies stops refreshing and its users lapse within the TTL, no goodbye needed.
`presence:replicas` (scored the same way) and `presence:replica:<id>` (its users) let a
surviving replica notice a dead one and announce its users as offline.
`sockets:user:<id>` counts a user's open sockets on every replica for the per-user limit: one
member per socket (`<replica>:<socket id>`), scored and refreshed the same way, so the sockets of a
dead replica stop counting by themselves.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import time
import uuid
from typing import Any

from redis.asyncio.client import PubSub

from conference.realtime.hub import Envelope, Hub
from conference.redislink import RedisDown, RedisLink

log = logging.getLogger("conference.realtime")
REPLICAS = "presence:replicas"
PUBSUB_PING_S = 2.0  # the subscription is pinged this often; silent for 3 pings, it is renewed


def channel_of(database_url: str) -> str:
    """Replicas of one deployment share a database; another deployment (or test) on the same
    Redis must not mix its event ids into ours."""
    return "conference:events:" + hashlib.sha256(database_url.encode()).hexdigest()[:16]


def _user_key(user_id: str) -> str:
    return f"presence:user:{user_id}"


def _replica_key(replica: str) -> str:
    return f"presence:replica:{replica}"


def _sockets_key(user_id: str) -> str:
    return f"sockets:user:{user_id}"


class RedisHub(Hub):
    def __init__(self, link: RedisLink, presence_ttl_s: float = 30, *, database_url: str = "") -> None:
        super().__init__()
        self.link = link
        self.redis = link.client
        self.channel = channel_of(database_url)
        self.ttl = float(presence_ttl_s)
        self.replica = uuid.uuid4().hex[:12]
        self._pubsub: PubSub | None = None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        try:
            await self._subscribe()
            await self._refresh()
        except RedisDown:  # serve on this replica's knowledge; the listener subscribes once Redis is back
            log.warning("Redis is unreachable at start; events reach this replica through the event log")
        self._tasks = [
            asyncio.create_task(self._listen(), name="redis-hub-listen"),
            asyncio.create_task(self._keep_alive(), name="redis-hub-presence"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for user_id in self.local:
                    pipe.zrem(_user_key(user_id), self.replica)
                for user_id, sockets in self.local_sockets.items():
                    pipe.zrem(_sockets_key(user_id), *(self._socket_member(s) for s in sockets))
                pipe.zrem(REPLICAS, self.replica)
                pipe.delete(_replica_key(self.replica))
                await pipe.execute()
        except Exception:  # Redis gone: the entries lapse by themselves
            log.warning("could not clear this replica's presence in Redis")
        await self._drop_subscription()

    async def _run(self, call: Any) -> Any:
        return await self.link.run(call)

    # ------------------------------------------------------------------ events
    async def publish(self, envelope: Envelope) -> None:
        try:
            await self._run(lambda: self.redis.publish(self.channel, json.dumps(envelope, separators=(",", ":"))))
        except RedisDown:
            # Stored events still reach every replica through its poll of the event log.
            await self.deliver(envelope)

    async def _subscribe(self) -> None:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        self._pubsub = pubsub
        await self._run(lambda: pubsub.subscribe(self.channel))

    async def _drop_subscription(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            try:
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
            except Exception:
                pass

    async def _listen(self) -> None:
        """Delivers what arrives on the channel. A subscription that fails, or stays silent through
        three pings (Redis restarted, or the network ate the connection), is dropped and renewed once
        Redis answers; events published meanwhile come from the event log."""
        while True:
            try:
                if self._pubsub is None:
                    if not self.link.up:
                        await asyncio.sleep(0.2)
                        continue
                    await self._subscribe()
                await self._read_subscription()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not isinstance(error, RedisDown):
                    log.warning("lost the Redis subscription (%s); renewing it", type(error).__name__)
                await self._drop_subscription()
                await asyncio.sleep(0.2)

    async def _read_subscription(self) -> None:
        pubsub = self._pubsub
        assert pubsub is not None
        heard = pinged = time.monotonic()
        while True:
            message = await pubsub.get_message(timeout=1.0)
            now = time.monotonic()
            if message is not None:
                heard = now
                if message.get("type") == "message":
                    try:
                        await self.deliver(json.loads(message["data"]))
                    except Exception:
                        log.exception("could not deliver an envelope from Redis")
            if now - pinged >= PUBSUB_PING_S:
                pinged = now
                await pubsub.ping()
            if now - heard > 3 * PUBSUB_PING_S:
                raise ConnectionError("the Redis subscription went silent")

    # ------------------------------------------------------------------ presence
    def _lapse(self) -> float:
        return time.time() + self.ttl

    async def online(self, user_ids: list[str]) -> set[str]:
        if not user_ids:
            return set()
        now = time.time()

        async def counts() -> list[Any]:
            async with self.redis.pipeline(transaction=False) as pipe:
                for user_id in user_ids:
                    pipe.zcount(_user_key(user_id), f"({now}", "+inf")
                return await pipe.execute()

        try:
            found = await self._run(counts)
        except RedisDown:  # answer for this replica rather than fail the request
            return {user_id for user_id in user_ids if self.local.get(user_id)}
        return {user_id for user_id, count in zip(user_ids, found, strict=True) if count}

    async def _arrived(self, user_id: str) -> bool:
        key = _user_key(user_id)

        async def arrive() -> list[Any]:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zcount(key, f"({time.time()}", "+inf")
                pipe.zadd(key, {self.replica: self._lapse()})
                pipe.expire(key, math.ceil(self.ttl * 2))
                pipe.sadd(_replica_key(self.replica), user_id)
                return await pipe.execute()

        try:
            before, *_ = await self._run(arrive)
        except RedisDown:  # counted here; the next refresh after Redis is back writes it there
            return False
        return bool(before == 0)

    async def _left(self, user_id: str) -> bool:
        key = _user_key(user_id)

        async def leave() -> list[Any]:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zrem(key, self.replica)
                pipe.srem(_replica_key(self.replica), user_id)
                pipe.zcount(key, f"({time.time()}", "+inf")
                return await pipe.execute()

        try:
            *_, after = await self._run(leave)
        except RedisDown:  # the entry lapses by itself
            return False
        return bool(after == 0)

    # ------------------------------------------------------------------ sockets per user
    def _socket_member(self, socket_id: str) -> str:
        return f"{self.replica}:{socket_id}"

    async def _claim(self, user_id: str, socket_id: str, limit: int) -> bool:
        key, member = _sockets_key(user_id), self._socket_member(socket_id)

        async def claim() -> list[Any]:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(key, "-inf", time.time())
                pipe.zadd(key, {member: self._lapse()})
                pipe.zcard(key)
                pipe.expire(key, math.ceil(self.ttl * 2))
                return await pipe.execute()

        try:
            _, _, count, _ = await self._run(claim)
            if count <= limit:
                return True
            await self._run(lambda: self.redis.zrem(key, member))
            return False
        except RedisDown:  # count on this replica rather than refuse everyone
            return len(self.local_sockets.get(user_id, ())) < limit

    async def _release(self, user_id: str, socket_id: str) -> None:
        try:
            await self._run(lambda: self.redis.zrem(_sockets_key(user_id), self._socket_member(socket_id)))
        except RedisDown:  # the entry lapses by itself
            pass

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                await self._run(self._refresh)
                gone = await self._run(self._sweep)
                if gone:
                    for listener in list(self.gone_listeners):
                        await listener(gone)
            except asyncio.CancelledError:
                raise
            except RedisDown:
                pass  # the refresh after Redis is back writes everything again
            except Exception:
                log.warning("could not refresh presence in Redis", exc_info=True)

    async def _refresh(self) -> None:
        lapse, keep = self._lapse(), math.ceil(self.ttl * 2)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zadd(REPLICAS, {self.replica: lapse})
            for user_id in list(self.local):
                pipe.zadd(_user_key(user_id), {self.replica: lapse})
                pipe.expire(_user_key(user_id), keep)
                pipe.sadd(_replica_key(self.replica), user_id)
            for user_id, sockets in list(self.local_sockets.items()):
                pipe.zadd(_sockets_key(user_id), {self._socket_member(s): lapse for s in sockets})
                pipe.expire(_sockets_key(user_id), keep)
            pipe.expire(_replica_key(self.replica), keep)
            await pipe.execute()

    async def _sweep(self) -> list[str]:
        """The users of replicas that stopped refreshing and are online nowhere else (one sweeper wins
        each dead replica), to be announced offline."""
        now = time.time()
        gone = []
        for entry in await self.redis.zrangebyscore(REPLICAS, "-inf", now):
            dead = entry.decode() if isinstance(entry, bytes) else str(entry)
            if not await self.redis.zrem(REPLICAS, dead):
                continue  # another replica claimed it
            users = [u.decode() if isinstance(u, bytes) else u for u in await self.redis.smembers(_replica_key(dead))]
            await self.redis.delete(_replica_key(dead))
            for user_id in users:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.zrem(_user_key(user_id), dead)
                    pipe.zcount(_user_key(user_id), f"({now}", "+inf")
                    _, count = await pipe.execute()
                if not count:
                    gone.append(user_id)
        return gone
