"""In the call with three people: hands go up in order and a host lowers one, a reaction floats for
the others; a private message, mute-all silencing everyone but the host and telling each, a role
change to viewer taking the publish controls away live; then devices, shortcuts and the help dialog."""

from __future__ import annotations

import pytest

from tests.browser.conftest import save_screenshot
from tests.browser.steps import join_from_prejoin, sign_in
from tests.helpers import register

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def in_room(new_person, site, account, room_id, **page_options):
    page = await new_person(**page_options)
    await sign_in(page, site, account.user["login"])
    await page.goto(site.url(f"/r/{room_id}"))
    await join_from_prejoin(page)
    return page


async def hand_order(page) -> list[str]:
    """Identities of the raised hands as the tiles number them."""
    tiles = await page.eval_on_selector_all(
        "[data-testid=tile][data-hand]:not([data-hand='0'])",
        "els => els.map(e => [e.dataset.hand, e.dataset.identity])",
    )
    return [identity for _, identity in sorted(tiles)]


async def wait_hand_order(page, expected: list[str]):
    await page.wait_for_function(
        """(expected) => {
          const tiles = [...document.querySelectorAll("[data-testid=tile][data-hand]:not([data-hand='0'])")];
          const order = tiles.sort((a, b) => a.dataset.hand - b.dataset.hand).map((e) => e.dataset.identity);
          return JSON.stringify(order) === JSON.stringify(expected);
        }""",
        arg=expected,
        timeout=15000,
    )


async def pick(page, menu_button: str, item: str):
    await page.click(menu_button)
    await page.click(f"[role=menu]:not([hidden]) [data-testid={item}]")


async def town_hall(site, new_person):
    """Hannah hosts; Ann and Bob (who reads Russian) are in the call with her. Answers the accounts and pages."""
    host = await register(site.client, display_name="Hannah Host")
    ann = await register(site.client, display_name="Ann Early")
    bob = await register(site.client, display_name="Bob Later")
    response = await site.client.post("/api/v1/rooms", json={"name": "Town hall"}, headers=host.headers)
    room_id = (await response.json())["id"]
    host_page = await in_room(new_person, site, host, room_id)
    ann_page = await in_room(new_person, site, ann, room_id)
    bob_page = await in_room(new_person, site, bob, room_id, locale="ru-RU")
    for page in (host_page, ann_page, bob_page):
        await page.wait_for_selector("[data-testid=tile] >> nth=2")
    return (host, ann, bob), (host_page, ann_page, bob_page)


async def test_hands_in_order_lowered_by_a_host_and_a_reaction(site, new_person, artifacts_dir):
    (host, ann, bob), (host_page, ann_page, bob_page) = await town_hall(site, new_person)

    # Ann raises her hand with the button, Bob with the H key: everyone sees Ann first, Bob second.
    await ann_page.click("[data-testid=toggle-hand]")
    await ann_page.wait_for_selector("[data-testid=toggle-hand][aria-pressed=true]")
    await bob_page.keyboard.press("h")
    for page in (host_page, ann_page, bob_page):
        await wait_hand_order(page, [ann.id, bob.id])
    await host_page.click("[data-testid=toggle-people]")
    queue = await host_page.eval_on_selector_all("[data-testid=hand-item]", "els => els.map(e => e.dataset.identity)")
    assert queue == [ann.id, bob.id]
    save_screenshot(await host_page.screenshot(), "call-hand-queue.png", artifacts_dir)

    # The host lowers Ann's hand from her tile's menu; Bob moves up, Ann is told.
    ann_tile = f"[data-testid=tile][data-identity='{ann.id}']"
    await host_page.hover(ann_tile)
    await pick(host_page, f"{ann_tile} [data-testid=tile-menu]", "lower-hand")
    for page in (host_page, ann_page, bob_page):
        await wait_hand_order(page, [bob.id])
    await ann_page.wait_for_selector("[data-testid=toggle-hand][aria-pressed=false]")
    await ann_page.wait_for_selector("[data-testid=toast] >> text=A host lowered your hand.")

    # A reaction from Ann floats over her tile for the others.
    await pick(ann_page, "[data-testid=open-reactions]", "send-reaction")
    for page in (host_page, bob_page):
        await page.wait_for_selector(f"{ann_tile} [data-testid=reaction][data-emoji='👍']", timeout=10000)
    save_screenshot(await bob_page.screenshot(), "call-reaction.png", artifacts_dir)


