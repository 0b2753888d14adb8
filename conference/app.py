"""create_app(settings) -> web.Application: wiring only, no logic."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import Session

from conference import embedding, headers, hs256, ops, retention, static
from conference.accounts.contact_routes import routes as contact_routes
from conference.accounts.routes import routes as account_routes
from conference.accounts.service import ensure_demo_user
from conference.accounts.signins import SignInCache, SignInsEnded
from conference.accounts.tokens import AccessTokenReader
from conference.calls import reconcile, ringing
from conference.calls.ringing_routes import routes as ringing_routes
from conference.calls.routes import routes as call_routes
from conference.chat.change_routes import routes as message_change_routes
from conference.chat.direct_routes import routes as direct_routes
from conference.chat.routes import routes as chat_routes
from conference.db import create_engine
from conference.deps import DEPS, Deps
from conference.errors import error_middleware
from conference.groups.routes import routes as group_routes
from conference.guests.routes import routes as guest_routes
from conference.integrations import delivery as webhook_delivery
from conference.integrations.outbox import OutboxSignal
from conference.integrations.routes import routes as integration_routes
from conference.integrations.schemas import WEBHOOK_EVENTS
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
from conference.realtime.routes import routes as realtime_routes
from conference.realtime.tickets import LocalTickets, RedisTickets, TicketStore
from conference.recordings import recorder_app
from conference.recordings.routes import routes as recording_routes
from conference.redislink import RedisLink
from conference.rooms import schedule
from conference.rooms.hand_routes import routes as hand_routes
from conference.rooms.host_routes import routes as host_routes
from conference.rooms.occupancy import Occupancy
from conference.rooms.routes import routes as room_routes
from conference.rooms.standing import StandingCache, StandingChanged
from conference.search.routes import routes as search_routes
from conference.settings import Settings
from conference.state import ROUTE_SPECS, SETTINGS
from conference.uploads import sweeper as upload_sweeper
from conference.uploads.routes import routes as upload_routes

log = logging.getLogger("conference.app")
API_ROUTES = [
    account_routes,
    room_routes,
    host_routes,
    hand_routes,
    chat_routes,
    call_routes,
    contact_routes,
    direct_routes,
    message_change_routes,
    ringing_routes,
    realtime_routes,
    guest_routes,
    integration_routes,
    recording_routes,
    upload_routes,
    group_routes,
    search_routes,
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
    outbox = app[webhook_delivery.OUTBOX_SIGNAL] = OutboxSignal()
    outbox.watch(session_class)  # a commit that wrote webhook messages wakes this replica's deliverer
    db = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)
    if settings.create_demo_user:
        await ensure_demo_user(db, settings)
    livekit = LiveKit(settings, minted=metrics.tokens)
    await livekit.start()
    redis = None
    hub: Hub
    limiter: RateLimiter
    tickets: TicketStore
    if settings.redis_url:
        redis = RedisLink(settings.redis_url)  # deadlines on every call; see redislink.py
        limiter = RedisRateLimiter(redis)
        hub = RedisHub(redis, settings.presence_ttl_s, database_url=settings.database_url)
        tickets = RedisTickets(redis, settings.ws_ticket_ttl_s)
    else:
        limiter, hub, tickets = RateLimiter(), LocalHub(), LocalTickets(settings.ws_ticket_ttl_s)
    signins = SignInCache()
    # What replicas keep in memory is forgotten on every replica when it changes.
    hub.on_notice(SignInsEnded, signins.ended)
    hub.on_notice(StandingChanged, standings.changed)
    await hub.start()
    app[DEPS] = Deps(
        settings=settings,
        db=db,
        livekit=livekit,
        hub=hub,
        limiter=limiter,
        signins=signins,
        access_tokens=AccessTokenReader(settings.jwt_secret),
        standings=standings,
        occupancy=Occupancy(livekit),
        metrics=metrics,
        tickets=tickets,
        redis=redis,
    )
    yield
    await hub.close()
    if redis is not None:
        await redis.close()
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
    specs = [spec for group in API_ROUTES for spec in group.specs]
    return build_openapi(specs, event_models(), frame_models(), WEBHOOK_EVENTS)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[metrics_middleware, error_middleware], client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[ROUTE_SPECS] = [spec for group in API_ROUTES for spec in group.specs]
    app.cleanup_ctx.extend([resources, realtime, ring_sweeper])
    app.cleanup_ctx.extend([retention.sweeper, reconcile.reconciler])
    app.cleanup_ctx.append(webhook_delivery.delivery)
    app.cleanup_ctx.append(schedule.sweeper)
    headers.register(app)
    app.cleanup_ctx.append(recorder_app.recordings_ctx)
    app.cleanup_ctx.append(upload_sweeper.sweeper)
    ops.register(app)
    for group in API_ROUTES:
        group.register(app)
    realtime_socket.register(app)
    embedding.register(app)
    schedule.register(app)
    static.register(app)
    return app
