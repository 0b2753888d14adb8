"""Start real PostgreSQL, Redis, LiveKit and nginx processes on free loopback ports for tests.

Plain helpers, no pytest: each ``start_*`` returns an object with the URLs to use
and ``stop()``. Every server lives in its own temp dir, listens on 127.0.0.1 only,
and a failure to come up raises ``ServerError`` with the tail of the process log.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

LIVEKIT_API_KEY = "devkey"
LIVEKIT_API_SECRET = "secret"


class ServerError(RuntimeError):
    """A test server did not start or did not answer in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that nobody is bound to right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as exc:
        return f"(no log at {path}: {exc})"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


# Servers still running when the interpreter exits (a test run interrupted
# before its fixtures' teardown) are stopped here so they don't outlive pytest.
_running: set[_Process] = set()


@atexit.register
def _stop_leftovers() -> None:
    for server in list(_running):
        server.stop()


class _Process:
    """One child process with a log file; stop() is idempotent."""

    name = "server"
    stop_signal = signal.SIGTERM

    def __init__(self, argv: list[str], log_path: Path, **popen_kwargs) -> None:
        self.log_path = Path(log_path)
        self._log = open(self.log_path, "ab")
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                **popen_kwargs,
            )
        except OSError as exc:
            self._log.close()
            raise ServerError(f"could not start {self.name} ({argv[0]}): {exc}") from exc
        _running.add(self)

    @property
    def pid(self) -> int:
        return self.process.pid

    def failure(self, what: str) -> ServerError:
        return ServerError(f"{self.name} {what}; log {self.log_path}:\n{log_tail(self.log_path)}")

    def wait_until(self, ready, timeout: float, what: str) -> None:
        """Poll ready() until true; raise with the log if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                self._cleanup()
                raise self.failure(f"exited with code {self.process.returncode} before {what}")
            try:
                if ready():
                    return
            except Exception:  # noqa: BLE001 - not ready yet, whatever the reason
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise self.failure(f"did not get {what} within {timeout:.0f}s")
            time.sleep(0.1)

    def stop(self, timeout: float = 10) -> None:
        if self.process.poll() is None:
            try:
                self.process.send_signal(self.stop_signal)
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self._cleanup()

    def kill(self) -> None:
        """Die at once, as a crashed server would."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._cleanup()

    def _cleanup(self) -> None:
        self._log.close()
        _running.discard(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _tcp_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True


# --------------------------------------------------------------------- PostgreSQL


def postgres_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/*/bin that has initdb (env POSTGRES_BIN_DIR wins)."""
    if os.environ.get("POSTGRES_BIN_DIR"):
        return Path(os.environ["POSTGRES_BIN_DIR"])
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not candidates:
        found = shutil.which("initdb")
        if found:
            return Path(found).parent
        raise ServerError(
            "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin; "
            "install them with: apt-get install -y postgresql"
        )
    newest = max(candidates, key=lambda p: int(Path(p).parent.parent.name.split(".")[0]))
    return Path(newest).parent


class PostgresServer(_Process):
    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: roll back clients and exit

    user = "conference"
    password = "conference"
    database = "conference"

    def __init__(self, argv, log_path, *, port: int, bin_dir: Path, owned_dir: Path | None, **kw):
        self.port = port
        self.bin_dir = bin_dir
        self._owned_dir = owned_dir
        super().__init__(argv, log_path, **kw)

    @property
    def url(self) -> str:
        return self.url_for(self.database)

    def url_for(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    @property
    def dsn(self) -> str:
        """The same database as url, for asyncpg/psql (no SQLAlchemy driver suffix)."""
        return self.url.replace("postgresql+asyncpg://", "postgresql://", 1)

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [
                str(self.bin_dir / "psql"),
                "-X",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-Atc",
                sql,
            ],
            env={**os.environ, "PGPASSWORD": self.password},
            capture_output=True,
            text=True,
            timeout=30,
        )
        if result.returncode != 0:
            raise ServerError(f"psql failed on {sql!r}: {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"database name must be letters, digits and _: {name!r}")
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _cleanup(self) -> None:
        super()._cleanup()
        if self._owned_dir is not None and self.process.poll() is not None:
            shutil.rmtree(self._owned_dir, ignore_errors=True)
            self._owned_dir = None


def _postgres_account() -> tuple[int, int] | None:
    """uid/gid to run postgres as: the postgres system user when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        account = pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ServerError(
            "running as root, and PostgreSQL refuses root: a 'postgres' system user "
            "is needed (apt-get install -y postgresql creates it)"
        ) from exc
    return account.pw_uid, account.pw_gid


def start_postgres(tmpdir, timeout: float = 60) -> PostgresServer:
    """initdb a throwaway cluster and start it on a free port (fsync off: tests only)."""
    bin_dir = postgres_bin_dir()
    account = _postgres_account()
    owned_dir = None
    if account:
        # pytest's temp dirs are root-only (0700), so the postgres user could not
        # reach a data dir inside them: give it a dir of its own under /tmp.
        base = Path(tempfile.mkdtemp(prefix="conference-pg-"))
        os.chown(base, *account)
        owned_dir = base
        run_as = {"user": account[0], "group": account[1], "extra_groups": []}
    else:
        base = Path(tmpdir)
        base.mkdir(parents=True, exist_ok=True)
        run_as = {}
    data = base / "data"
    sockets = base / "sockets"
    sockets.mkdir()
    pwfile = base / "pwfile"
    pwfile.write_text(PostgresServer.password + "\n")
    if account:
        os.chown(sockets, *account)
        os.chown(pwfile, *account)
    log_path = Path(tmpdir) / "postgres.log"
    Path(tmpdir).mkdir(parents=True, exist_ok=True)

    initdb = subprocess.run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            PostgresServer.user,
            f"--pwfile={pwfile}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        cwd=base,
        capture_output=True,
        text=True,
        timeout=120,
        **run_as,
    )
    if initdb.returncode != 0:
        if owned_dir:
            shutil.rmtree(owned_dir, ignore_errors=True)
        raise ServerError(f"initdb failed:\n{initdb.stdout[-2000:]}\n{initdb.stderr[-2000:]}")

    port = free_port()
    settings = {
        "listen_addresses": "127.0.0.1",
        "port": str(port),
        "unix_socket_directories": str(sockets),
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "300",
        "shared_buffers": "64MB",
        "log_min_messages": "warning",
    }
    argv = [str(bin_dir / "postgres"), "-D", str(data)]
    for key, value in settings.items():
        argv += ["-c", f"{key}={value}"]
    server = PostgresServer(argv, log_path, port=port, bin_dir=bin_dir, owned_dir=owned_dir, cwd=base, **run_as)

    def accepts_queries() -> bool:
        return server.psql("SELECT 1").strip() == "1"

    server.wait_until(accepts_queries, timeout, "accepting connections")
    server.psql(f'CREATE DATABASE "{PostgresServer.database}"')
    return server


# --------------------------------------------------------------------------- Redis


class RedisServer(_Process):
    name = "redis-server"

    def __init__(self, argv, log_path, *, port: int, **kw):
        self.port = port
        super().__init__(argv, log_path, **kw)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def start_redis(tmpdir, timeout: float = 20, *, port: int | None = None) -> RedisServer:
    """redis-server on a free port (or the given one, to restart) with no persistence."""
    binary = shutil.which("redis-server")
    if not binary:
        raise ServerError("redis-server not found; install it with: apt-get install -y redis-server")
    tmpdir = Path(tmpdir)
    tmpdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    argv = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(tmpdir),
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
    ]
    server = RedisServer(argv, tmpdir / "redis.log", port=port, cwd=tmpdir)

    def answers_ping() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")

    server.wait_until(answers_ping, timeout, "answering PING")
    return server


# ------------------------------------------------------------------------- LiveKit


def livekit_binary() -> str:
    """env LIVEKIT_SERVER_BIN, else livekit-server on PATH, else <repo>/.dev/bin/livekit-server."""
    if os.environ.get("LIVEKIT_SERVER_BIN"):
        return os.environ["LIVEKIT_SERVER_BIN"]
    found = shutil.which("livekit-server")
    if found:
        return found
    local = REPO / ".dev" / "bin" / "livekit-server"
    if local.exists():
        return str(local)
    raise ServerError(
        "livekit-server not found (LIVEKIT_SERVER_BIN, PATH, .dev/bin); ./scripts/test.sh builds it into .dev/bin"
    )


class LiveKitServer(_Process):
    name = "livekit-server"

    api_key = LIVEKIT_API_KEY
    api_secret = LIVEKIT_API_SECRET

    def __init__(
        self,
        argv,
        log_path,
        *,
        port: int,
        tcp_port: int,
        udp_port: int,
        config_path: Path,
        webhook_url: str | None,
        **kw,
    ):
        self.port = port
        self.tcp_port = tcp_port
        self.udp_port = udp_port
        self.config_path = config_path
        self.webhook_url = webhook_url
        self.webhook_port: int | None = None  # set by the pytest fixture
        super().__init__(argv, log_path, **kw)

    def stop(self, timeout: float = 10) -> None:
        # The first SIGTERM drains: LiveKit waits for participants to leave, in
        # 5 s steps. Give webhooks a moment to go out, then a second SIGTERM
        # forces the exit.
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(1)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGTERM)
        super().stop(timeout)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def livekit_config(
    *,
    port: int,
    tcp_port: int,
    udp_port: int,
    webhook_url: str | None,
    redis_address: str | None = None,
    log_level: str = "info",
) -> str:
    """The YAML for a single loopback node (keys devkey: secret)."""
    lines = [
        f"port: {port}",
        "bind_addresses:",
        "  - 127.0.0.1",
        "rtc:",
        f"  tcp_port: {tcp_port}",
        f"  udp_port: {udp_port}",
        "  use_external_ip: false",
        # Advertise loopback so peers on this machine (tests, a local browser)
        # get candidates they can reach; no STUN lookups.
        "  node_ip: 127.0.0.1",
        "  enable_loopback_candidate: true",
        "keys:",
        f"  {LIVEKIT_API_KEY}: {LIVEKIT_API_SECRET}",
        "logging:",
        f"  level: {log_level}",
        "room:",
        "  auto_create: false",  # as in livekit.yaml: the app creates rooms before minting tokens
        "  empty_timeout: 30",
        "  departure_timeout: 5",
    ]
    if webhook_url:
        lines += [
            "webhook:",
            f"  api_key: {LIVEKIT_API_KEY}",
            "  urls:",
            f"    - {webhook_url}",
        ]
    if redis_address:
        lines += ["redis:", f"  address: {redis_address}"]
    return "\n".join(lines) + "\n"


def start_livekit(
    tmpdir, webhook_url: str | None = None, *, redis_address: str | None = None, timeout: float = 30
) -> LiveKitServer:
    """livekit-server on free ports of 127.0.0.1, posting webhooks to webhook_url.

    redis_address ("127.0.0.1:PORT") makes it a node of a multi-node cluster.
    """
    binary = livekit_binary()
    tmpdir = Path(tmpdir)
    tmpdir.mkdir(parents=True, exist_ok=True)
    port, tcp_port, udp_port = free_port(), free_port(), free_udp_port()
    while tcp_port == port:
        tcp_port = free_port()
    config_path = tmpdir / "livekit.yaml"
    config_path.write_text(
        livekit_config(
            port=port,
            tcp_port=tcp_port,
            udp_port=udp_port,
            webhook_url=webhook_url,
            redis_address=redis_address,
        )
    )
    server = LiveKitServer(
        [binary, "--config", str(config_path)],
        tmpdir / "livekit.log",
        port=port,
        tcp_port=tcp_port,
        udp_port=udp_port,
        config_path=config_path,
        webhook_url=webhook_url,
        cwd=tmpdir,
    )

    def answers_http() -> bool:
        with urllib.request.urlopen(server.http_url + "/", timeout=1) as response:
            return response.status == 200

    server.wait_until(answers_http, timeout, "answering HTTP")
    return server


# --------------------------------------------------------------------------- nginx


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not found:
        raise ServerError("nginx not found; install it with: apt-get install -y nginx (scripts/test.sh does)")
    return found


def render_nginx_conf(tmpdir, *, port: int, app: str, livekit: str) -> Path:
    """nginx/nginx.conf as shipped, with only the addresses changed: upstreams at `app` and `livekit`
    ("127.0.0.1:PORT"), listening on 127.0.0.1:port, logs and pid in tmpdir, in the foreground."""
    tmpdir = Path(tmpdir)
    text = (REPO / "nginx" / "nginx.conf").read_text()
    text, apps = re.subn(r"server\s+app:\d+;", f"server {app};", text)
    text, livekits = re.subn(r"server\s+livekit:\d+;", f"server {livekit};", text)
    text, listens = re.subn(r"(?m)^(\s*)listen\s+80;", rf"\g<1>listen 127.0.0.1:{port};", text)
    if (apps, livekits, listens) != (1, 1, 1):
        raise ServerError(f"nginx.conf changed shape: upstreams app {apps}, livekit {livekits}, listen 80 {listens}")
    text = text.replace("/var/log/nginx/", f"{tmpdir}/")
    head = ["daemon off;", f"pid {tmpdir}/nginx.pid;", f"error_log {tmpdir}/error.log warn;"]
    if os.geteuid() == 0:
        head.append("user root;")  # workers write temp files in root-only pytest dirs
    temp = "".join(
        f"    {kind}_temp_path {tmpdir}/{kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    text = text.replace("http {\n", "http {\n" + temp, 1)
    conf = tmpdir / "nginx.conf"
    conf.write_text("\n".join(head) + "\n" + text)
    return conf


class NginxServer(_Process):
    name = "nginx"
    stop_signal = signal.SIGQUIT  # graceful: finish the requests in flight

    def __init__(self, argv, log_path, *, port: int, access_log: Path, **kw):
        self.port = port
        self.access_log = access_log
        super().__init__(argv, log_path, **kw)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_nginx(tmpdir, *, app: str, livekit: str, timeout: float = 20) -> NginxServer:
    """The shipped nginx.conf in front of `app` and `livekit` ("127.0.0.1:PORT")."""
    binary = nginx_binary()
    tmpdir = Path(tmpdir)
    tmpdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = render_nginx_conf(tmpdir, port=port, app=app, livekit=livekit)
    server = NginxServer(
        [binary, "-p", str(tmpdir), "-c", str(conf)],
        tmpdir / "nginx.log",
        port=port,
        access_log=tmpdir / "access.log",
        cwd=tmpdir,
    )
    server.wait_until(lambda: _tcp_open(port), timeout, "listening")
    return server


# ----------------------------------------------------------------------- versitygw

S3_ACCESS_KEY = "test-s3-access"
S3_SECRET_KEY = "test-s3-secret-key-for-versitygw"


def versitygw_binary() -> str:
    """env VERSITYGW_BIN, else versitygw on PATH, else <repo>/.dev/bin/versitygw."""
    if os.environ.get("VERSITYGW_BIN"):
        return os.environ["VERSITYGW_BIN"]
    found = shutil.which("versitygw")
    if found:
        return found
    local = REPO / ".dev" / "bin" / "versitygw"
    if local.exists():
        return str(local)
    raise ServerError("versitygw not found (VERSITYGW_BIN, PATH, .dev/bin); ./scripts/test.sh builds it into .dev/bin")


class S3Server(_Process):
    """versitygw: a real S3-compatible gateway over a directory (its posix backend)."""

    name = "versitygw"
    access_key, secret_key, region = S3_ACCESS_KEY, S3_SECRET_KEY, "us-east-1"

    def __init__(self, argv, log_path, *, port: int, data_dir: Path, **kw):
        super().__init__(argv, log_path, **kw)
        self.port, self.data_dir = port, data_dir

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_s3(tmpdir, timeout: float = 20) -> S3Server:
    """versitygw on a free loopback port, storing buckets as directories under tmpdir/data."""
    tmpdir = Path(tmpdir)
    data_dir = tmpdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [
        versitygw_binary(),
        "--access",
        S3_ACCESS_KEY,
        "--secret",
        S3_SECRET_KEY,
        "--port",
        f"127.0.0.1:{port}",
        "posix",
        str(data_dir),
    ]
    server = S3Server(argv, tmpdir / "versitygw.log", port=port, data_dir=data_dir, cwd=tmpdir)
    server.wait_until(lambda: _tcp_open(port), timeout, "listening")
    return server
