"""Page weight: what Chromium downloads to show the home page and the pre-join page of a room.

Starts one `conference serve` process (SQLite, no LiveKit: neither page connects to it), signs a
user up through the API, creates a room, then opens each page in a fresh browser context (cold
cache) and counts, through the DevTools protocol, every request and the bytes it took on the wire
(`Network.loadingFinished.encodedDataLength`: headers plus the body as sent, compressed or not).
Each page is timed from navigation to its control being usable, on loopback and with DevTools'
"Fast 3G" profile. A second visit in the same context shows what revalidation costs.

    .venv/bin/python bench/page_weight.py [--repo PATH] [--json FILE]

`--repo` serves another checkout's conference/ and web/ (say, `git archive main`, with
web/node_modules linked in) to measure a before/after pair on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.servers import _Process, free_port  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
# DevTools' "Fast 3G" preset (bytes per second, milliseconds).
FAST_3G = {"offline": False, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375}
PAGES = {"home": ("/", "[data-testid=create-room]"), "pre-join": ("/r/{room}", "[data-testid=join-now]")}


class App(_Process):
    name = "conference serve"

    def __init__(self, repo: Path, tmp: Path):
        self.port = free_port()
        env = {
            **os.environ,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'pages.db'}",
            "WEB_DIR": str(repo / "web"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")])),
            "LOG_LEVEL": "WARNING",
        }
        super().__init__([sys.executable, "-m", "conference", "serve"], tmp / "app.log", cwd=repo, env=env)
        self.wait_until(self._up, 60, f"answering on port {self.port}")

    def _up(self) -> bool:
        with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response:
            return response.status == 200

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def call(self, method: str, path: str, body: dict, token: str | None = None) -> dict:
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        request = urllib.request.Request(
            f"{self.base}/api/v1{path}", method=method, data=json.dumps(body).encode(), headers=headers
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())


@dataclass
class Visit:
    page: str
    network: str
    requests: int = 0
    bytes: int = 0
    static_requests: int = 0
    static_bytes: int = 0
    ready_ms: float = 0.0
    largest: list[tuple[str, int]] = field(default_factory=list)


async def visit(context, app: App, page_name: str, path: str, ready: str, network: str, repeat: bool) -> Visit:
    """Opens `path` (twice when `repeat`, counting the second visit) and tallies its network."""
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    if network == "fast-3g":
        await cdp.send("Network.emulateNetworkConditions", FAST_3G)
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    if repeat:
        await page.goto(app.base + path)
        await page.wait_for_selector(ready, timeout=120_000)
        await page.wait_for_load_state("networkidle")
        urls.clear()
        sizes.clear()
    started = time.perf_counter()
    await page.goto(app.base + path)
    await page.wait_for_selector(ready, state="visible", timeout=120_000)
    ready_ms = (time.perf_counter() - started) * 1000
    await page.wait_for_load_state("networkidle")
    await page.close()
    result = Visit(page_name + (" (again)" if repeat else ""), network, ready_ms=ready_ms)
    for request_id, url in urls.items():
        if url.startswith("data:"):
            continue
        size = sizes.get(request_id, 0)
        result.requests += 1
        result.bytes += size
        if "/api/" not in url:
            result.static_requests += 1
            result.static_bytes += size
        result.largest.append((url.replace(app.base, ""), size))
    result.largest = sorted(result.largest, key=lambda item: -item[1])[:3]
    return result


async def measure(app: App, room_id: str, session: dict) -> list[Visit]:
    import playwright.async_api as playwright_api

    stored = json.dumps({**session, "expires_at": int(time.time() * 1000) + 600_000})
    init = f"localStorage.setItem('conference.session', {json.dumps(stored)})"
    visits = []
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for network in ("loopback", "fast-3g"):
                for name, (path, ready) in PAGES.items():
                    for repeat in (False, True) if network == "loopback" else (False,):
                        context = await browser.new_context(permissions=["camera", "microphone"])
                        await context.add_init_script(init)
                        try:
                            visits.append(
                                await visit(context, app, name, path.format(room=room_id), ready, network, repeat)
                            )
                        finally:
                            await context.close()
        finally:
            await browser.close()
    return visits


def report(visits: list[Visit]) -> None:
    print(f"{'page':<18} {'network':<9} {'requests':>8} {'KB on the wire':>14} {'static KB':>9} {'ready ms':>9}")
    for v in visits:
        print(
            f"{v.page:<18} {v.network:<9} {v.requests:>8} {v.bytes / 1000:>14.1f} {v.static_bytes / 1000:>9.1f}"
            f" {v.ready_ms:>9.0f}"
        )
    print()
    for v in visits:
        if v.network == "loopback" and "again" not in v.page:
            print(f"  largest on {v.page}: " + ", ".join(f"{url} {size / 1000:.1f} KB" for url, size in v.largest))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose conference/ and web/ to serve")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="page-weight-"))
    from conference.migrations import migrate

    asyncio.run(migrate(f"sqlite+aiosqlite:///{tmp / 'pages.db'}"))
    app = App(args.repo.resolve(), tmp)
    try:
        signed_up = app.call("POST", "/auth/register", {"login": f"pages{int(time.time())}", "password": "password123"})
        room = app.call("POST", "/rooms", {"name": "page weight"}, signed_up["access_token"])
        session = {k: signed_up[k] for k in ("access_token", "refresh_token", "user")}
        visits = asyncio.run(measure(app, room["id"], session))
    finally:
        app.stop()
    print(f"page weight of {args.repo.resolve()} (fresh browser context per visit; 'again' = second visit)")
    report(visits)
    if args.json:
        args.json.write_text(json.dumps([asdict(v) for v in visits], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
