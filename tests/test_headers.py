"""Security headers: a strict CSP on the client's pages, nosniff and no-referrer everywhere."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from conference.headers import livekit_origins
from tests.helpers import register
from tests.servers import REPO


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.parametrize("path", ["/", "/r/kqz-mvtd-wpa", "/index.html"])
async def test_pages_carry_a_strict_content_security_policy(api, path):
    response = await api.get(path)
    assert response.status == 200 and response.content_type == "text/html"
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]  # WebAssembly compiles, JavaScript eval does not
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    livekit = api.settings.livekit_url.split("://", 1)[1]
    assert policy["connect-src"] == ["'self'", *(f"{s}://{livekit}" for s in ("ws", "wss", "http", "https"))]
    unsafe = [source for sources in policy.values() for source in sources if "unsafe" in source]
    assert unsafe == ["'wasm-unsafe-eval'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "display-capture"):
        assert f"{feature}=(self)" in permissions


async def test_api_answers_and_files_are_nosniff(api):
    account = await register(api)
    for path, headers in [
        ("/api/v1/users/me", account.headers),
        ("/api/v1/users/me", {}),  # an error answer too
        ("/api/v1/openapi.json", {}),
        ("/app.js", {}),
        ("/vendor/livekit-client/livekit-client.esm.mjs", {}),
        ("/vendor/livekit-client/livekit-client.esm.min.mjs", {}),  # what the room page loads
    ]:
        response = await api.get(path, headers=headers)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        if path.startswith("/api/"):
            assert directives(response.headers["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]


def test_livekit_origins_cover_every_scheme_the_client_uses():
    assert livekit_origins("wss://meet.example.org") == [
        "ws://meet.example.org",
        "wss://meet.example.org",
        "http://meet.example.org",
        "https://meet.example.org",
    ]
    assert livekit_origins("ws://localhost:7880")[1] == "wss://localhost:7880"


class InlineCode(HTMLParser):
    """Finds what the CSP would block: inline scripts, event handler attributes, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.found.append("a <script> without src")
        self.found += [f"{tag} {name}=" for name in names if name.startswith("on") or name == "style"]

    def handle_endtag(self, tag):
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("inline script text")


@pytest.mark.parametrize("page", sorted(p.name for p in (REPO / "web").glob("*.html")))
def test_the_client_has_no_inline_script_or_style(page):
    parser = InlineCode()
    parser.feed((REPO / "web" / page).read_text())
    assert parser.found == []
