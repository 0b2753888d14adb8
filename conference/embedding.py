"""GET /embed/<room-id>: the call alone, for an <iframe> on an integrator's site. Only the origins listed on
the API key that created the room may frame it (Content-Security-Policy frame-ancestors); the page learns
the same list (a meta tag), and talks postMessage with those origins only (web/embed.js, docs/embedding.md)."""

from __future__ import annotations

import html

from aiohttp import web

from conference.accounts.models import ApiKey
from conference.deps import DEPS
from conference.headers import page_policy
from conference.rooms.codes import normalize_room_code
from conference.rooms.models import Room

ORIGINS_META = '<meta name="conference-embed-origins" content="">'


async def framing_origins(request: web.Request, raw_id: str) -> list[str]:
    """The origins allowed to frame this room: its API key's, while the key is valid; none otherwise."""
    code = normalize_room_code(raw_id)
    if code is None:
        return []
    async with request.app[DEPS].db() as db:
        room = await db.get(Room, code)
        key = await db.get(ApiKey, room.api_key_id) if room is not None and room.api_key_id else None
    if key is None or key.revoked_at is not None:
        return []
    return [str(origin) for origin in key.allowed_origins or []]


async def embed_page(request: web.Request) -> web.StreamResponse:
    settings = request.app[DEPS].settings
    page = settings.web_dir / "embed.html"
    if not page.is_file():
        raise web.HTTPNotFound()
    origins = await framing_origins(request, request.match_info["room_id"])
    text = page.read_text().replace(
        ORIGINS_META, f'<meta name="conference-embed-origins" content="{html.escape(" ".join(origins))}">'
    )
    policy = page_policy(settings, frame_ancestors=origins)
    return web.Response(
        text=text,
        content_type="text/html",
        headers={"Content-Security-Policy": policy, "Cache-Control": "no-store"},
    )


def register(app: web.Application) -> None:
    """Before the client's catch-all route (static.py), which would serve index.html here."""
    app.router.add_get("/embed/{room_id}", embed_page)
