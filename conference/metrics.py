"""Prometheus metrics, one registry per app so tests and replicas never share counters."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "conference_http_requests_total",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "conference_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.tokens = Counter(
            "conference_media_tokens_minted_total", "LiveKit media tokens minted", registry=self.registry
        )
        self.webhooks = Counter(
            "conference_livekit_webhooks_total",
            "LiveKit webhooks by event and outcome",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.connections = Gauge("conference_ws_connections", "Open WebSocket connections", registry=self.registry)
        # (method, route, status) -> its counter and histogram children: labels() takes a lock
        # and builds a key on every call, and every request counts itself.
        self._per_request: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def count_request(self, method: str, route: str, status: int, seconds: float) -> None:
        children = self._per_request.get((method, route, status))
        if children is None:
            children = (self.requests.labels(method, route, str(status)), self.latency.labels(method, route))
            if len(self._per_request) < 10_000:  # methods are client-chosen text
                self._per_request[(method, route, status)] = children
        children[0].inc()
        children[1].observe(seconds)


def _route_of(request: web.Request) -> str:
    resource = request.match_info.route.resource
    if resource is None:
        return "unmatched"
    canonical = resource.canonical
    return canonical if canonical.startswith("/api") or canonical in ("/healthz", "/readyz", "/metrics") else "static"


@web.middleware
async def metrics_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as http:
        status = http.status
        raise
    finally:
        request.app[METRICS].count_request(request.method, _route_of(request), status, time.perf_counter() - started)


METRICS = web.AppKey("metrics", Metrics)
