"""`conference init`: the .env that docker compose reads, with secrets made fresh for this deployment.

Standard library only, so `python3 -m conference init` (./scripts/deploy-init.sh) runs on a host
that has nothing of the project installed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# The name of the LiveKit key. It is public by nature (every LiveKit token carries it in `iss`)
# and livekit.yaml names it for its webhooks; what must stay private is the secret.
LIVEKIT_KEY_NAME = "conference"


class EnvExists(Exception):
    """A .env is already there: its secrets sign live tokens, so it is not replaced silently."""


def fresh_secret() -> str:
    """64 URL-safe characters (384 random bits): no quoting needed in YAML, shell or compose."""
    return secrets.token_urlsafe(48)


def env_text() -> str:
    return f"""\
# Written by `conference init`. docker compose reads it; keep it private and out of git:
# these values let anyone sign in as anyone and join any call.
APP_ENV=production
JWT_SECRET={fresh_secret()}
# LiveKit reads the pair as LIVEKIT_KEYS="{LIVEKIT_KEY_NAME}: <secret>" (docker-compose.yml).
LIVEKIT_API_SECRET={fresh_secret()}
# Only the app reaches PostgreSQL; the password is made once, with the database's volume.
POSTGRES_PASSWORD={fresh_secret()}
# What browsers use; set them for a server that is not this machine:
# PUBLIC_URL=https://meet.example.org
# LIVEKIT_PUBLIC_URL=wss://meet.example.org
# LIVEKIT_NODE_IP=203.0.113.10
# The compose network, whose nginx the app believes about client addresses:
# COMPOSE_SUBNET=172.28.0.0/16
"""


def write_env(path: Path, *, force: bool = False) -> Path:
    if path.exists() and not force:
        raise EnvExists(f"{path} exists; keep it, or pass --force to replace its secrets (signs everyone out)")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created private from the start: the secrets never sit in a world-readable file.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(env_text())
    os.chmod(path, 0o600)
    return path
