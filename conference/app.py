"""create_app(settings) -> web.Application: wiring only, no logic."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session

from conference import hs256, ops, retention, static
from conference.accounts.contact_routes import routes as contact_routes
from conference.accounts.routes import routes as account_routes
from conference.accounts.service import ensure_demo_user
from conference.accounts.signins import SignInCache
from conference.accounts.tokens import AccessTokenReader
from conference.calls import ringing
from conference.calls.ringing_routes import routes as ringing_routes
from conference.calls.routes import routes as call_routes
from conference.chat.direct_routes import routes as direct_routes
from conference.chat.routes import routes as chat_routes
from conference.db import create_engine
from conference.deps import DEPS, Deps
from conference.errors import error_middleware
from conference.livekit import LiveKit
from conference.metrics import METRICS, Metrics, metrics_middleware
from conference.migrations import ensure_schema
from conference.openapi import build_openapi
from conference.ratelimit import RateLimiter, RedisRateLimiter
from conference.realtime import socket as realtime_socket
from conference.realtime.catalog import event_models, frame_models
from conference.realtime.hub import Hub
from conference.realtime.local import LocalHub
from conference.realtime.redis import RedisHub
from conference.rooms.host_routes import routes as host_routes
from conference.rooms.occupancy import Occupancy
from conference.rooms.routes import routes as room_routes
from conference.rooms.standing import StandingCache
from conference.settings import Settings
from conference.state import ROUTE_SPECS, SETTINGS

log = logging.getLogger("conference.app")
API_ROUTES = [
    account_routes,
    room_routes,
    host_routes,
    chat_routes,
    call_routes,
    contact_routes,
    direct_routes,
    ringing_routes,
]
MAX_BODY = 64 * 1024  # the largest legitimate body is a 4000-character chat message


async def resources(app: web.Application) -> AsyncIterator[None]:
    """Database, LiveKit, Redis, hub and limiter, created in order and bundled into Deps once."""
    settings, metrics = app[SETTINGS], app[METRICS]
    hs256.install()  # access tokens and media tokens: PyJWT checks each HMAC key once
    engine = create_engine(settings.database_url)
    await ensure_schema(engine, settings.database_url, create_when_empty=not settings.production)
    standings = StandingCache()
    # A session class of this app's own, so its change events feed only this app's caches.
    session_class = type("AppSession", (Session,), {})
    standings.watch(session_class)
    db = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)
    if settings.create_demo_user:
        await ensure_demo_user(db, settings)
    livekit = LiveKit(settings, minted=metrics.tokens)
    await livekit.start()
    redis = None
    hub: Hub
    limiter: RateLimiter
    if settings.redis_url:
        import redis.asyncio as aioredis

        redis = aioredis.from_url(settings.redis_url)
        limiter = RedisRateLimiter(redis)
        hub = RedisHub(redis, settings.presence_ttl_s, database_url=settings.database_url)
    else:
        limiter, hub = RateLimiter(), LocalHub()
    await hub.start()
    app[DEPS] = Deps(
        settings=settings,
        db=db,
        livekit=livekit,
        hub=hub,
        limiter=limiter,
        signins=SignInCache(),
        access_tokens=AccessTokenReader(settings.jwt_secret),
        standings=standings,
        occupancy=Occupancy(livekit),
        metrics=metrics,
    )
    yield
    await hub.close()
    if redis is not None:
        await redis.aclose()
    await livekit.close()
    await engine.dispose()


async def realtime(app: web.Application) -> AsyncIterator[None]:
    await realtime_socket.start(app)
    yield
    await realtime_socket.stop(app)


async def ring_sweeper(app: web.Application) -> AsyncIterator[None]:
    """Unanswered direct calls end as missed; every replica sweeps, the update decides who wins."""
    task = asyncio.create_task(ringing.watch_rings(app[DEPS]))
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def openapi_document() -> dict[str, Any]:
    return build_openapi([spec for group in API_ROUTES for spec in group.specs], event_models(), frame_models())


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[metrics_middleware, error_middleware], client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[ROUTE_SPECS] = [spec for group in API_ROUTES for spec in group.specs]
    app.cleanup_ctx.extend([resources, realtime, ring_sweeper])
    app.cleanup_ctx.append(retention.sweeper)
    ops.register(app)
    for group in API_ROUTES:
        group.register(app)
    realtime_socket.register(app)
    static.register(app)
    return app
