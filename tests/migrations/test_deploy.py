"""Compose and the dev script migrate before the app starts."""

from __future__ import annotations

import yaml

from tests.servers import REPO


def test_compose_migrates_the_app_database_before_the_app_starts():
    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    migrate, app = services["migrate"], services["app"]
    assert migrate["command"] == ["conference", "migrate"]
    assert migrate["build"] == app["build"]  # the same image, so the same revisions
    assert migrate["environment"]["DATABASE_URL"] == app["environment"]["DATABASE_URL"]
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert migrate.get("restart", "no") == "no"  # a one-shot job


def test_the_dev_script_migrates_before_serving():
    script = (REPO / "scripts" / "dev.sh").read_text()
    assert script.index('conference" migrate') < script.index('exec "$VENV/bin/conference" serve')
