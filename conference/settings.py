"""Settings read once from the environment, with embedded defaults for a laptop."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

DEV_LIVEKIT_KEY = "devkey"
DEV_LIVEKIT_SECRET = "secret"
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-in-production"
# Every secret and key that was ever written in this repository (dev setup, docker-compose.yml,
# livekit.yaml, README, test fixtures): anyone can read them, so production refuses them all.
# tests/test_deploy_config.py checks that the repository's files use no secret missing here.
REPO_SECRETS = frozenset(
    {
        DEV_LIVEKIT_SECRET,
        DEV_JWT_SECRET,
        "change-me-to-a-long-random-value",
        "test-jwt-secret-" + "x" * 32,
        "token-bench-jwt-secret-0123456789abcdef",
        "ws-fanout-bench-jwt-secret-0123456789abcdef",
        "upload-bench-jwt-secret-0123456789abcdef",
        "join-bench-jwt-secret-0123456789abcdef",
        "search-bench-jwt-secret-0123456789abcdef",
        "webhook-bench-jwt-secret-0123456789abcdef",
    }
)
REPO_LIVEKIT_KEYS = frozenset({DEV_LIVEKIT_KEY})
MIN_SECRET_LENGTH = 32
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
    refresh_token_ttl_s: int = 30 * 24 * 3600  # a sign-in ends this long after it began, refreshed or not
    media_token_ttl_s: int = 3600
    call_ring_timeout_s: float = 30.0
    presence_ttl_s: int = 30
    # How often one replica compares the call history still open with what LiveKit has (calls/reconcile.py).
    livekit_reconcile_s: float = 30.0
    # Addresses/networks of reverse proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES).
    trusted_proxies: tuple[str, ...] = ()
    # Sign-in attempts per minute per client address, and per user on token endpoints.
    login_rate_per_minute: int = 20
    token_rate_per_minute: int = 600
    # Failed sign-ins before the backoff starts: per account from one client address, and per
    # account from addresses that never signed in to it (see accounts/throttle.py).
    login_free_failures_per_client: int = 5
    login_free_failures_per_account: int = 20
    login_backoff_max_s: int = 900
    registrations_per_hour: int = 30
    create_demo_user: bool = True
    bcrypt_rounds: int = 12
    ws_heartbeat_s: float = 20.0  # a peer that misses a pong for half of this is dropped
    event_retention_days: int = 7  # the retention sweep deletes older events; resume cannot reach past it
    ws_ticket_ttl_s: int = 30  # a WebSocket ticket is redeemed once within this many seconds
    # How often each replica re-reads the sign-ins of its open sockets from the database (a revocation
    # normally arrives through the hub at once; this catches one whose notice was lost). At most 5 s.
    ws_signin_check_s: float = 2.0
    # Per-user limits (conference/throttles.py): each refusal is a 429 rate_limited with Retry-After
    # over HTTP and an error frame with code rate_limited on the socket.
    messages_per_10s: int = 20  # room chat and direct messages, HTTP and WebSocket together
    messages_per_minute: int = 60
    message_changes_per_10s: int = 20  # edits, deletes and reactions of room and direct messages together
    message_changes_per_minute: int = 60
    read_marks_per_10s: int = 30  # read positions moved (room chat)
    message_edit_window_s: int = 48 * 3600  # how long after sending its sender may edit a message
    typing_per_10s: int = 20  # typing frames, every target together (a client sends one per 2 s)
    calls_per_minute: int = 10  # POST /calls by one caller
    lobby_knocks_per_minute: int = 10  # new requests to be let in (a repeated knock is free)
    ws_tickets_per_minute: int = 60
    group_changes_per_minute: int = 30  # creating groups, renaming, adding/removing members, by one user
    searches_per_minute: int = 60
    sockets_per_user: int = 10  # open WebSockets of one user across replicas; one more is closed with 4429
    # Guests (conference/guests/): joins and room previews per client address, and how long a guest's
    # session token lives at most (it dies sooner when the guest is removed or the room ends).
    guest_joins_per_minute: int = 10
    room_previews_per_minute: int = 60
    guest_session_ttl_s: int = 24 * 3600
    # Integrators' webhooks (conference/integrations/): one attempt's time limit, the backoff between
    # attempts (doubling from base to max), how long after the change a message is still tried, and how
    # often a replica looks for messages others wrote (its own wake it at once).
    webhook_timeout_s: float = 10.0
    webhook_retry_base_s: float = 5.0
    webhook_retry_max_s: float = 3600.0
    webhook_retry_window_s: float = 24 * 3600.0
    webhook_poll_s: float = 1.0
    # Recording (conference/recordings): where files go, which backend records, how long files are kept.
    recordings_dir: Path = Path("recordings")
    recorder: str = "builtin"  # builtin (the rtc + PyAV worker) | egress (LiveKit Egress)
    # `conference serve` runs one builtin worker in its process: on by default from the environment
    # outside production (RECORDER_IN_PROCESS), off for apps built in code (tests start their own).
    recorder_in_process: bool = False
    recording_retention_days: int = 0  # 0 keeps recordings until a host deletes them
    recording_width: int = 1280
    recording_height: int = 720
    recording_fps: int = 15
    recording_max_jobs: int = 1  # recordings one worker encodes at once
    # An S3-compatible bucket for finished recordings (all replicas then serve the same files);
    # empty bucket keeps them in recordings_dir. The endpoint is empty for AWS itself.
    recordings_s3_endpoint: str = ""
    recordings_s3_bucket: str = ""
    recordings_s3_access_key: str = ""
    recordings_s3_secret_key: str = ""
    recordings_s3_region: str = "us-east-1"
    # Attachments (conference/uploads): the largest file, how many one person uploads per minute, and
    # where files go: UPLOADS_DIR, or an S3-compatible bucket when UPLOADS_S3_BUCKET is set.
    upload_max_bytes: int = 25 * 1024 * 1024
    uploads_per_minute: int = 30
    uploads_dir: Path = Path("uploads")
    uploads_s3_endpoint: str = ""
    uploads_s3_bucket: str = ""
    uploads_s3_access_key: str = ""
    uploads_s3_secret_key: str = ""
    uploads_s3_region: str = "us-east-1"

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
        bcrypt_rounds = _int(env, "BCRYPT_ROUNDS", 12)
        if production:
            problems = _production_problems(jwt_secret, key, secret, bcrypt_rounds)
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
            livekit_reconcile_s=float(env.get("LIVEKIT_RECONCILE_S") or 30),
            event_retention_days=int(env.get("EVENT_RETENTION_DAYS") or 7),
            trusted_proxies=parse_trusted_proxies(env.get("TRUSTED_PROXIES", "")),
            login_rate_per_minute=_int(env, "LOGIN_RATE_PER_MINUTE", 20),
            registrations_per_hour=_int(env, "REGISTRATIONS_PER_HOUR", 30),
            bcrypt_rounds=bcrypt_rounds,
            access_token_ttl_s=_int(env, "ACCESS_TOKEN_TTL_S", 900),
            messages_per_10s=_int(env, "MESSAGES_PER_10S", 20),
            messages_per_minute=_int(env, "MESSAGES_PER_MINUTE", 60),
            message_changes_per_10s=_int(env, "MESSAGE_CHANGES_PER_10S", 20),
            message_changes_per_minute=_int(env, "MESSAGE_CHANGES_PER_MINUTE", 60),
            read_marks_per_10s=_int(env, "READ_MARKS_PER_10S", 30),
            message_edit_window_s=_int(env, "MESSAGE_EDIT_WINDOW_S", 48 * 3600),
            typing_per_10s=_int(env, "TYPING_PER_10S", 20),
            calls_per_minute=_int(env, "CALLS_PER_MINUTE", 10),
            lobby_knocks_per_minute=_int(env, "LOBBY_KNOCKS_PER_MINUTE", 10),
            ws_tickets_per_minute=_int(env, "WS_TICKETS_PER_MINUTE", 60),
            group_changes_per_minute=_int(env, "GROUP_CHANGES_PER_MINUTE", 30),
            searches_per_minute=_int(env, "SEARCHES_PER_MINUTE", 60),
            sockets_per_user=_int(env, "SOCKETS_PER_USER", 10),
            guest_joins_per_minute=_int(env, "GUEST_JOINS_PER_MINUTE", 10),
            room_previews_per_minute=_int(env, "ROOM_PREVIEWS_PER_MINUTE", 60),
            webhook_timeout_s=_float(env, "WEBHOOK_TIMEOUT_S", 10.0),
            webhook_retry_base_s=_float(env, "WEBHOOK_RETRY_BASE_S", 5.0),
            webhook_retry_max_s=_float(env, "WEBHOOK_RETRY_MAX_S", 3600.0),
            webhook_retry_window_s=_float(env, "WEBHOOK_RETRY_WINDOW_S", 24 * 3600.0),
            webhook_poll_s=_float(env, "WEBHOOK_POLL_S", 1.0),
            token_rate_per_minute=_int(env, "TOKEN_RATE_PER_MINUTE", 600),
            **_recording_settings(env, production),
            **_s3_settings(env),
            **_upload_settings(env),
        )


def _production_problems(jwt_secret: str, key: str, secret: str, bcrypt_rounds: int) -> list[str]:
    problems = []
    if not jwt_secret or jwt_secret in REPO_SECRETS:
        problems.append("JWT_SECRET must be set to a long random value (./scripts/deploy-init.sh writes one)")
    elif len(jwt_secret) < MIN_SECRET_LENGTH:
        problems.append(f"JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters")
    if key in REPO_LIVEKIT_KEYS or secret in REPO_SECRETS:
        problems.append("LIVEKIT_API_KEY/LIVEKIT_API_SECRET must not be the LiveKit dev keys or any pair from the repo")
    elif len(secret) < MIN_SECRET_LENGTH:
        problems.append(f"LIVEKIT_API_SECRET must be at least {MIN_SECRET_LENGTH} characters")
    if bcrypt_rounds < 10:
        problems.append("BCRYPT_ROUNDS must be at least 10")
    return problems


def parse_trusted_proxies(raw: str) -> tuple[str, ...]:
    """Comma-separated addresses or CIDR networks; a typo stops the start rather than trusting nobody."""
    entries = tuple(entry.strip() for entry in raw.split(",") if entry.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(f"TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return entries


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name) or ""
    try:
        return int(raw) if raw else default
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name) or ""
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None


class _RecordingSettings(TypedDict):
    recordings_dir: Path
    recorder: str
    recorder_in_process: bool
    recording_retention_days: int
    recording_width: int
    recording_height: int
    recording_fps: int
    recording_max_jobs: int


def _recording_settings(env: dict[str, str], production: bool) -> _RecordingSettings:
    recorder = (env.get("RECORDER") or "builtin").strip().lower()
    if recorder not in ("builtin", "egress"):
        raise ConfigError("RECORDER must be builtin or egress")
    in_process = env.get("RECORDER_IN_PROCESS")
    return {
        "recordings_dir": Path(env.get("RECORDINGS_DIR") or "recordings"),
        "recorder": recorder,
        "recorder_in_process": (in_process.strip().lower() in ("1", "true", "yes")) if in_process else not production,
        "recording_retention_days": int(env.get("RECORDING_RETENTION_DAYS") or 0),
        "recording_width": int(env.get("RECORDING_WIDTH") or 1280),
        "recording_height": int(env.get("RECORDING_HEIGHT") or 720),
        "recording_fps": int(env.get("RECORDING_FPS") or 15),
        "recording_max_jobs": int(env.get("RECORDER_MAX_JOBS") or 1),
    }


def _http_of(ws_url: str) -> str:
    """The RoomService speaks HTTP on the same address browsers reach over WebSocket."""
    if ws_url.startswith("wss://"):
        return "https://" + ws_url[len("wss://") :]
    if ws_url.startswith("ws://"):
        return "http://" + ws_url[len("ws://") :]
    return ws_url


class _S3Settings(TypedDict):
    recordings_s3_endpoint: str
    recordings_s3_bucket: str
    recordings_s3_access_key: str
    recordings_s3_secret_key: str
    recordings_s3_region: str


def _s3_settings(env: dict[str, str]) -> _S3Settings:
    """A bucket without keys would fail on the first upload, after a whole recording: refuse it at start."""
    bucket = (env.get("RECORDINGS_S3_BUCKET") or "").strip()
    access, secret = env.get("RECORDINGS_S3_ACCESS_KEY") or "", env.get("RECORDINGS_S3_SECRET_KEY") or ""
    if bucket and not (access and secret):
        raise ConfigError("RECORDINGS_S3_BUCKET needs RECORDINGS_S3_ACCESS_KEY and RECORDINGS_S3_SECRET_KEY")
    return {
        "recordings_s3_endpoint": (env.get("RECORDINGS_S3_ENDPOINT") or "").strip().rstrip("/"),
        "recordings_s3_bucket": bucket,
        "recordings_s3_access_key": access,
        "recordings_s3_secret_key": secret,
        "recordings_s3_region": (env.get("RECORDINGS_S3_REGION") or "us-east-1").strip(),
    }


class _UploadSettings(TypedDict):
    upload_max_bytes: int
    uploads_per_minute: int
    uploads_dir: Path
    uploads_s3_endpoint: str
    uploads_s3_bucket: str
    uploads_s3_access_key: str
    uploads_s3_secret_key: str
    uploads_s3_region: str


def _upload_settings(env: dict[str, str]) -> _UploadSettings:
    bucket = (env.get("UPLOADS_S3_BUCKET") or "").strip()
    access, secret = env.get("UPLOADS_S3_ACCESS_KEY") or "", env.get("UPLOADS_S3_SECRET_KEY") or ""
    if bucket and not (access and secret):
        raise ConfigError("UPLOADS_S3_BUCKET needs UPLOADS_S3_ACCESS_KEY and UPLOADS_S3_SECRET_KEY")
    max_bytes = _int(env, "UPLOAD_MAX_BYTES", 25 * 1024 * 1024)
    if max_bytes < 1:
        raise ConfigError("UPLOAD_MAX_BYTES must be at least 1")
    return {
        "upload_max_bytes": max_bytes,
        "uploads_per_minute": _int(env, "UPLOADS_PER_MINUTE", 30),
        "uploads_dir": Path(env.get("UPLOADS_DIR") or "uploads"),
        "uploads_s3_endpoint": (env.get("UPLOADS_S3_ENDPOINT") or "").strip().rstrip("/"),
        "uploads_s3_bucket": bucket,
        "uploads_s3_access_key": access,
        "uploads_s3_secret_key": secret,
        "uploads_s3_region": (env.get("UPLOADS_S3_REGION") or "us-east-1").strip(),
    }
