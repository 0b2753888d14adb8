"""App fixtures: the real app in-process on SQLite or PostgreSQL, pointed at the real LiveKit.

api           aiohttp TestClient, parametrised over sqlite and postgres (fresh database each test)
live_api      TestClient listening on livekit.webhook_port, so LiveKit's webhooks reach it (SQLite)
make_api      factory: `async with make_api(db="sqlite", port=None, **settings) as client`
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import replace

import pytest
from aiohttp.test_utils import TestClient, TestServer

from conference.app import create_app
from conference.settings import Settings


def test_settings(livekit, database_url: str, **overrides) -> Settings:
    base = Settings(
        database_url=database_url,
        livekit_url=livekit.ws_url,
        livekit_api_url=livekit.http_url,
        livekit_api_key=livekit.api_key,
        livekit_api_secret=livekit.api_secret,
        jwt_secret="test-jwt-secret-" + "x" * 32,
        public_url="http://conference.test",
        create_demo_user=False,
        login_rate_per_minute=1000,
        registrations_per_hour=100000,
        token_rate_per_minute=100000,
        # bcrypt's real cost makes a suite of hundreds of sign-ins crawl
        bcrypt_rounds=4,
    )
    return replace(base, **overrides)


@pytest.fixture
def make_api(livekit, tmp_path, request):
    """Starts apps on demand; each gets a fresh database of the asked kind."""

    def database_url(kind: str) -> str:
        if kind == "postgres":
            postgres = request.getfixturevalue("postgres")
            return postgres.create_database("t_" + uuid.uuid4().hex[:12])
        return f"sqlite+aiosqlite:///{tmp_path / ('app-' + uuid.uuid4().hex[:8] + '.db')}"

    @contextlib.asynccontextmanager
    async def start(db: str = "sqlite", port: int | None = None, database: str | None = None, **overrides):
        settings = test_settings(livekit, database or database_url(db), **overrides)
        server = TestServer(create_app(settings), host="127.0.0.1", port=port)
        async with TestClient(server) as client:
            client.settings = settings
            yield client

    return start


@pytest.fixture(params=["sqlite", "postgres"])
async def api(make_api, request):
    async with make_api(request.param) as client:
        yield client


@pytest.fixture
async def live_api(make_api, livekit):
    async with make_api("sqlite", port=livekit.webhook_port) as client:
        yield client
