"""Operations endpoints: liveness, readiness, Prometheus metrics and the OpenAPI description."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from conference.deps import deps
from conference.errors import ApiError
from conference.metrics import METRICS
from conference.openapi import build_openapi
from conference.realtime.catalog import event_models, frame_models
from conference.state import ROUTE_SPECS

log = logging.getLogger("conference.ops")


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """503 when the database or LiveKit cannot be reached: this replica cannot serve. Redis unreachable
    is 200 `degraded`: every replica shares it, so taking them all out of a balancer would turn a
    degraded service (each replica on its own knowledge) into no service."""
    checks = {}
    try:
        async with deps(request).db() as db:
            await asyncio.wait_for(db.execute(text("select 1")), 3)
        checks["database"] = "ok"
    except Exception as error:
        log.warning("readiness: database unreachable: %s", type(error).__name__)
        checks["database"] = "unreachable"
    try:
        await asyncio.wait_for(deps(request).livekit.ping(), 3)
        checks["livekit"] = "ok"
    except (TimeoutError, ApiError):
        checks["livekit"] = "unreachable"
    link = deps(request).redis
    if link is None:
        checks["redis"] = "not_configured"
    else:
        checks["redis"] = "ok" if await link.ping() else "unreachable"
    if checks["database"] != "ok":
        return web.json_response(
            {"error": {"code": "database_unavailable", "message": "database is unreachable", "fields": checks}},
            status=503,
        )
    if checks["livekit"] != "ok":
        return web.json_response(
            {"error": {"code": "livekit_unavailable", "message": "LiveKit is unreachable", "fields": checks}},
            status=503,
        )
    status = "degraded" if checks["redis"] == "unreachable" else "ready"
    return web.json_response({"status": status, "checks": checks})


async def metrics(request: web.Request) -> web.Response:
    m = request.app[METRICS]
    body = generate_latest(m.registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


async def openapi(request: web.Request) -> web.Response:
    from conference.integrations.schemas import WEBHOOK_EVENTS  # what integrators' endpoints receive

    document = build_openapi(request.app[ROUTE_SPECS], event_models(), frame_models(), WEBHOOK_EVENTS)
    return web.json_response(document)


def register(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/api/v1/openapi.json", openapi)
