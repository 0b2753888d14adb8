"""Serves the browser client from web/, its npm packages from web/node_modules (nothing from a
CDN), and index.html for every client-side route such as /r/<room-id>."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from aiohttp import web

from conference.errors import NotFound
from conference.state import SETTINGS  # read before Deps exists: static files need no resources

VENDOR = {
    "livekit-client": Path("node_modules/livekit-client/dist"),  # also its e2ee worker
    # Background effects: the processor pipeline, and the segmentation solution with its wasm and model.
    "livekit-track-processors": Path("node_modules/@livekit/track-processors/dist"),
    "mediapipe-tasks-vision": Path("node_modules/@mediapipe/tasks-vision"),
    "mediapipe-selfie-segmentation": Path("node_modules/@mediapipe/selfie_segmentation"),
    # Noise suppression: RNNoise built to wasm, and its audio worklet.
    "web-noise-suppressor": Path("node_modules/@sapphi-red/web-noise-suppressor/dist"),
}
# With no bundler, a package's bare imports point at the files this module serves; the same URL the
# client imports livekit-client from, so there is one copy of it on the page.
BARE_IMPORTS = {
    "livekit-client": "/vendor/livekit-client/livekit-client.esm.mjs",
    "@mediapipe/tasks-vision": "/vendor/mediapipe-tasks-vision/vision_bundle.mjs",
}
BARE_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(livekit-client|@mediapipe/tasks-vision)\2""")
REWRITTEN = {"livekit-track-processors"}


def rewrite_imports(source: str) -> str:
    return BARE_IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)}{BARE_IMPORTS[m.group(3)]}{m.group(2)}", source)


@lru_cache(maxsize=16)
def _rewritten(path: Path, _mtime: float) -> str:
    return rewrite_imports(path.read_text(encoding="utf-8"))


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
    cache = {"Cache-Control": "public, max-age=3600"}
    if request.match_info["package"] in REWRITTEN and found.suffix in (".mjs", ".js"):
        text = _rewritten(found, found.stat().st_mtime)
        return web.Response(text=text, content_type="text/javascript", headers=cache)
    return web.FileResponse(found, headers=cache)


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
