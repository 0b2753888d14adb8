"""Serves the browser client from web/, livekit-client from web/node_modules, and index.html
for every client-side route such as /r/<room-id>."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from conference.errors import NotFound
from conference.state import SETTINGS  # read before Deps exists: static files need no resources

VENDOR = {"livekit-client": Path("node_modules/livekit-client/dist")}


def _inside(root: Path, relative: str) -> Path | None:
    candidate = (root / relative).resolve()
    if candidate != root and root not in candidate.parents:
        return None
    return candidate if candidate.is_file() else None


async def vendor_file(request: web.Request) -> web.StreamResponse:
    web_dir = request.app[SETTINGS].web_dir.resolve()
    package = VENDOR.get(request.match_info["package"])
    found = _inside((web_dir / package).resolve(), request.match_info["path"]) if package else None
    if found is None:
        raise NotFound("no such file; run npm install in web/")
    return web.FileResponse(found, headers={"Cache-Control": "public, max-age=3600"})


async def client_file(request: web.Request) -> web.StreamResponse:
    path = request.match_info["path"]
    if path.startswith("api/"):
        raise NotFound("no such endpoint")
    web_dir = request.app[SETTINGS].web_dir.resolve()
    found = _inside(web_dir, path) if path and not path.startswith("node_modules") else None
    if found is None:
        found = web_dir / "index.html"
        if not found.is_file():
            raise NotFound("the web client is not installed")
    return web.FileResponse(found, headers={"Cache-Control": "no-cache"})


def register(app: web.Application) -> None:
    app.router.add_get("/vendor/{package}/{path:.+}", vendor_file)
    app.router.add_get("/{path:.*}", client_file)
