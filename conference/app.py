"""create_app(settings) -> web.Application: wiring only, no logic."""
from __future__ import annotations

import logging

from aiohttp import web

from conference import ops, static
from conference.accounts.contact_routes import routes as contact_routes
from conference.accounts.routes import routes as account_routes
from conference.accounts.service import ensure_demo_user
from conference.accounts.signins import SignInCache
from conference.calls.ringing_routes import routes as ringing_routes
from conference.calls.routes import routes as call_routes
from conference.chat.direct_routes import routes as direct_routes
from conference.chat.routes import routes as chat_routes
from conference.db import create_engine, create_schema
from conference.deps import DEPS, Deps
from conference.errors import error_middleware
from conference.livekit import LiveKit
from conference.metrics import Metrics, metrics_middleware
from conference.ratelimit import RateLimiter, RedisRateLimiter
from conference.realtime import socket as realtime_socket
from conference.realtime.local import LocalHub
from conference.realtime.redis import RedisHub
from conference.rooms.host_routes import routes as host_routes
from conference.rooms.routes import routes as room_routes
from conference.rooms.standing import StandingCache
from conference.settings import Settings
from conference.state import DB, HUB, LIMITER, LIVEKIT, METRICS, ROUTE_SPECS, SETTINGS, SIGNINS, STANDINGS
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session

log = logging.getLogger("conference.app")
API_ROUTES = [account_routes, room_routes, host_routes, chat_routes, call_routes,
              contact_routes, direct_routes, ringing_routes]
MAX_BODY = 64 * 1024  # the largest legitimate body is a 4000-character chat message


async def database(app: web.Application):
    engine = create_engine(app[SETTINGS].database_url)
    await create_schema(engine)
    # A session class of this app's own, so its change events feed only this app's caches.
    session_class = type("AppSession", (Session,), {})
    app[STANDINGS].watch(session_class)
    app[DB] = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)
    if app[SETTINGS].create_demo_user:
        await ensure_demo_user(app[DB])
    yield
    await engine.dispose()


async def livekit(app: web.Application):
    client = LiveKit(app[SETTINGS])
    client.minted = app[METRICS].tokens
    await client.start()
    app[LIVEKIT] = client
    yield
    await client.close()


async def realtime(app: web.Application):
    settings = app[SETTINGS]
    redis = None
    if settings.redis_url:
        import redis.asyncio as aioredis
        redis = aioredis.from_url(settings.redis_url)
        app[LIMITER] = RedisRateLimiter(redis)
    else:
        app[LIMITER] = RateLimiter()
    app[HUB] = RedisHub(redis, settings.presence_ttl_s, database_url=settings.database_url) if redis is not None else LocalHub()
    await app[HUB].start()
    app[DEPS] = Deps(db=app[DB], livekit=app[LIVEKIT], hub=app[HUB], settings=settings,
                     standings=app[STANDINGS])
    await realtime_socket.start(app)
    yield
    await realtime_socket.stop(app)
    await app[HUB].close()
    if redis is not None:
        await redis.aclose()


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[metrics_middleware, error_middleware], client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[SIGNINS] = SignInCache()
    app[STANDINGS] = StandingCache()
    app[ROUTE_SPECS] = [spec for group in API_ROUTES for spec in group.specs]
    app.cleanup_ctx.extend([database, livekit, realtime])
    ops.register(app)
    for group in API_ROUTES:
        group.register(app)
    realtime_socket.register(app)
    static.register(app)
    return app
