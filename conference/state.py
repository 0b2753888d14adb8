"""Typed keys for the resources app.py creates at startup and handlers read."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from conference.settings import Settings

if TYPE_CHECKING:
    from conference.livekit import LiveKit
    from conference.accounts.signins import SignInCache
    from conference.metrics import Metrics
    from conference.ratelimit import RateLimiter
    from conference.realtime.hub import Hub

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", async_sessionmaker)
LIVEKIT = web.AppKey("livekit", "LiveKit")
HUB = web.AppKey("hub", "Hub")
METRICS = web.AppKey("metrics", "Metrics")
LIMITER = web.AppKey("limiter", "RateLimiter")
ROUTE_SPECS = web.AppKey("route_specs", list)
SIGNINS = web.AppKey("signins", "SignInCache")
STANDINGS = web.AppKey("standings", "StandingCache")

# Per-request: who the bearer is (set by accounts.auth.authenticate).
USER = web.RequestKey("user", object)
API_KEY = web.RequestKey("api_key", object)
