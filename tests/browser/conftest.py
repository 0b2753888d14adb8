"""Browser fixtures: Debian's Chromium driven by Playwright, with fake camera, microphone and screen.

chromium      one headless Chromium per test module (never downloaded: CHROMIUM_BIN or /usr/bin/chromium)
site          the real app (SQLite, real LiveKit with webhooks) with its base URL
new_person    factory: a separate browser context (own storage, own fake devices) with one page
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    # getDisplayMedia picks a screen by itself instead of showing the picker.
    "--auto-select-desktop-capture-source=Entire screen",
    "--auto-accept-this-tab-capture",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
SCREENSHOTS_FOR_README = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
async def chromium():
    import playwright.async_api as playwright_api

    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        await browser.close()


@dataclass
class Site:
    client: object  # aiohttp TestClient of the running app

    def url(self, path: str = "/") -> str:
        return str(self.client.make_url(path))


@pytest.fixture
async def site(live_api) -> Site:
    return Site(live_api)


@pytest.fixture
async def new_person(chromium, site, request):
    contexts = []
    request.node.browser_pages = []

    async def open_page(locale: str = "en-US", width: int = 1280, height: int = 800):
        context = await chromium.new_context(
            viewport={"width": width, "height": height},
            locale=locale,
            permissions=["camera", "microphone", "clipboard-read", "clipboard-write"],
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        page = await context.new_page()
        page.console_lines = []
        page.on("console", lambda message: page.console_lines.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: page.console_lines.append(f"pageerror: {error}"))
        request.node.browser_pages.append(page)
        return page

    yield open_page
    for context in contexts:
        await context.close()


def save_screenshot(png: bytes, name: str, artifacts_dir: Path) -> None:
    """Keeps a screenshot with the test artifacts and as the README's picture."""
    (artifacts_dir / name).write_bytes(png)
    SCREENSHOTS_FOR_README.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS_FOR_README / name).write_bytes(png)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed browser test, print what the pages logged: the quickest way to see why."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    pages = getattr(item, "browser_pages", [])
    for index, page in enumerate(pages):
        lines = getattr(page, "console_lines", [])[-40:]
        report.sections.append((f"browser page {index} console", "\n".join(lines) or "(nothing logged)"))
