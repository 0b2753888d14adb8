"""Background blur: chosen before joining, it is applied to what the camera publishes (the other side
sees a softer picture than the raw fake camera gives), all its code, wasm and model come from the app,
and turning it off in the settings gives the raw picture back."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.steps import assert_video_plays, csp_violations, sign_in, watch_csp
from tests.helpers import register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]

# How many pixels of a video (drawn at 320x180) differ sharply from their right-hand neighbour: the fake
# camera's text, clock hand and corner squares have crisp edges; blur leaves almost none.
SHARPNESS = """(selector) => {
  const video = document.querySelector(selector);
  const canvas = Object.assign(document.createElement('canvas'), { width: 320, height: 180 });
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(video, 0, 0, 320, 180);
  const { data } = ctx.getImageData(0, 0, 320, 180);
  let edges = 0;
  for (let y = 0; y < 180; y++) for (let x = 0; x < 319; x++) {
    const i = (y * 320 + x) * 4;
    if (Math.abs(data[i + 1] - data[i + 5]) + Math.abs(data[i] - data[i + 4]) > 40) edges++;
  }
  return edges;
}"""


def hosts_contacted(page) -> set[str]:
    seen: set[str] = set()
    page.on("request", lambda request: seen.add(urlparse(request.url).scheme + "://" + urlparse(request.url).netloc))
    page.on("websocket", lambda socket: seen.add(urlparse(socket.url).scheme + "://" + urlparse(socket.url).netloc))
    return seen


async def sharpness(page, selector: str) -> float:
    """The median of a few samples, so one odd frame does not decide."""
    samples = []
    for _ in range(3):
        samples.append(await page.evaluate(SHARPNESS, selector))
        await page.wait_for_timeout(300)
    return sorted(samples)[1]


async def test_blur_changes_the_published_picture_and_loads_nothing_from_elsewhere(
    site, new_person, livekit, artifacts_dir
):
    alice = await register(site.client, display_name="Alice Blur")
    bob = await register(site.client, display_name="Bob Sees")
    response = await site.client.post("/api/v1/rooms", json={"name": "Blurry"}, headers=alice.headers)
    room_id = (await response.json())["id"]
    alice_page, bob_page = await new_person(), await new_person()
    contacted = [hosts_contacted(page) for page in (alice_page, bob_page)]
    await watch_csp(alice_page)

    await sign_in(alice_page, site, alice.user["login"])
    await alice_page.goto(site.url(f"/r/{room_id}"))
    await alice_page.wait_for_selector("[data-testid=effect-blur]:not([disabled])")
    await alice_page.click("[data-testid=effect-blur]")
    await alice_page.wait_for_selector("[data-testid=effect-blur][aria-checked=true]")
    await alice_page.wait_for_function(
        "() => localStorage.getItem('conference.effect') === 'blur'", timeout=30000
    )  # remembered once the effect runs
    save_screenshot(await alice_page.screenshot(timeout=60000), "prejoin-blur.png", artifacts_dir)
    await alice_page.click("[data-testid=join-now]")
    await alice_page.wait_for_selector("[data-testid=call]")

    await sign_in(bob_page, site, bob.user["login"])
    await bob_page.goto(site.url(f"/r/{room_id}"))
    await bob_page.click("[data-testid=join-now]")
    alice_video = f"[data-testid=tile][data-identity='{alice.id}'] video"
    await assert_video_plays(bob_page, alice_video)
    await bob_page.wait_for_timeout(1000)
    blurred = await sharpness(bob_page, alice_video)
    save_screenshot(await bob_page.screenshot(timeout=60000), "call-blur.png", artifacts_dir)

    # Alice turns the effect off in the settings: Bob gets the raw fake camera, much sharper.
    await alice_page.click("[data-testid=open-more]")
    await alice_page.click("[data-testid=open-settings]")
    await alice_page.click("[data-testid=effect-none]")
    await alice_page.wait_for_function("() => localStorage.getItem('conference.effect') === 'none'")
    await alice_page.keyboard.press("Escape")
    await bob_page.wait_for_timeout(2000)
    raw = await sharpness(bob_page, alice_video)
    assert raw > 50 and blurred < raw * 0.3, f"sharp edges: blurred {blurred} vs raw {raw}"

    assert await csp_violations(alice_page) == []  # wasm, worklets and workers all pass the page's policy
    app = "http://" + urlparse(site.url("/")).netloc
    allowed = {app, app.replace("http://", "ws://"), livekit.ws_url, livekit.http_url}
    elsewhere = {host for hosts in contacted for host in hosts} - allowed - {"data://", "blob://"}
    assert not elsewhere, elsewhere
