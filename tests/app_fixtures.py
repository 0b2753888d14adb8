"""App fixtures: the real app in-process on SQLite or PostgreSQL, pointed at the real LiveKit.

api           aiohttp TestClient, parametrised over sqlite and postgres (fresh database each test)
live_api      TestClient listening on livekit.webhook_port, so LiveKit's webhooks reach it (SQLite)
make_api      factory: `async with make_api(db="sqlite", port=None, **settings) as client`
schema_templates  databases migrated to head once per session, copied for each fresh test database
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from conference.app import create_app
from conference.migrations import migrate
from conference.settings import Settings
from tests.servers import PostgresServer


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


class SchemaTemplates:
    """Running every migration for each test's fresh database is slow; a copy of one migrated
    database (a file copy, or PostgreSQL's CREATE DATABASE ... TEMPLATE) is not."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.sqlite_template: Path | None = None
        self.postgres_template: dict[int, str] = {}  # server port -> template database name

    async def fresh_sqlite(self, path: Path) -> str:
        if self.sqlite_template is None:
            template = self.directory / "head.db"
            await migrate(f"sqlite+aiosqlite:///{template}")
            self.sqlite_template = template
        shutil.copyfile(self.sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"

    async def fresh_postgres(self, postgres: PostgresServer, name: str) -> str:
        template = self.postgres_template.get(postgres.port)
        if template is None:
            template = "t_head_" + uuid.uuid4().hex[:8]
            await migrate(postgres.create_database(template))
            self.postgres_template[postgres.port] = template
        postgres.psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return postgres.url_for(name)


@pytest.fixture(scope="session")
def schema_templates(tmp_path_factory) -> SchemaTemplates:
    return SchemaTemplates(tmp_path_factory.mktemp("schema-templates"))


@pytest.fixture
def make_api(livekit, tmp_path, request, schema_templates):
    """Starts apps on demand; each gets a fresh database at head of the asked kind, or migrates
    the one passed as `database`."""

    async def fresh_database(kind: str) -> str:
        if kind == "postgres":
            postgres = request.getfixturevalue("postgres")
            return await schema_templates.fresh_postgres(postgres, "t_" + uuid.uuid4().hex[:12])
        return await schema_templates.fresh_sqlite(tmp_path / ("app-" + uuid.uuid4().hex[:8] + ".db"))

    @contextlib.asynccontextmanager
    async def start(db: str = "sqlite", port: int | None = None, database: str | None = None, **overrides):
        if database is None:
            database = await fresh_database(db)
        else:
            await migrate(database)
        overrides.setdefault("uploads_dir", tmp_path / ("uploads-" + uuid.uuid4().hex[:8]))
        settings = test_settings(livekit, database, **overrides)
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
