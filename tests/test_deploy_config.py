"""docker-compose.yml, livekit.yaml, nginx/nginx.conf and the Dockerfile agree with each other,
and a deployment made from them (`./scripts/deploy-init.sh`, then compose) is safe by default.

Docker does not run here, so these read the files: every mounted file exists,
ports, hosts and keys line up, and nginx upgrades the WebSockets it proxies.
The real nginx and livekit-server check the configs they are given.
"""

import os
import re
import shutil
import subprocess
import tomllib
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import yaml

from conference.settings import REPO_SECRETS, ConfigError, Settings
from tests.servers import REPO, free_port, livekit_binary, nginx_binary, render_nginx_conf

WEBHOOK_PATH = "/api/v1/livekit/webhook"
INIT_SECRETS = ("JWT_SECRET", "LIVEKIT_API_SECRET", "POSTGRES_PASSWORD")


class MissingVariable(AssertionError):
    """Compose's ${VAR:?message} with VAR unset: compose refuses to start."""


def interpolate(value, env: dict[str, str]):
    """Compose's ${VAR}, ${VAR:-default} / ${VAR-default} and ${VAR:?message} / ${VAR?message}."""
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        name, colon, kind, word = match.group(1), match.group(2), match.group(3), match.group(4)
        present = name in env and (env[name] != "" or not colon)
        if present:
            return env[name]
        if kind == "-":
            return word
        if kind == "?":
            raise MissingVariable(f"{name}: {word}")
        raise AssertionError(f"{match.group(0)} in docker-compose.yml has no default")

    return re.sub(r"\$\{(\w+)(?:(:?)([-?])([^}]*))?\}", substitute, value)


