"""Settings read once from the environment, with embedded defaults for a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEV_LIVEKIT_KEY = "devkey"
DEV_LIVEKIT_SECRET = "secret"
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-in-production"
DEFAULT_WEB_DIR = Path(__file__).resolve().parent.parent / "web"


class ConfigError(Exception):
    """The environment describes a configuration the app refuses to start with."""


@dataclass(frozen=True)
class Settings:
    host: str = "0.0.0.0"
    port: int = 8080
    environment: str = "development"
    database_url: str = "sqlite+aiosqlite:///conference.db"
    redis_url: str | None = None
    livekit_url: str = "ws://localhost:7880"
    livekit_api_url: str = "http://localhost:7880"
    livekit_api_key: str = DEV_LIVEKIT_KEY
    livekit_api_secret: str = DEV_LIVEKIT_SECRET
    jwt_secret: str = DEV_JWT_SECRET
    public_url: str = "http://localhost:8080"
    log_level: str = "INFO"
    log_format: str = "text"
    web_dir: Path = DEFAULT_WEB_DIR
    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 30 * 24 * 3600
    media_token_ttl_s: int = 3600
    call_ring_timeout_s: float = 30.0
    presence_ttl_s: int = 30
    # Requests per minute per client address on login and per user on token endpoints.
    login_rate_per_minute: int = 20
    token_rate_per_minute: int = 600
    create_demo_user: bool = True
    bcrypt_rounds: int = 12
    ws_heartbeat_s: float = 20.0  # a peer that misses a pong for half of this is dropped
    event_retention_days: int = 7  # the retention sweep deletes older events; resume cannot reach past it

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        environment = env.get("APP_ENV", "development").strip().lower()
        production = environment == "production"
        jwt_secret = env.get("JWT_SECRET", "")
        key = env.get("LIVEKIT_API_KEY", DEV_LIVEKIT_KEY)
        secret = env.get("LIVEKIT_API_SECRET", DEV_LIVEKIT_SECRET)
        if production:
            problems = []
            if not jwt_secret or jwt_secret == DEV_JWT_SECRET:
                problems.append("JWT_SECRET must be set to a long random value")
            elif len(jwt_secret) < 32:
                problems.append("JWT_SECRET must be at least 32 characters")
            if key == DEV_LIVEKIT_KEY or secret == DEV_LIVEKIT_SECRET:
                problems.append("LIVEKIT_API_KEY/LIVEKIT_API_SECRET must not be the LiveKit dev keys")
            if problems:
                raise ConfigError("refusing to start in production: " + "; ".join(problems))
        port = int(env.get("PORT", "8080"))
        livekit_url = env.get("LIVEKIT_URL", "ws://localhost:7880")
        return cls(
            host=env.get("HOST", "0.0.0.0"),
            port=port,
            environment=environment,
            database_url=env.get("DATABASE_URL") or "sqlite+aiosqlite:///conference.db",
            redis_url=env.get("REDIS_URL") or None,
            livekit_url=livekit_url,
            livekit_api_url=env.get("LIVEKIT_API_URL") or _http_of(livekit_url),
            livekit_api_key=key,
            livekit_api_secret=secret,
            jwt_secret=jwt_secret or DEV_JWT_SECRET,
            public_url=(env.get("PUBLIC_URL") or f"http://localhost:{port}").rstrip("/"),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            log_format=env.get("LOG_FORMAT", "text").lower(),
            web_dir=Path(env.get("WEB_DIR") or DEFAULT_WEB_DIR),
            create_demo_user=not production,
            presence_ttl_s=int(env.get("PRESENCE_TTL_S") or 30),
            call_ring_timeout_s=float(env.get("CALL_RING_TIMEOUT_S") or 30),
            event_retention_days=int(env.get("EVENT_RETENTION_DAYS") or 7),
            token_rate_per_minute=int(env.get("TOKEN_RATE_PER_MINUTE") or 600),
        )


def _http_of(ws_url: str) -> str:
    """The RoomService speaks HTTP on the same address browsers reach over WebSocket."""
    if ws_url.startswith("wss://"):
        return "https://" + ws_url[len("wss://") :]
    if ws_url.startswith("ws://"):
        return "http://" + ws_url[len("ws://") :]
    return ws_url
