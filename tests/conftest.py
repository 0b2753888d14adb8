"""Session fixtures: real PostgreSQL, Redis, LiveKit and S3 (versitygw) processes on free loopback ports.

postgres      PostgresServer: .url (postgresql+asyncpg://…/conference), .dsn,
              .create_database(name) -> url, .port
redis_server  RedisServer: .url (redis://127.0.0.1:PORT/0), .stop(), .kill()
livekit       LiveKitServer: .ws_url, .http_url, .api_key, .api_secret,
              .webhook_port / .webhook_url (where the app fixture must listen)
s3_server     S3Server (versitygw): .endpoint, .access_key, .secret_key, .region, .data_dir
artifacts_dir test-artifacts/ under the repo (screenshots, logs worth keeping)

Each server starts on first use, once per session; app fixtures live in app_fixtures.py.
"""

import shutil
from pathlib import Path

import pytest

from tests.servers import (
    REPO,
    LiveKitServer,
    PostgresServer,
    RedisServer,
    S3Server,
    free_port,
    start_livekit,
    start_postgres,
    start_redis,
    start_s3,
)

LIVEKIT_WEBHOOK_PATH = "/api/v1/livekit/webhook"


def pytest_configure(config):
    # LiveKit's dev secret "secret" is short on purpose; PyJWT warns on every
    # token signed or checked with it, which would bury real warnings.
    config.addinivalue_line("filterwarnings", "ignore::jwt.warnings.InsecureKeyLengthWarning")


def keep_log_if_failed(request, server) -> None:
    """A failed run keeps the server's log in test-artifacts/ (CI uploads that dir)."""
    if request.session.testsfailed:
        target = REPO / "test-artifacts" / "servers"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(server.log_path, target / server.log_path.name)


@pytest.fixture(scope="session")
def postgres(request, tmp_path_factory) -> PostgresServer:
    server = start_postgres(tmp_path_factory.mktemp("postgres"))
    yield server
    server.stop()
    keep_log_if_failed(request, server)


@pytest.fixture(scope="session")
def redis_server(request, tmp_path_factory) -> RedisServer:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()
    keep_log_if_failed(request, server)


@pytest.fixture(scope="session")
def livekit_webhook_port() -> int:
    """The port the app under test listens on to receive LiveKit's webhooks."""
    return free_port()


@pytest.fixture(scope="session")
def livekit(request, tmp_path_factory, livekit_webhook_port) -> LiveKitServer:
    webhook_url = f"http://127.0.0.1:{livekit_webhook_port}{LIVEKIT_WEBHOOK_PATH}"
    server = start_livekit(tmp_path_factory.mktemp("livekit"), webhook_url)
    server.webhook_port = livekit_webhook_port
    yield server
    server.stop()
    keep_log_if_failed(request, server)


@pytest.fixture(scope="session")
def s3_server(request, tmp_path_factory) -> S3Server:
    """A real S3-compatible server (versitygw over a temp directory)."""
    server = start_s3(tmp_path_factory.mktemp("versitygw"))
    yield server
    server.stop()
    keep_log_if_failed(request, server)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = REPO / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


from tests.app_fixtures import *  # noqa: E402,F401,F403
