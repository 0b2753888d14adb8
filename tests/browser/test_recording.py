"""Recording in Chromium: the host records, everyone in the call sees REC, a latecomer is told,
and the finished recording plays from the call history."""

from __future__ import annotations

import pytest

from tests.browser.conftest import Site, save_screenshot
from tests.browser.steps import join_from_prejoin, sign_in, sign_up
from tests.helpers import register, unique_login
from tests.recordings.conftest import RECORDING

pytestmark = [pytest.mark.browser, pytest.mark.livekit]
BADGE = "[data-testid=rec-badge]"


@pytest.fixture
async def site(make_api, livekit, tmp_path) -> Site:
    """The browser tests' site, with a recorder worker in the app's process as `conference serve` runs it."""
    async with make_api(
        "sqlite",
        port=livekit.webhook_port,
        recordings_dir=tmp_path / "recordings",
        recorder_in_process=True,
        **RECORDING,
    ) as client:
        yield Site(client)


async def test_the_host_records_everyone_sees_rec_and_the_recording_plays_from_history(site, new_person, artifacts_dir):
    alice, bob = await new_person(), await new_person()
    bob_account, carol_account = await register(site.client), await register(site.client)
    await sign_up(alice, site, unique_login("alice"), "Alice Host")
    await sign_in(bob, site, bob_account.user["login"])
    await alice.fill("[data-testid=create-room-name]", "Recorded review")
    await alice.click("[data-testid=create-room]")
    await join_from_prejoin(alice)
    room_id = (await alice.text_content("[data-testid=room-id]")).strip()
    await bob.goto(site.url(f"/r/{room_id}"))
    await join_from_prejoin(bob)

    # Only the host has the button; nobody sees REC before it starts.
    assert await bob.locator("[data-testid=toggle-recording]").count() == 0
    assert not await alice.is_visible(BADGE) and not await bob.is_visible(BADGE)
    await alice.click("[data-testid=toggle-recording]")
    await alice.wait_for_selector(BADGE, state="visible")
    await bob.wait_for_selector(BADGE, state="visible", timeout=20000)
    await bob.wait_for_selector("[data-testid=toast] >> text=This call is being recorded.")

    # Someone who comes in while it runs is told at once.
    carol = await new_person()
    await sign_in(carol, site, carol_account.user["login"])
    await carol.goto(site.url(f"/r/{room_id}"))
    await join_from_prejoin(carol)
    await carol.wait_for_selector(BADGE, state="visible")
    await carol.wait_for_selector("[data-testid=toast] >> text=This call is being recorded.")
    save_screenshot(await carol.screenshot(), "recording-call.png", artifacts_dir)
    await carol.close()

    await alice.wait_for_timeout(3000)
    await alice.click("[data-testid=toggle-recording]")
    await alice.wait_for_selector(BADGE, state="hidden")
    await bob.wait_for_selector(BADGE, state="hidden", timeout=15000)

    # Home, history: the recording is there with its length and size, and its player plays it.
    await alice.goto(site.url("/"))
    video = f"[data-testid=history-item][data-room-id='{room_id}'] [data-testid=recording-video]"
    for _ in range(40):
        await alice.click("[data-testid=tab-history]")
        await alice.wait_for_selector("[data-testid=call-history], [data-testid=call-history-empty]")
        await alice.wait_for_timeout(500)
        if await alice.locator(video).count():
            break
        await alice.click("[data-testid=tab-rooms]")
    await alice.click(f"[data-testid=history-item][data-room-id='{room_id}'] [data-testid=history-recordings] summary")
    facts = await alice.text_content("[data-testid=recording-item]")
    assert " s" in facts and ("KB" in facts or "MB" in facts), facts
    await alice.wait_for_selector("[data-testid=recording-download]:not([hidden])")
    await alice.eval_on_selector(video, "v => { v.muted = true; return v.play(); }")
    await alice.wait_for_function(
        "(selector) => document.querySelector(selector).readyState >= 2", arg=video, timeout=15000
    )
    assert await alice.eval_on_selector(video, "v => v.videoWidth") == RECORDING["recording_width"]
    save_screenshot(await alice.screenshot(), "recording-history.png", artifacts_dir)
