"""What a person does in the browser, in a few words: sign up or in, join from the pre-join screen,
check that a video really plays."""

from __future__ import annotations

PLAYING = """(selector) => {
  const video = document.querySelector(selector);
  return Boolean(video && video.videoWidth > 0 && video.currentTime > 0 && !video.paused);
}"""


async def sign_up(page, site, login: str, name: str):
    await page.goto(site.url("/signup"))
    await page.fill("[data-testid=auth-login]", login)
    await page.fill("[data-testid=auth-password]", "password123")
    await page.fill("[data-testid=auth-display_name]", name)
    await page.click("[data-testid=auth-submit]")
    await page.wait_for_selector("[data-testid=create-room]")


async def sign_in(page, site, login: str, password: str = "password123"):
    await page.goto(site.url("/login"))
    await page.fill("[data-testid=auth-login]", login)
    await page.fill("[data-testid=auth-password]", password)
    await page.click("[data-testid=auth-submit]")
    await page.wait_for_selector("[data-testid=create-room]")


async def my_id(page) -> str:
    return await page.evaluate("JSON.parse(localStorage.getItem('conference.session')).user.id")


async def assert_video_plays(page, selector: str):
    """The <video> shows real frames: it has a size and its clock moves on."""
    await page.wait_for_function(PLAYING, arg=selector, timeout=30000)
    before = await page.eval_on_selector(selector, "v => v.currentTime")
    await page.wait_for_timeout(1200)
    after, width = await page.eval_on_selector(selector, "v => [v.currentTime, v.videoWidth]")
    assert width > 0 and after > before, f"{selector} is not playing ({before} -> {after}, width {width})"


async def join_from_prejoin(page):
    await page.wait_for_selector("[data-testid=join-now]")
    await page.wait_for_function(PLAYING, arg="[data-testid=preview-video]", timeout=15000)
    await page.click("[data-testid=join-now]")
    await page.wait_for_selector("[data-testid=call]")


async def watch_csp(page) -> None:
    """From the next page load on, remember what the Content-Security-Policy refuses (see csp_violations)."""
    await page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));"
    )


async def csp_violations(page) -> list[str]:
    refused = await page.evaluate("window.__cspViolations || []")
    return [*refused, *(line for line in page.console_lines if "Content Security Policy" in line)]
