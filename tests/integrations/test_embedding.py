"""GET /embed/<id>: framed only by the origins of the API key that created the room (CSP frame-ancestors),
'none' for every other room; the page carries the same list for its postMessage checks."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from conference.accounts.models import ApiKey
from conference.deps import DEPS
from tests.guests.steps import api_key, key_headers
from tests.helpers import create_room, register


def ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    [directive] = [d.strip() for d in policy.split(";") if d.strip().startswith("frame-ancestors")]
    return directive


def meta_origins(text: str) -> str:
    return re.search(r'<meta name="conference-embed-origins" content="([^"]*)">', text).group(1)


async def test_a_keys_room_may_be_framed_by_its_origins_only(api):
    key = await api_key(api)
    origins = ["https://crm.example.com", "http://localhost:8081"]
    assert (
        await api.patch("/api/v1/keys/me", json={"allowed_origins": origins}, headers=key_headers(key))
    ).status == 200
    room = await (await api.post("/api/v1/rooms", json={"name": "E"}, headers=key_headers(key))).json()
    response = await api.get(f"/embed/{room['id']}")
    assert response.status == 200 and response.content_type == "text/html"
    assert ancestors(response) == "frame-ancestors https://crm.example.com http://localhost:8081"
    assert response.headers["Cache-Control"] == "no-store"
    text = await response.text()
    assert meta_origins(text) == "https://crm.example.com http://localhost:8081"
    assert '<script type="module" src="/embed.js"></script>' in text
    # the rest of the page policy is the client's usual one
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    compact = room["id"].replace("-", "").upper()
    assert ancestors(await api.get(f"/embed/{compact}")) == ancestors(response)


@pytest.mark.parametrize("case", ["user room", "no origins", "revoked key", "unknown room", "not a room id"])
async def test_every_other_room_is_framed_by_nobody(api, case):
    key = await api_key(api)
    path = "/embed/zzz-zzzz-zzz"
    if case == "user room":
        path = f"/embed/{(await create_room(api, await register(api)))['id']}"
    elif case in ("no origins", "revoked key"):
        if case == "revoked key":
            await api.patch(
                "/api/v1/keys/me", json={"allowed_origins": ["https://a.example"]}, headers=key_headers(key)
            )
        room = await (await api.post("/api/v1/rooms", json={"name": "E"}, headers=key_headers(key))).json()
        path = f"/embed/{room['id']}"
        if case == "revoked key":
            deps = api.server.app[DEPS]
            async with deps.db() as db:
                await db.execute(update(ApiKey).values(revoked_at=ApiKey.created_at))
                await db.commit()
    elif case == "not a room id":
        path = "/embed/%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E"
    response = await api.get(path)
    assert response.status == 200
    assert ancestors(response) == "frame-ancestors 'none'"
    text = await response.text()
    assert meta_origins(text) == "" and "<script>alert" not in text


async def test_the_client_pages_stay_unframeable(api):
    for path in ("/", "/r/abc-defg-hij", "/embed.html"):
        response = await api.get(path)
        assert ancestors(response) == "frame-ancestors 'none'", path
