"""The scale-out hub: events travel through Redis pub/sub, presence lives in Redis with a TTL.

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

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from conference.realtime.hub import Envelope, Hub

log = logging.getLogger("conference.realtime")
REPLICAS = "presence:replicas"


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
    def __init__(self, redis: Redis, presence_ttl_s: float = 30, *, database_url: str = "") -> None:
        super().__init__()
        self.redis = redis
        self.channel = channel_of(database_url)
        self.ttl = float(presence_ttl_s)
        self.replica = uuid.uuid4().hex[:12]
        self._pubsub: PubSub = redis.pubsub(ignore_subscribe_messages=True)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self._pubsub.subscribe(self.channel)
        await self._refresh()
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
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated

    # ------------------------------------------------------------------ events
    async def publish(self, envelope: Envelope) -> None:
        try:
            await self.redis.publish(self.channel, json.dumps(envelope, separators=(",", ":")))
        except Exception:
            # Stored events still reach every replica through its poll of the event log.
            log.warning("could not publish through Redis; delivering on this replica only")
            await self.deliver(envelope)

    async def _listen(self) -> None:
        while True:
            try:
                async for message in self._pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        await self.deliver(json.loads(message["data"]))
                    except Exception:
                        log.exception("could not deliver an envelope from Redis")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("lost the Redis subscription; resubscribing")
                await asyncio.sleep(0.5)
                try:
                    await self._pubsub.subscribe(self.channel)
                except Exception:
                    pass

    # ------------------------------------------------------------------ presence
    def _lapse(self) -> float:
        return time.time() + self.ttl

    async def online(self, user_ids: list[str]) -> set[str]:
        if not user_ids:
            return set()
        now = time.time()
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for user_id in user_ids:
                    pipe.zcount(_user_key(user_id), f"({now}", "+inf")
                counts = await pipe.execute()
        except Exception:  # Redis unreachable: answer for this replica rather than fail the request
            log.warning("could not read presence from Redis")
            return {user_id for user_id in user_ids if self.local.get(user_id)}
        return {user_id for user_id, count in zip(user_ids, counts, strict=True) if count}

    async def _arrived(self, user_id: str) -> bool:
        key = _user_key(user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zcount(key, f"({time.time()}", "+inf")
            pipe.zadd(key, {self.replica: self._lapse()})
            pipe.expire(key, math.ceil(self.ttl * 2))
            pipe.sadd(_replica_key(self.replica), user_id)
            before, *_ = await pipe.execute()
        return bool(before == 0)

    async def _left(self, user_id: str) -> bool:
        key = _user_key(user_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zrem(key, self.replica)
            pipe.srem(_replica_key(self.replica), user_id)
            pipe.zcount(key, f"({time.time()}", "+inf")
            *_, after = await pipe.execute()
        return bool(after == 0)

    # ------------------------------------------------------------------ sockets per user
    def _socket_member(self, socket_id: str) -> str:
        return f"{self.replica}:{socket_id}"

    async def _claim(self, user_id: str, socket_id: str, limit: int) -> bool:
        key, member = _sockets_key(user_id), self._socket_member(socket_id)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(key, "-inf", time.time())
                pipe.zadd(key, {member: self._lapse()})
                pipe.zcard(key)
                pipe.expire(key, math.ceil(self.ttl * 2))
                _, _, count, _ = await pipe.execute()
            if count <= limit:
                return True
            await self.redis.zrem(key, member)
            return False
        except Exception:  # Redis unreachable: count on this replica rather than refuse everyone
            log.warning("could not count the sockets of %s in Redis", user_id)
            return len(self.local_sockets.get(user_id, ())) < limit

    async def _release(self, user_id: str, socket_id: str) -> None:
        try:
            await self.redis.zrem(_sockets_key(user_id), self._socket_member(socket_id))
        except Exception:  # the entry lapses by itself
            log.warning("could not release a socket of %s in Redis", user_id)

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.ttl / 3)
            try:
                await self._refresh()
                await self._sweep()
            except asyncio.CancelledError:
                raise
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

    async def _sweep(self) -> None:
        """Announces the users of replicas that stopped refreshing as offline (one sweeper wins)."""
        now = time.time()
        for entry in await self.redis.zrangebyscore(REPLICAS, "-inf", now):
            dead = entry.decode() if isinstance(entry, bytes) else str(entry)
            if not await self.redis.zrem(REPLICAS, dead):
                continue  # another replica claimed it
            users = [u.decode() if isinstance(u, bytes) else u for u in await self.redis.smembers(_replica_key(dead))]
            await self.redis.delete(_replica_key(dead))
            gone = []
            for user_id in users:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.zrem(_user_key(user_id), dead)
                    pipe.zcount(_user_key(user_id), f"({now}", "+inf")
                    _, count = await pipe.execute()
                if not count:
                    gone.append(user_id)
            if gone:
                for listener in list(self.gone_listeners):
                    await listener(gone)
