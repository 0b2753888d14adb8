"""Fault-test fixtures: a fresh PostgreSQL database at head for each test's replicas, and an HTTP session."""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from conference.migrations import migrate


@pytest.fixture
async def fresh_database(postgres) -> str:
    url = postgres.create_database("f_" + uuid.uuid4().hex[:12])
    await migrate(url)
    return url


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session
