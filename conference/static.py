"""Serves the browser client from web/, its npm packages from web/node_modules (nothing from a
CDN), and index.html for every client-side route such as /r/<room-id>.

Text assets go out compressed (brotli, else gzip, as the browser accepts) with an ETag: a
precompressed sibling (`file.br`, `file.gz`, written by web/build-vendor.mjs for the big
livekit-client build) is used while it is newer than its source, anything else is compressed
once per process on first request and kept in memory until the file changes."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import brotli
from aiohttp import web

from conference.errors import NotFound
from conference.state import SETTINGS  # read before Deps exists: static files need no resources

log = logging.getLogger("conference.static")
VENDOR = {
    "livekit-client": Path("node_modules/livekit-client/dist"),  # also its e2ee worker
    # Background effects: the processor pipeline, and the segmentation solution with its wasm and model.
    "livekit-track-processors": Path("node_modules/@livekit/track-processors/dist"),
    "mediapipe-tasks-vision": Path("node_modules/@mediapipe/tasks-vision"),
    "mediapipe-selfie-segmentation": Path("node_modules/@mediapipe/selfie_segmentation"),
    # Noise suppression: RNNoise built to wasm, and its audio worklet.
    "web-noise-suppressor": Path("node_modules/@sapphi-red/web-noise-suppressor/dist"),
}
# Built by `npm ci` in web/ (build-vendor.mjs); until then the unminified build stands in.
MINIFIED_STAND_INS = {"livekit-client.esm.min.mjs": "livekit-client.esm.mjs"}
# With no bundler, a package's bare imports point at the files this module serves; the same URL the
# client imports livekit-client from (room/livekit.js), so there is one copy of it on the page.
BARE_IMPORTS = {
    "livekit-client": "/vendor/livekit-client/livekit-client.esm.min.mjs",
    "@mediapipe/tasks-vision": "/vendor/mediapipe-tasks-vision/vision_bundle.mjs",
}
BARE_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(livekit-client|@mediapipe/tasks-vision)\2""")
REWRITTEN = {"livekit-track-processors"}
# Part of a rewritten file's ETag: the same file rewritten to other URLs is another version.
REWRITE_TAG = hashlib.sha256(repr(sorted(BARE_IMPORTS.items())).encode()).hexdigest()[:8]
COMPRESSIBLE = {".html", ".js", ".mjs", ".css", ".json", ".svg", ".map", ".txt"}
CONTENT_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".map": "application/json"}
BROTLI_QUALITY = 5  # at request time; the precompressed vendor build uses 11
GZIP_LEVEL = 6


def rewrite_imports(source: str) -> str:
    return BARE_IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)}{BARE_IMPORTS[m.group(3)]}{m.group(2)}", source)


@dataclass
class Encoded:
    """One version of a file and the encodings of it made so far."""

    version: tuple[int, int]  # (mtime_ns, size) of the source
    etag: str
    content_type: str
    bodies: dict[str, bytes]  # "identity", then "br" and "gzip" once asked for
    rewritten: bool  # bare imports pointed at /vendor/ (so a precompressed sibling does not fit)


class StaticFiles:
    """This process's encoded copies of the text assets, made once per file version and
    encoding, in a thread (brotli over the 1.4 MB unminified livekit-client takes a second)."""

    def __init__(self) -> None:
        self._files: dict[Path, Encoded] = {}
        self._making: dict[tuple[Path, str], asyncio.Future[bytes]] = {}

    async def encoded(self, path: Path, encoding: str, *, rewrite: bool = False) -> tuple[Encoded, bytes]:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        known = self._files.get(path)
        if known is None or known.version != version or known.rewritten != rewrite:
            raw = await asyncio.to_thread(_read, path, rewrite)
            etag = f"{version[0]:x}-{version[1]:x}" + (f"-{REWRITE_TAG}" if rewrite else "")
            known = Encoded(version, etag, _content_type(path), {"identity": raw}, rewrite)
            self._files[path] = known
        body = known.bodies.get(encoding)
        if body is None:
            key = (path, encoding)
            making = self._making.get(key)
            if making is None:
                raw = known.bodies["identity"]
                making = asyncio.ensure_future(asyncio.to_thread(_compress, path, raw, encoding, known.rewritten))
                self._making[key] = making
                making.add_done_callback(lambda _: self._making.pop(key, None))
            body = await asyncio.shield(making)
            if self._files.get(path) is known:
                known.bodies[encoding] = body
        return known, body

    async def warm(self, web_dir: Path) -> None:
        """Encodes every text asset ahead of the first visitor (a serving process does this at startup)."""
        roots = [web_dir / VENDOR["livekit-client"] / name for name in MINIFIED_STAND_INS]
        assets = [path for path in web_dir.rglob("*") if "node_modules" not in path.parts] + roots
        for path in assets:
            if path.suffix in COMPRESSIBLE and path.is_file():
                for encoding in ("br", "gzip"):
                    await self.encoded(path, encoding)


