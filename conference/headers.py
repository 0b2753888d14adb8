"""Security headers on every answer: a strict Content-Security-Policy for the client's pages, and
nosniff / no-referrer everywhere, so one injected script cannot load code or talk to a foreign host.

Set from the response-prepare signal rather than a middleware: that also reaches file answers,
WebSocket handshakes and error pages, which are sent after (or without) a middleware's return."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from conference.settings import Settings
from conference.state import SETTINGS

_POLICIES = web.AppKey("security_headers", dict[str, str])

# Media elements take streams through srcObject, which no directive governs; blob: and data: are
# for the images and audio livekit-client makes itself. 'wasm-unsafe-eval' lets WebAssembly compile
# (the background segmentation and RNNoise, served from /vendor) and nothing else: no JavaScript eval.
PAGE_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "font-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
PERMISSIONS_POLICY = "camera=(self), microphone=(self), display-capture=(self), geolocation=(), payment=(), usb=()"


def livekit_origins(livekit_url: str) -> list[str]:
    """The LiveKit server in every scheme the client uses: ws(s) for signalling, http(s) for its
    /rtc/validate probe after a failed connect."""
    parts = urlsplit(livekit_url)
    if not parts.netloc:
        return []
    return [f"{scheme}://{parts.netloc}" for scheme in ("ws", "wss", "http", "https")]


def page_policy(settings: Settings, frame_ancestors: list[str] | None = None) -> str:
    """The client's policy; `frame_ancestors` lets those origins frame the page (/embed/<id> only)."""
    connect = " ".join(["connect-src 'self'", *livekit_origins(settings.livekit_url)])
    directives = list(PAGE_DIRECTIVES)
    if frame_ancestors:
        directives = [d for d in directives if not d.startswith("frame-ancestors")]
        directives.append("frame-ancestors " + " ".join(frame_ancestors))
    return "; ".join([*directives, connect])


async def _add_headers(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    if response.content_type == "text/html":
        headers.setdefault("Content-Security-Policy", request.app[_POLICIES]["page"])
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    elif request.path.startswith("/api/"):
        headers.setdefault("Content-Security-Policy", API_POLICY)


def register(app: web.Application) -> None:
    app[_POLICIES] = {"page": page_policy(app[SETTINGS])}
    app.on_response_prepare.append(_add_headers)
