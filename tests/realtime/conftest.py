"""Realtime fixtures: one app per module for the bad-input tables (each case registers fresh
users and rooms, so cases do not see each other), over SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from aiohttp.test_utils import TestClient, TestServer

from conference.app import create_app
from conference.migrations import migrate
from tests.app_fixtures import test_settings


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def shared_api(livekit, request, tmp_path_factory):
    if request.param == "postgres":
        url = request.getfixturevalue("postgres").create_database("t_" + uuid.uuid4().hex[:12])
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('shared') / 'app.db'}"
    await migrate(url)
    settings = test_settings(livekit, url)
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as client:
        client.settings = settings
        yield client
