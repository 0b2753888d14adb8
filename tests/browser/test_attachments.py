"""Attachments in Chromium: Alice pastes an image into the room chat composer, sends it, and Bob, in
his own browser, sees its preview appear (no Content-Security-Policy broken on the way); in a direct
message a picked file and a dropped image reach the other side, who downloads the file."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from conference.deps import DEPS
from conference.realtime.socket import CONNECTIONS
from conference.uploads import service
from tests.browser.conftest import Site, save_screenshot
from tests.browser.steps import csp_violations, join_from_prejoin, sign_in, sign_up, watch_csp
from tests.helpers import register, unique_login
from tests.uploads.files import png, post_dm, uploaded

pytestmark = [pytest.mark.browser, pytest.mark.livekit]
TICKETS = "**/api/v1/ws/ticket"

# A paste as the browser fires it when an image is on the clipboard: a ClipboardEvent whose
# clipboardData holds the file (headless Chromium has no system clipboard to paste from).
PASTE_IMAGE = """([selector, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
  const input = document.querySelector(selector);
  input.focus();
  input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
}"""

PIXEL_AT_CENTRE = """(img) => {
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(img, 0, 0);
  return [...context.getImageData(img.naturalWidth / 2, img.naturalHeight / 2, 1, 1).data];
}"""

LOADED = """(selector) => {
  const image = document.querySelector(selector);
  return Boolean(image && image.complete && image.naturalWidth > 0);
}"""


async def test_an_image_pasted_in_the_room_chat_shows_as_a_preview_for_the_other(site, new_person, artifacts_dir):
    alice, bob = await new_person(), await new_person()
    await watch_csp(alice)
    await watch_csp(bob)
    bob_account = await register(site.client, display_name="Bob Viewer")
    await sign_up(alice, site, unique_login("alice"), "Alice Paster")
    await sign_in(bob, site, bob_account.user["login"])
    await alice.fill("[data-testid=create-room-name]", "Photos")
    await alice.click("[data-testid=create-room]")
    await join_from_prejoin(alice)
    room_id = (await alice.text_content("[data-testid=room-id]")).strip()
    await bob.fill("[data-testid=join-room-id]", room_id)
    await bob.click("[data-testid=join-room]")
    await join_from_prejoin(bob)
    await bob.click("[data-testid=toggle-chat]")
    await alice.click("[data-testid=toggle-chat]")

    picture = base64.b64encode(png(900, 600, (20, 160, 60))).decode()
    await alice.evaluate(PASTE_IMAGE, ["[data-testid=chat-input]", picture])
    await alice.wait_for_selector("[data-testid=attach-chip]:not([aria-busy])", timeout=15000)
    await alice.fill("[data-testid=chat-input]", "the green one")
    await alice.press("[data-testid=chat-input]", "Enter")
    await alice.wait_for_selector("[data-testid=attach-tray]", state="hidden")

    sent = await bob.wait_for_selector("[data-testid=chat-message]:has-text('the green one')", timeout=15000)
    preview = (
        f"[data-testid=chat-message][data-id='{await sent.get_attribute('data-id')}'] [data-testid=attachment-preview]"
    )
    await bob.wait_for_function(LOADED, arg=preview, timeout=15000)
    width, height = await bob.eval_on_selector(preview, "img => [img.naturalWidth, img.naturalHeight]")
    assert (width, height) == (320, 213)  # the server's WebP preview, not the 900 x 600 original
    colour = await bob.eval_on_selector(preview, PIXEL_AT_CENTRE)
    assert colour[1] > 120 and colour[0] < 60 and colour[2] < 100, colour  # green, as pasted
    await alice.wait_for_function(LOADED, arg=preview, timeout=15000)
    save_screenshot(await bob.screenshot(), "chat-attachment.png", artifacts_dir)
    assert await csp_violations(alice) == [] and await csp_violations(bob) == []


DROP_IMAGE = """([selector, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
  const area = document.querySelector(selector);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    area.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


async def test_files_picked_and_dropped_in_a_direct_message_reach_the_other_side(site, new_person, tmp_path):
    alice, bob = await register(site.client, display_name="Alice Sender"), await register(site.client)
    alice_page, bob_page = await new_person(), await new_person()
    await sign_in(alice_page, site, alice.user["login"])
    await sign_in(bob_page, site, bob.user["login"])
    await bob_page.goto(site.url(f"/?dm={alice.id}"))
    await alice_page.goto(site.url(f"/?dm={bob.id}"))
    await alice_page.wait_for_selector("[data-testid=dm-input]")

    notes = tmp_path / "notes.txt"
    notes.write_text("agenda: attachments\n")
    await alice_page.set_input_files("[data-testid=dm-thread] [data-testid=attach-input]", str(notes))
    await alice_page.evaluate(DROP_IMAGE, ["[data-testid=dm-thread]", base64.b64encode(png(300, 200)).decode()])
    uploaded_chips = "[data-testid=dm-thread] [data-testid=attach-chip]:not([aria-busy])"
    await alice_page.wait_for_function("(s) => document.querySelectorAll(s).length === 2", arg=uploaded_chips)
    await alice_page.press("[data-testid=dm-input]", "Enter")  # no text: the files are the message

    await bob_page.wait_for_selector("[data-testid=dm-list] [data-testid=attachment-file] >> text=notes.txt")
    await bob_page.wait_for_function(LOADED, arg="[data-testid=dm-list] [data-testid=attachment-preview]")
    async with bob_page.expect_download() as download_info:
        await bob_page.click("[data-testid=dm-list] [data-testid=attachment-file]")
    download = await download_info.value
    assert download.suggested_filename == "notes.txt"
    assert Path(await download.path()).read_text() == "agenda: attachments\n"


@pytest.fixture(params=["sqlite", "postgres"])
async def bob_page(make_api, chromium, request):
    """The app on either database (no call here, so no LiveKit webhooks) and one browser page on it."""
    async with make_api(request.param) as client:
        context = await chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
        context.set_default_timeout(15000)
        page = await context.new_page()
        page.console_lines = []
        page.on("console", lambda message: page.console_lines.append(f"{message.type}: {message.text}"))
        request.node.browser_pages = [page]
        yield Site(client), page
        await context.close()


async def test_files_removed_after_a_replayed_message_show_as_removed(bob_page):
    """Bob's socket is down while Alice sends him a picture and a file and the message is deleted; when
    it resumes, the log replays the message as it was sent, listing both files. The picture's preview
    answers 404, and so does the file once clicked: each shows as "file removed", not a broken image."""
    site, page = bob_page
    app = site.client.server.app
    alice, bob = await register(site.client), await register(site.client)
    await sign_in(page, site, bob.user["login"])
    await page.goto(site.url(f"/?dm={alice.id}"))
    await page.wait_for_selector("[data-testid=dm-input]")
    await page.wait_for_function("() => sessionStorage.getItem('conference.ws.after') !== null")

    await page.route(TICKETS, lambda route: route.abort())  # down, and not back until unrouted
    for connection in list(app[CONNECTIONS]):
        if connection.user_id == bob.id:
            connection.end(1013, "try again later")
    await page.wait_for_timeout(500)
    photo = await uploaded(site.client, alice, png(200, 100), "holiday.png")
    notes = await uploaded(site.client, alice, b"minutes\n", "minutes.txt")
    sent = await post_dm(site.client, alice, bob.id, [photo["id"], notes["id"]], content="from the trip")
    message = await sent.json()
    deps = app[DEPS]
    async with deps.db() as db:  # as deleting the message does
        assert await service.detach_for(db, "dm", message["id"]) == 2
        await db.commit()
    assert await service.sweep(deps) == 2
    await page.unroute(TICKETS)

    shown = f"[data-testid=dm-message][data-id='{message['id']}']"
    await page.wait_for_selector(f"{shown} [data-testid=attachment-removed] >> text=holiday.png", timeout=20000)
    assert await page.locator(f"{shown} [data-testid=attachment-preview]").count() == 0
    file_button = page.locator(f"{shown} [data-testid=attachment-file]")
    await file_button.click()
    removed = page.locator(f"{shown} [data-testid=attachment-removed]")
    await removed.nth(1).wait_for()
    texts = await removed.all_inner_texts()
    assert [" ".join(text.split()) for text in texts] == ["holiday.png file removed", "minutes.txt file removed"]
    assert await file_button.count() == 0
