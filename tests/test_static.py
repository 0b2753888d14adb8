"""The web client as the app serves it: compressed text assets with validators, the minified
livekit-client, and the home page without it."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import brotli
import pytest

WEB = Path(__file__).resolve().parent.parent / "web"
DIST = WEB / "node_modules" / "livekit-client" / "dist"


async def fetch(client, path: str, accept: str, **headers: str):
    response = await client.get(path, headers={"Accept-Encoding": accept, **headers}, auto_decompress=False)
    return response, await response.read()


@pytest.mark.parametrize(
    "accept, encoding",
    [("gzip, deflate, br, zstd", "br"), ("gzip, deflate", "gzip"), ("", None), ("br;q=0, gzip", "gzip")],
)
async def test_text_assets_go_out_in_the_best_encoding_the_browser_takes(make_api, accept, encoding):
    async with make_api() as client:
        response, body = await fetch(client, "/app.js", accept)
        assert response.status == 200 and response.content_type == "text/javascript"
        assert response.headers.get("Content-Encoding") == encoding
        decoded = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding](body)
        assert decoded == (WEB / "app.js").read_bytes()
        assert response.headers["Vary"] == "Accept-Encoding" and response.headers["Cache-Control"] == "no-cache"
        again, _ = await fetch(client, "/app.js", accept, **{"If-None-Match": response.headers["ETag"]})
        assert again.status == 304


async def test_client_routes_get_index_html_compressed(make_api):
    async with make_api() as client:
        response, body = await fetch(client, "/r/abc-defg-hij", "br")
        assert response.status == 200 and response.content_type == "text/html"
        assert brotli.decompress(body) == (WEB / "index.html").read_bytes()


async def test_livekit_client_is_served_minified_and_precompressed(make_api):
    async with make_api() as client:
        response, body = await fetch(client, "/vendor/livekit-client/livekit-client.esm.min.mjs", "gzip, br")
        assert response.status == 200 and response.headers["Content-Encoding"] == "br"
        assert response.headers["Cache-Control"] == "public, max-age=3600"
        assert body == (DIST / "livekit-client.esm.min.mjs.br").read_bytes()  # built by npm ci, brotli 11
        source = brotli.decompress(body)
        assert source == (DIST / "livekit-client.esm.min.mjs").read_bytes()
        assert len(source) < (DIST / "livekit-client.esm.mjs").stat().st_size / 2 and len(body) < 200_000


def static_imports(module: Path) -> set[Path]:
    """The modules `module` loads before it runs (import ... from, export ... from), transitively."""
    found: set[Path] = set()
    pending = [module]
    while pending:
        source = pending.pop().resolve()
        for spec in re.findall(r"""^(?:import|export)\b[^;]*?\bfrom\s+['"]([^'"]+)['"]""", source.read_text(), re.M):
            target = (source.parent / spec).resolve() if spec.startswith(".") else Path(spec)
            if target not in found:
                found.add(target)
                if target.is_file():
                    pending.append(target)
    return found


@pytest.mark.parametrize("page", ["pages/home.js", "pages/login.js"])
def test_only_the_room_page_loads_livekit_client(page):
    assert "livekit" not in (WEB / "index.html").read_text()  # no preload
    loaded = static_imports(WEB / "app.js") | static_imports(WEB / page)
    assert (WEB / "room" / "livekit.js") not in loaded
    assert (WEB / "room" / "livekit.js") in static_imports(WEB / "pages" / "room.js")


async def test_a_changed_file_is_sent_anew_and_a_missing_minified_build_has_a_stand_in(make_api, tmp_path):
    web_dir = tmp_path / "web"
    web_dir.mkdir()
    (web_dir / "index.html").write_text("<!doctype html><title></title>")
    (web_dir / "app.js").write_text("export const version = 1;\n")
    dist = web_dir / "node_modules" / "livekit-client" / "dist"
    dist.mkdir(parents=True)
    shutil.copyfile(WEB / "app.js", dist / "livekit-client.esm.mjs")
    async with make_api(web_dir=web_dir) as client:
        first, body = await fetch(client, "/app.js", "gzip")
        assert gzip.decompress(body) == b"export const version = 1;\n"
        (web_dir / "app.js").write_text("export const version = 22;\n")
        second, body = await fetch(client, "/app.js", "gzip", **{"If-None-Match": first.headers["ETag"]})
        assert second.status == 200 and second.headers["ETag"] != first.headers["ETag"]
        assert gzip.decompress(body) == b"export const version = 22;\n"
        stand_in, body = await fetch(client, "/vendor/livekit-client/livekit-client.esm.min.mjs", "")
        assert stand_in.status == 200 and body == (WEB / "app.js").read_bytes()
        missing, _ = await fetch(client, "/vendor/livekit-client/nothing.mjs", "")
        assert missing.status == 404


async def test_track_processors_import_the_livekit_client_the_room_page_loads(make_api):
    """One copy of livekit-client on the page: room/livekit.js, the embed page's preload and
    track-processors' rewritten bare import all name the minified build."""
    from conference.static import BARE_IMPORTS

    url = BARE_IMPORTS["livekit-client"]
    assert url == "/vendor/livekit-client/livekit-client.esm.min.mjs"
    assert url in (WEB / "room" / "livekit.js").read_text() and url in (WEB / "embed.html").read_text()
    async with make_api() as client:
        response, body = await fetch(client, "/vendor/livekit-track-processors/index.mjs", "gzip")
        assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
        source = gzip.decompress(body).decode()
        assert url in source and not re.search(r"""from\s*["']livekit-client["']""", source)
        again, _ = await fetch(
            client, "/vendor/livekit-track-processors/index.mjs", "gzip", **{"If-None-Match": response.headers["ETag"]}
        )
        assert again.status == 304