async def test_a_private_message_mute_all_and_a_live_demotion_to_viewer(site, new_person, artifacts_dir):
    (host, ann, bob), (host_page, ann_page, bob_page) = await town_hall(site, new_person)
    ann_tile = f"[data-testid=tile][data-identity='{ann.id}']"

    # A private message from Ann's menu, without leaving the call; Ann reads it as it arrives.
    await host_page.hover(ann_tile)
    await pick(host_page, f"{ann_tile} [data-testid=tile-menu]", "message-person")
    await host_page.fill("[data-testid=dm-dialog] [data-testid=dm-input]", "Your turn after Bob")
    await host_page.keyboard.press("Enter")
    await host_page.wait_for_selector("[data-testid=dm-dialog] >> text=Your turn after Bob")
    await ann_page.wait_for_selector(
        "[data-testid=toast] >> text=Private message from Hannah Host: Your turn after Bob"
    )
    save_screenshot(await host_page.screenshot(), "call-private-message.png", artifacts_dir)
    await host_page.click("[data-testid=dm-dialog-close]")

    # Mute everyone: Ann and Bob are muted and told who did it; the host is not.
    await pick(host_page, "[data-testid=open-more]", "mute-all")
    for page in (ann_page, bob_page):
        await page.wait_for_selector("[data-testid=toggle-mic][aria-pressed=false]", timeout=15000)
    await ann_page.wait_for_selector("[data-testid=toast] >> text=Hannah Host muted your microphone")
    await bob_page.wait_for_selector("[data-testid=toast] >> text=Hannah Host выключил(а) ваш микрофон")
    assert await host_page.get_attribute("[data-testid=toggle-mic]", "aria-pressed") == "true"

    # Bob becomes a viewer from the people list: his publish controls go, he is told why, his hand stays.
    bob_row = f"[data-testid=person][data-identity='{bob.id}']"
    await host_page.click("[data-testid=toggle-people]")
    await pick(host_page, f"{bob_row} [data-testid=person-actions]", "role-viewer")
    await bob_page.wait_for_selector("[data-testid=viewer-notice]", state="visible", timeout=15000)
    assert not await bob_page.is_visible("[data-testid=toggle-mic]")
    assert not await bob_page.is_visible("[data-testid=toggle-camera]")
    assert await bob_page.is_visible("[data-testid=toggle-hand]")
    await host_page.wait_for_selector(f"{bob_row}[data-role=viewer]")
    save_screenshot(await bob_page.screenshot(), "call-viewer.png", artifacts_dir)


@pytest.fixture
async def chromium():
    """This module's Chromium has two fake cameras, so the camera's device menu has a choice."""
    import playwright.async_api as playwright_api

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    args = [a for a in CHROMIUM_ARGS if a != "--use-fake-device-for-media-stream"]
    args.append("--use-fake-device-for-media-stream=device-count=2")
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        yield browser
        await browser.close()


CAMERA_LABEL = (
    "document.querySelector('[data-testid=tile][data-local=true] video')?.srcObject?.getVideoTracks()[0]?.label"
)


