"""Typed keys of what app.py stores on the application and authentication on each request."""

from __future__ import annotations

from aiohttp import web

from conference.accounts.models import ApiKey, User
from conference.accounts.signins import SignIn
from conference.routing import RouteSpec
from conference.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ROUTE_SPECS = web.AppKey("route_specs", list[RouteSpec])

# Per-request: who the bearer is (set by accounts.auth.authenticate).
USER = web.RequestKey("user", User)
SIGNIN = web.RequestKey("signin", SignIn)
API_KEY = web.RequestKey("api_key", ApiKey)