STATIC_FILES = web.AppKey("static_files", StaticFiles)


def _read(path: Path, rewrite: bool) -> bytes:
    return rewrite_imports(path.read_text(encoding="utf-8")).encode() if rewrite else path.read_bytes()


def _content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _compress(path: Path, raw: bytes, encoding: str, rewritten: bool) -> bytes:
    if encoding == "br":
        return (None if rewritten else _fresh_sibling(path, ".br")) or brotli.compress(raw, quality=BROTLI_QUALITY)
    return (None if rewritten else _fresh_sibling(path, ".gz")) or gzip.compress(raw, GZIP_LEVEL, mtime=0)


def _fresh_sibling(path: Path, suffix: str) -> bytes | None:
    sibling = path.with_name(path.name + suffix)
    try:
        if sibling.stat().st_mtime_ns >= path.stat().st_mtime_ns:
            return sibling.read_bytes()
    except OSError:
        pass
    return None


def _encoding_for(accept_encoding: str) -> str:
    accepted = {
        part.split(";")[0].strip().lower()
        for part in accept_encoding.split(",")
        if not part.replace(" ", "").endswith(";q=0")
    }
    for encoding in ("br", "gzip"):
        if encoding in accepted:
            return encoding
    return "identity"


async def send_file(
    request: web.Request, path: Path, cache_control: str, *, rewrite: bool = False
) -> web.StreamResponse:
    if path.suffix not in COMPRESSIBLE:
        return web.FileResponse(path, headers={"Cache-Control": cache_control})
    encoding = _encoding_for(request.headers.get("Accept-Encoding", ""))
    encoded, body = await request.app[STATIC_FILES].encoded(path, encoding, rewrite=rewrite)
    etag = f'"{encoded.etag}-{encoding}"'
    headers = {"Cache-Control": cache_control, "ETag": etag, "Vary": "Accept-Encoding"}
    if etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    return web.Response(body=body, headers=headers, content_type=encoded.content_type)


def _inside(root: Path, relative: str) -> Path | None:
    candidate = (root / relative).resolve()
    if candidate != root and root not in candidate.parents:
        return None
    return candidate if candidate.is_file() else None


async def vendor_file(request: web.Request) -> web.StreamResponse:
    web_dir = request.app[SETTINGS].web_dir.resolve()
    name = request.match_info["package"]
    package = VENDOR.get(name)
    relative = request.match_info["path"]
    root = (web_dir / package).resolve() if package else None
    found = _inside(root, relative) if root else None
    if found is None and root and name == "livekit-client" and relative in MINIFIED_STAND_INS:
        log.warning("%s is not built (npm ci in web/ builds it); serving the unminified build", relative)
        found = _inside(root, MINIFIED_STAND_INS[relative])
    if found is None:
        raise NotFound("no such file; run npm install in web/")
    rewrite = name in REWRITTEN and found.suffix in (".mjs", ".js")
    return await send_file(request, found, "public, max-age=3600", rewrite=rewrite)


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
    return await send_file(request, found, "no-cache")


async def warm_up(app: web.Application) -> None:
    """An on_startup hook for a serving process: encodes every asset in the background."""
    task = asyncio.create_task(app[STATIC_FILES].warm(app[SETTINGS].web_dir.resolve()))
    app[WARMING] = task  # held, so it is not collected half-way
    task.add_done_callback(_log_warm_failure)


def _log_warm_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not encode the static files ahead: %r", task.exception())


WARMING = web.AppKey("static_warming", asyncio.Task[None])


def register(app: web.Application) -> None:
    app[STATIC_FILES] = StaticFiles()
    app.router.add_get("/vendor/{package}/{path:.+}", vendor_file)
    app.router.add_get("/{path:.*}", client_file)
