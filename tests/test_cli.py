"""The command line an operator uses: API keys, the schema, and production refusing dev settings."""

import os
import subprocess
import sys

import pytest


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "conference", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_apikey_create_list_and_revoke(tmp_path):
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"}
    created = run("apikey", "create", "school portal", env=env)
    assert created.returncode == 0, created.stderr
    full_key = created.stdout.strip().splitlines()[-1]
    assert full_key.startswith("ck_")
    key_id = full_key[3:].split(".")[0]

    listed = run("apikey", "list", env=env)
    assert key_id in listed.stdout and "school portal" in listed.stdout and "active" in listed.stdout
    assert full_key.split(".")[1] not in listed.stdout  # the secret is shown once, at creation

    assert run("apikey", "revoke", key_id, env=env).returncode == 0
    assert "revoked" in run("apikey", "list", env=env).stdout
    assert run("apikey", "revoke", key_id, env=env).returncode == 1


@pytest.mark.parametrize(
    "env,message",
    [
        ({"APP_ENV": "production", "LIVEKIT_API_KEY": "prodkey", "LIVEKIT_API_SECRET": "p" * 32}, "JWT_SECRET"),
        ({"APP_ENV": "production", "JWT_SECRET": "j" * 40}, "dev keys"),
    ],
)
def test_production_start_refuses_unsafe_settings(env, message):
    result = run("serve", env={"JWT_SECRET": "", "LIVEKIT_API_KEY": "devkey", "LIVEKIT_API_SECRET": "secret", **env})
    assert result.returncode == 2
    assert message in result.stderr and "refusing to start" in result.stderr


def test_schema_command_prints_create_statements():
    result = run("schema")
    assert result.returncode == 0
    assert "CREATE TABLE users" in result.stdout and "INSERT INTO alembic_version" in result.stdout
