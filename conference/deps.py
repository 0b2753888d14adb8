"""What domain functions need from the running app, built once at startup by app.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conference.realtime.events import frame_of
from conference.settings import Settings

if TYPE_CHECKING:
    from conference.accounts.signins import SignInCache
    from conference.accounts.tokens import AccessTokenReader
    from conference.livekit import LiveKit
    from conference.metrics import Metrics
    from conference.ratelimit import RateLimiter
    from conference.realtime.hub import Hub
    from conference.realtime.models import Event
    from conference.realtime.tickets import TicketStore
    from conference.redislink import RedisLink
    from conference.rooms.occupancy import Occupancy
    from conference.rooms.standing import StandingCache


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: async_sessionmaker[AsyncSession]
    livekit: LiveKit
    hub: Hub
    limiter: RateLimiter
    signins: SignInCache
    access_tokens: AccessTokenReader
    standings: StandingCache
    occupancy: Occupancy
    metrics: Metrics
    tickets: TicketStore
    redis: RedisLink | None = None  # None: no Redis configured, everything lives in this process

    async def publish(self, *events: Event) -> None:
        """Push events that are already committed to the database."""
        for event in events:
            await self.hub.publish(frame_of(event))


DEPS = web.AppKey("deps", Deps)


def deps(request: web.Request) -> Deps:
    return request.app[DEPS]