async def test_devices_shortcuts_layouts_and_the_help_dialog(site, new_person, artifacts_dir):
    host = await register(site.client, display_name="Kim Keys")
    guest = await register(site.client, display_name="Lou Other")
    response = await site.client.post("/api/v1/rooms", json={"name": "Keys"}, headers=host.headers)
    room_id = (await response.json())["id"]
    page = await in_room(new_person, site, host, room_id)
    other = await in_room(new_person, site, guest, room_id)
    await page.wait_for_selector("[data-testid=tile][data-local=true][data-video=true]")

    # The caret beside the camera lists both cameras and switches mid-call; the other side keeps seeing video.
    before = await page.evaluate(CAMERA_LABEL)
    await page.click("[data-testid=camera-devices]")
    options = page.locator("[role=menu]:not([hidden]) [data-testid=device-option]")
    assert await options.count() == 2
    save_screenshot(await page.screenshot(), "call-device-menu.png", artifacts_dir)
    await page.click("[role=menu]:not([hidden]) [data-testid=device-option][aria-checked=false]")
    assert before
    await page.wait_for_function(
        f"(before) => {{ const now = {CAMERA_LABEL}; return Boolean(now) && now !== before; }}",
        arg=before,
        timeout=10000,
    )
    await other.wait_for_selector(f"[data-testid=tile][data-identity='{host.id}'][data-video=true]")

    # Single-key shortcuts: M mutes, V stops the camera, C opens the chat...
    await page.keyboard.press("m")
    await page.wait_for_selector("[data-testid=toggle-mic][aria-pressed=false]")
    await page.keyboard.press("v")
    await page.wait_for_selector("[data-testid=toggle-camera][aria-pressed=false]")
    await page.keyboard.press("c")
    await page.wait_for_selector("[data-testid=chat-panel]", state="visible")
    # ...but inside the chat box the same keys are just letters.
    await page.click("[data-testid=chat-input]")
    await page.keyboard.type("mvhcp?")
    assert await page.input_value("[data-testid=chat-input]") == "mvhcp?"
    assert await page.get_attribute("[data-testid=toggle-mic]", "aria-pressed") == "false"
    assert await page.get_attribute("[data-testid=toggle-camera]", "aria-pressed") == "false"
    assert await page.get_attribute("[data-testid=toggle-hand]", "aria-pressed") == "false"
    assert await page.locator("[data-testid=shortcuts-dialog]").count() == 0
    await page.fill("[data-testid=chat-input]", "")
    await page.click("[data-testid=stage]")
    await page.keyboard.press("m")
    await page.wait_for_selector("[data-testid=toggle-mic][aria-pressed=true]")
    await page.keyboard.press("Shift+?")
    await page.wait_for_selector("[data-testid=shortcuts-dialog]")
    assert await page.locator("[data-testid=shortcut]").count() == 8
    save_screenshot(await page.screenshot(), "call-shortcuts.png", artifacts_dir)
    await page.keyboard.press("Escape")

    # Noise suppression (RNNoise from the app) goes onto the microphone being sent, from the settings.
    await page.click("[data-testid=open-more]")
    await page.click("[role=menu]:not([hidden]) [data-testid=open-settings]")
    await page.check("[data-testid=noise-suppression]")
    await page.wait_for_selector("[data-testid=noise-suppression][data-applied=true]", timeout=15000)
    assert await page.evaluate("localStorage.getItem('conference.noise')") == "on"
    await page.keyboard.press("Escape")

    # The "more" menu switches the layout: spotlight shows one tile only.
    await page.click("[data-testid=open-more]")
    save_screenshot(await page.screenshot(), "call-more-menu.png", artifacts_dir)
    await page.click("[role=menu]:not([hidden]) [data-testid=layout-spotlight]")
    await page.wait_for_selector("[data-testid=stage][data-layout=spotlight]")
    assert await page.locator("[data-testid=stage] [data-testid=tile]").count() == 1
    await page.click("[data-testid=open-more]")
    await page.click("[role=menu]:not([hidden]) [data-testid=layout-grid]")
    await page.wait_for_selector("[data-testid=stage-main] [data-testid=tile] >> nth=1")

    # The host's Leave holds "End for all"; the L shortcut asks before leaving.
    await page.click("[data-testid=leave-room]")
    await page.wait_for_selector("[data-testid=leave-menu] [data-testid=end-room]")
    save_screenshot(await page.screenshot(), "call-leave-menu.png", artifacts_dir)
    await page.keyboard.press("Escape")
    await page.keyboard.press("l")
    await page.click("[data-testid=leave-confirm-ok]")
    await page.wait_for_selector("[data-testid=room-outcome][data-reason=left]")