def read_env_file(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def run_init(path) -> subprocess.CompletedProcess:
    """./scripts/deploy-init.sh as an operator runs it: the system Python, nothing of ours installed."""
    env = {"PATH": os.environ["PATH"], "PYTHON": shutil.which("python3") or "python3"}
    return subprocess.run(
        [str(REPO / "scripts" / "deploy-init.sh"), "--path", str(path)], env=env, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def init_env(tmp_path_factory) -> dict[str, str]:
    """What `./scripts/deploy-init.sh` wrote to .env."""
    path = tmp_path_factory.mktemp("deploy") / ".env"
    result = run_init(path)
    assert result.returncode == 0, result.stderr
    return read_env_file(path.read_text())


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def livekit_config() -> dict:
    return yaml.safe_load((REPO / "livekit.yaml").read_text())


def environment(service: dict, env: dict[str, str]) -> dict[str, str]:
    """A service's environment as compose gives it, with `env` as the .env file."""
    values = service.get("environment") or {}
    if isinstance(values, list):
        values = dict(item.split("=", 1) for item in values)
    return {key: str(interpolate(value, env)) for key, value in values.items()}


def published(service: dict) -> set[str]:
    """Container ports a service publishes, as "7882/udp" / "7881/tcp"."""
    ports = set()
    for entry in service.get("ports", []):
        entry = str(entry)
        proto = "tcp"
        if "/" in entry:
            entry, proto = entry.split("/", 1)
        ports.add(f"{entry.rsplit(':', 1)[-1]}/{proto}")
    return ports


class Nginx:
    """Just enough of nginx.conf: upstreams and the directives of each location."""

    def __init__(self, text: str) -> None:
        self.text = re.sub(r"#[^\n]*", "", text)
        self.upstreams = {
            name: re.findall(r"\bserver\s+([^\s;]+)", body)
            for name, body in re.findall(r"upstream\s+(\S+)\s*\{([^}]*)\}", self.text)
        }
        self.locations = {path: body for path, body in re.findall(r"location\s+(\S+)\s*\{([^}]*)\}", self.text)}
        server = re.search(r"\bserver\s*\{(.*)\}", self.text, re.S).group(1)
        self.server_level = re.sub(r"location\s+\S+\s*\{[^}]*\}", "", server)

    def location(self, prefix: str) -> str:
        for path, body in self.locations.items():
            if (path.rstrip("/") or "/") == (prefix.rstrip("/") or "/"):
                return body
        raise AssertionError(f"nginx.conf has no location {prefix}")

    def target(self, prefix: str) -> str:
        """host:port that a location proxies to, through its upstream block."""
        match = re.search(r"proxy_pass\s+https?://([^/;\s]+)", self.location(prefix))
        assert match, f"location {prefix} does not proxy_pass"
        name = match.group(1)
        servers = self.upstreams.get(name, [name])
        assert len(servers) == 1, f"upstream {name}: {servers}"
        return servers[0]

    def directive(self, prefix: str, pattern: str) -> bool:
        """The directive in the location, or inherited from the server block."""
        body = self.location(prefix)
        name = pattern.split()[0]
        if re.search(rf"\b{name}\b", body):
            return bool(re.search(pattern, body))
        return bool(re.search(pattern, self.server_level))


@pytest.fixture(scope="module")
def nginx() -> Nginx:
    return Nginx((REPO / "nginx" / "nginx.conf").read_text())


def test_compose_has_every_service(services):
    assert {"postgres", "redis", "livekit", "app", "nginx"} <= set(services)


def test_every_mounted_file_exists_in_the_repo(services):
    mounted = []
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith("."):
                mounted.append(source)
                assert (REPO / source).exists(), f"{name} mounts {source}, which is not in the repo"
    assert {"./init.sql", "./livekit.yaml", "./nginx/nginx.conf"} <= set(mounted)


def test_the_app_image_builds_from_files_in_the_repo(services):
    build = services["app"]["build"]
    context = REPO / (build if isinstance(build, str) else build.get("context", "."))
    dockerfile = context / ("Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
    assert dockerfile.exists()
    for line in dockerfile.read_text().splitlines():
        words = line.split()
        if not words or words[0] != "COPY" or any(w.startswith("--from") for w in words):
            continue
        for source in words[1:-1]:
            if "*" in source:
                continue  # optional files, e.g. README.md*
            assert (context / source).exists(), f"Dockerfile copies {source}, which does not exist"


def test_dockerfile_runs_the_installed_console_script():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    dockerfile = (REPO / "Dockerfile").read_text()
    command = re.search(r'^CMD\s+\["([^"]+)"', dockerfile, re.M).group(1)
    assert command in scripts


def test_livekit_port_agrees_everywhere(services, livekit_config, nginx, init_env):
    api_url = urlsplit(environment(services["app"], init_env)["LIVEKIT_API_URL"])
    assert api_url.hostname == "livekit"
    assert api_url.port == livekit_config["port"]
    assert nginx.target("/rtc") == f"livekit:{livekit_config['port']}"


def test_livekit_media_ports_are_published(services, livekit_config):
    rtc = livekit_config["rtc"]
    ports = published(services["livekit"])
    assert f"{rtc['tcp_port']}/tcp" in ports
    assert f"{rtc['udp_port']}/udp" in ports


def test_nginx_sends_api_websocket_and_pages_to_the_app_port(services, nginx, init_env):
    app_port = environment(services["app"], init_env)["PORT"]
    for prefix in ("/api", "/ws", "/"):
        assert nginx.target(prefix) == f"app:{app_port}", prefix


def test_browsers_reach_livekit_through_nginx(services, nginx, init_env):
    livekit_url = urlsplit(environment(services["app"], init_env)["LIVEKIT_URL"])
    assert livekit_url.scheme in ("ws", "wss")
    port = livekit_url.port or (443 if livekit_url.scheme == "wss" else 80)
    assert f"{port}/tcp" in published(services["nginx"])
    assert re.search(rf"\blisten\s+{port}\b", nginx.server_level)


@pytest.mark.parametrize("prefix", ["/api", "/api/v1/ws", "/ws", "/rtc"])
def test_nginx_upgrades_websockets(nginx, prefix):
    assert nginx.directive(prefix, r"proxy_http_version\s+1\.1")
    assert nginx.directive(prefix, r"proxy_set_header\s+Upgrade\s+\$http_upgrade")
    assert nginx.directive(prefix, r"proxy_set_header\s+Connection\s+(\$connection_upgrade|\"?upgrade)")


def test_app_uses_the_livekit_key_pair_and_the_webhook_key(services, livekit_config, init_env):
    env = environment(services["app"], init_env)
    keys = yaml.safe_load(environment(services["livekit"], init_env)["LIVEKIT_KEYS"])
    assert keys == {env["LIVEKIT_API_KEY"]: env["LIVEKIT_API_SECRET"]}
    assert env["LIVEKIT_API_SECRET"] == init_env["LIVEKIT_API_SECRET"]
    assert livekit_config["webhook"]["api_key"] == env["LIVEKIT_API_KEY"]


def test_webhooks_go_to_the_app_service(services, livekit_config, init_env):
    (url,) = livekit_config["webhook"]["urls"]
    target = urlsplit(url)
    assert target.hostname == "app" and "app" in services
    assert str(target.port) == environment(services["app"], init_env)["PORT"]
    assert target.path == WEBHOOK_PATH


def test_app_and_livekit_share_the_compose_redis(services, livekit_config, init_env):
    redis_url = urlsplit(environment(services["app"], init_env)["REDIS_URL"])
    assert redis_url.scheme == "redis" and redis_url.hostname == "redis"
    assert livekit_config["redis"]["address"] == f"redis:{redis_url.port or 6379}"


def test_app_database_is_the_compose_postgres(services, init_env):
    url = urlsplit(environment(services["app"], init_env)["DATABASE_URL"])
    postgres = environment(services["postgres"], init_env)
    assert url.scheme == "postgresql+asyncpg"
    assert url.hostname == "postgres"
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == postgres["POSTGRES_DB"]


def test_app_waits_for_its_backing_services(services):
    depends = services["app"]["depends_on"]
    assert {"postgres", "redis", "livekit"} <= set(depends)


def test_nginx_accepts_the_config(tmp_path):
    # Compose's service names don't resolve here: point the upstreams at loopback.
    address = f"127.0.0.1:{free_port()}"
    conf = render_nginx_conf(tmp_path, port=free_port(), app=address, livekit=address)
    result = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr


def dev_livekit_config() -> str:
    """The config scripts/dev.sh writes to .dev/livekit.yaml."""
    script = (REPO / "scripts" / "dev.sh").read_text()
    return re.search(r"<<'YAML'\n(.*?)\nYAML\n", script, re.S).group(1) + "\n"


@pytest.mark.parametrize("name", ["livekit.yaml", "scripts/dev.sh"])
def test_livekit_accepts_the_config(tmp_path, name):
    """LiveKit's own strict parser: a misspelt key fails here, not on a server."""
    binary = livekit_binary()  # missing is a failure, like every other test that needs LiveKit
    if name == "livekit.yaml":
        config = REPO / name
    else:
        config = tmp_path / "dev-livekit.yaml"
        config.write_text(dev_livekit_config())
    text = yaml.safe_load(config.read_text())
    result = subprocess.run([binary, "--config", str(config), "ports"], capture_output=True, text=True, timeout=30)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "could not" not in output, output
    assert f"{text['rtc']['tcp_port']} - ICE/TCP" in output


def test_dev_script_webhook_reaches_the_local_app():
    config = yaml.safe_load(dev_livekit_config())
    assert config["webhook"]["api_key"] in config["keys"]
    (url,) = config["webhook"]["urls"]
    assert url == f"http://127.0.0.1:8080{WEBHOOK_PATH}"


# --- a deployment made with deploy-init.sh and compose is safe by default -----------------------


def test_init_writes_fresh_long_secrets_in_a_private_file(tmp_path, init_env):
    assert set(INIT_SECRETS) <= set(init_env)
    again = tmp_path / "again.env"
    assert run_init(again).returncode == 0
    second = read_env_file(again.read_text())
    for name in INIT_SECRETS:
        assert len(init_env[name]) >= 32, name
        assert init_env[name] != second[name], f"{name} is not random"
    assert len({init_env[name] for name in INIT_SECRETS}) == len(INIT_SECRETS)
    assert again.stat().st_mode & 0o077 == 0, "the .env must not be readable by others"


def test_init_keeps_an_existing_env(tmp_path):
    path = tmp_path / ".env"
    path.write_text("JWT_SECRET=mine\n")
    result = run_init(path)
    assert result.returncode == 1 and "--force" in result.stderr
    assert path.read_text() == "JWT_SECRET=mine\n"


@pytest.mark.parametrize("service,variable", [("app", "JWT_SECRET"), ("app", "LIVEKIT_API_SECRET"),
                                              ("livekit", "LIVEKIT_KEYS"), ("postgres", "POSTGRES_PASSWORD"),
                                              ("app", "DATABASE_URL")])  # fmt: skip
def test_compose_refuses_to_start_without_the_init_secrets(services, service, variable):
    value = services[service]["environment"][variable]
    with pytest.raises(MissingVariable, match="deploy-init.sh"):
        interpolate(value, {})


def test_compose_runs_production_by_default(services, init_env):
    without_app_env = {name: value for name, value in init_env.items() if name != "APP_ENV"}
    assert environment(services["app"], without_app_env)["APP_ENV"] == "production"
    assert init_env["APP_ENV"] == "production"


def test_the_app_starts_in_production_with_the_compose_environment(services, init_env):
    settings = Settings.from_env(environment(services["app"], init_env))
    assert settings.production and not settings.create_demo_user
    assert settings.jwt_secret == init_env["JWT_SECRET"]
    assert settings.trusted_proxies


def test_compose_trusts_the_forwarded_address_from_its_own_network_only(compose, services, init_env):
    (subnet,) = [interpolate(entry["subnet"], init_env) for entry in compose["networks"]["default"]["ipam"]["config"]]
    assert environment(services["app"], init_env)["TRUSTED_PROXIES"] == subnet
    assert "ports" not in services["app"], "the app must be reached through nginx only"


def tracked_text() -> str:
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    texts = []
    for name in set(files) - {"tests/test_deploy_config.py"}:  # this file's strings are its test data
        path = REPO / name
        if path.is_file() and path.stat().st_size < 2_000_000:
            texts.append(path.read_text(errors="ignore"))
    return "\n".join(texts)


def test_no_secret_of_a_deployment_is_in_the_repo(services, livekit_config, init_env):
    everything = tracked_text()
    for name in INIT_SECRETS:
        assert init_env[name] not in everything
    assert "keys" not in livekit_config and "key_file" not in livekit_config, "livekit.yaml must hold no key"
    app = environment(services["app"], init_env)
    assert app["LIVEKIT_API_SECRET"] not in REPO_SECRETS and app["JWT_SECRET"] not in REPO_SECRETS


def repo_secrets_in_files() -> set[str]:
    """Every secret written down in the repository: dev setup, compose, README, test defaults."""
    from tests.app_fixtures import test_settings
    from tests.servers import LIVEKIT_API_SECRET

    found = {
        LIVEKIT_API_SECRET,
        test_settings(SimpleNamespace(ws_url="", http_url="", api_key="", api_secret=""), "").jwt_secret,
    }
    found |= {str(secret) for secret in yaml.safe_load(dev_livekit_config())["keys"].values()}
    name = r"\b(?:JWT_SECRET|LIVEKIT_API_SECRET|jwt_secret|api_secret)\b"
    patterns = (
        name + r"[\"']?\s*[:=]\s*[\"']([^\"'\s$]{6,})[\"']\s*[,;)}#\n]",  # a literal: JWT_SECRET = "..."
        r"\b(?:JWT_SECRET|LIVEKIT_API_SECRET)=([^\s\"'$<{]{6,})",  # env style: JWT_SECRET=...
        name + r"\s*\|\|\s*[\"']([^\"']+)[\"']",  # a JavaScript default: X || 'secret'
        r"\$\{(?:JWT_SECRET|LIVEKIT_API_SECRET):?-([^}]+)\}",  # a compose default
    )
    text = tracked_text()
    for pattern in patterns:
        found |= {match.group(1) for match in re.finditer(pattern, text)}
    return found


def test_production_refuses_every_secret_written_in_the_repo():
    secrets = repo_secrets_in_files()
    assert {"secret", "change-me-to-a-long-random-value"} <= secrets | REPO_SECRETS
    good = {"JWT_SECRET": "j" * 40, "LIVEKIT_API_KEY": "conference", "LIVEKIT_API_SECRET": "v" * 40}
    Settings.from_env({"APP_ENV": "production", **good})  # the baseline starts
    for secret in secrets | REPO_SECRETS:
        for variable in ("JWT_SECRET", "LIVEKIT_API_SECRET"):
            with pytest.raises(ConfigError, match="refusing to start"):
                Settings.from_env({"APP_ENV": "production", **good, variable: secret})
    with pytest.raises(ConfigError, match="dev keys"):
        Settings.from_env({"APP_ENV": "production", **good, "LIVEKIT_API_KEY": "devkey"})


def every_livekit_config() -> dict[str, dict]:
    from tests.servers import livekit_config as fixture_config

    return {
        "livekit.yaml": yaml.safe_load((REPO / "livekit.yaml").read_text()),
        "scripts/dev.sh": yaml.safe_load(dev_livekit_config()),
        "tests/servers.py": yaml.safe_load(fixture_config(port=1, tcp_port=2, udp_port=3, webhook_url=None)),
    }


@pytest.mark.parametrize("name", ["livekit.yaml", "scripts/dev.sh", "tests/servers.py"])
def test_livekit_never_creates_rooms_by_itself(name):
    assert every_livekit_config()[name]["room"]["auto_create"] is False


async def test_the_shipped_livekit_config_takes_its_keys_from_the_environment(tmp_path, init_env, redis_server):
    """livekit.yaml as compose runs it, with LIVEKIT_KEYS from init: the pair works, the dev pair does
    not, and a valid token for a room nobody created is refused."""
    from livekit import api, rtc

    from tests.servers import LiveKitServer, ServerError, _tcp_open

    secret = init_env["LIVEKIT_API_SECRET"]
    for attempt in range(3):  # a free port can be taken by another process before LiveKit binds it
        port, tcp_port = free_port(), free_port()
        text = (REPO / "livekit.yaml").read_text()
        text = text.replace("port: 7880", f"port: {port}\nbind_addresses:\n  - 127.0.0.1").replace(
            "tcp_port: 7881", f"tcp_port: {tcp_port}\n  node_ip: 127.0.0.1"
        )
        text = text.replace("address: redis:6379", f"address: 127.0.0.1:{redis_server.port}")
        text = text.replace("http://app:8080", f"http://127.0.0.1:{free_port()}")
        config = tmp_path / "livekit.yaml"
        config.write_text(text)
        server = LiveKitServer(
            [livekit_binary(), "--config", str(config)],
            tmp_path / "livekit.log",
            port=port,
            tcp_port=tcp_port,
            udp_port=7882,
            config_path=config,
            webhook_url=None,
            cwd=tmp_path,
            env={**os.environ, "LIVEKIT_KEYS": f"conference: {secret}"},
        )
        try:
            server.wait_until(lambda port=port: _tcp_open(port), 30, "listening")
            break
        except ServerError as error:
            server.stop()
            if "address already in use" not in str(error) or attempt == 2:
                raise
    try:
        url = f"http://127.0.0.1:{port}"
        async with api.LiveKitAPI(url, "conference", secret) as lk:
            await lk.room.create_room(api.CreateRoomRequest(name="made-by-the-app"))
            assert "made-by-the-app" in [room.name for room in (await lk.room.list_rooms(api.ListRoomsRequest())).rooms]
        async with api.LiveKitAPI(url, "devkey", "secret") as lk:
            with pytest.raises(api.TwirpError):
                await lk.room.list_rooms(api.ListRoomsRequest())
        grants = api.VideoGrants(room_join=True, room="not-created")
        token = api.AccessToken("conference", secret).with_identity("someone").with_grants(grants).to_jwt()
        peer = rtc.Room()
        with pytest.raises(rtc.ConnectError):
            await peer.connect(f"ws://127.0.0.1:{port}", token)
        await peer.disconnect()
    finally:
        server.stop()


@pytest.mark.parametrize("prefix", ["/api", "/api/v1/ws", "/ws", "/rtc", "/"])
def test_nginx_forwards_only_the_address_it_saw(nginx, prefix):
    # nginx drops every inherited proxy_set_header in a location that sets one of its own
    assert nginx.directive(prefix, r"proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;")
    assert nginx.directive(prefix, r"proxy_set_header\s+Host\s+\$host;")
    assert "$proxy_add_x_forwarded_for" not in nginx.text


def test_nginx_logs_the_websocket_without_its_query(nginx):
    formats = dict(re.findall(r"log_format\s+(\w+)\s+((?:'[^']*'\s*)+);", nginx.text))
    assert "without_query" in formats
    assert not re.search(r"\$(request|args|query_string|request_uri|arg_\w+)\b", formats["without_query"])
    for prefix in ("/api/v1/ws", "/ws"):
        assert re.search(r"access_log\s+\S+\s+without_query;", nginx.location(prefix)), prefix


def test_nginx_tls_example_sends_hsts():
    text = (REPO / "nginx" / "nginx.conf").read_text()
    assert re.search(r"#\s*add_header\s+Strict-Transport-Security\s+\"max-age=\d{8,}", text)
