"""The client under its Content-Security-Policy: a whole visit (sign up, contacts with avatars, a call
with video and chat) and the browser refuses nothing."""

from __future__ import annotations

import pytest

from tests.browser.steps import assert_video_plays, join_from_prejoin, my_id, sign_up
from tests.helpers import unique_login

pytestmark = [pytest.mark.browser, pytest.mark.livekit]


async def test_the_client_runs_without_a_single_csp_violation(site, new_person):
    alice = await new_person()
    await alice.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));"
    )
    await sign_up(alice, site, unique_login("alice"), "Alice Csp")
    await alice.fill("[data-testid=create-room-name]", "Policy check")
    await alice.click("[data-testid=create-room]")
    await join_from_prejoin(alice)
    await assert_video_plays(alice, f"[data-testid=tile][data-identity='{await my_id(alice)}'] video")
    await alice.click("[data-testid=toggle-chat]")
    await alice.fill("[data-testid=chat-input]", "under the policy")
    await alice.press("[data-testid=chat-input]", "Enter")
    await alice.wait_for_selector("[data-testid=chat-list] >> text=under the policy")
    await alice.click("[data-testid=toggle-people]")
    await alice.wait_for_timeout(300)
    assert await alice.evaluate("window.__cspViolations") == []
    refused = [line for line in alice.console_lines if "Content Security Policy" in line]
    assert refused == []
