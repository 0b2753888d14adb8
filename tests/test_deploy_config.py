"""docker-compose.yml, livekit.yaml, nginx/nginx.conf and the Dockerfile agree with each other.

Docker does not run here, so these read the files: every mounted file exists,
ports, hosts and keys line up, and nginx upgrades the WebSockets it proxies.
"""

import re
import shutil
import subprocess
import tomllib
from urllib.parse import urlsplit

import pytest
import yaml

from tests.servers import REPO, free_port, livekit_binary

WEBHOOK_PATH = "/api/v1/livekit/webhook"


def interpolate(value):
    """Compose's ${VAR:-default} / ${VAR-default} with VAR unset: the default."""
    if not isinstance(value, str):
        return value

    def default(match: re.Match) -> str:
        if match.group(2) is None:
            raise AssertionError(f"{match.group(0)} in docker-compose.yml has no default")
        return match.group(2)

    return re.sub(r"\$\{(\w+)(?::?-([^}]*))?\}", default, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def livekit_config() -> dict:
    return yaml.safe_load((REPO / "livekit.yaml").read_text())


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(interpolate(value)) for key, value in env.items()}


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


def test_livekit_port_agrees_everywhere(services, livekit_config, nginx):
    api_url = urlsplit(environment(services["app"])["LIVEKIT_API_URL"])
    assert api_url.hostname == "livekit"
    assert api_url.port == livekit_config["port"]
    assert nginx.target("/rtc") == f"livekit:{livekit_config['port']}"


def test_livekit_media_ports_are_published(services, livekit_config):
    rtc = livekit_config["rtc"]
    ports = published(services["livekit"])
    assert f"{rtc['tcp_port']}/tcp" in ports
    assert f"{rtc['udp_port']}/udp" in ports


def test_nginx_sends_api_websocket_and_pages_to_the_app_port(services, nginx):
    app_port = environment(services["app"])["PORT"]
    for prefix in ("/api", "/ws", "/"):
        assert nginx.target(prefix) == f"app:{app_port}", prefix


def test_browsers_reach_livekit_through_nginx(services, nginx):
    livekit_url = urlsplit(environment(services["app"])["LIVEKIT_URL"])
    assert livekit_url.scheme in ("ws", "wss")
    port = livekit_url.port or (443 if livekit_url.scheme == "wss" else 80)
    assert f"{port}/tcp" in published(services["nginx"])
    assert re.search(rf"\blisten\s+{port}\b", nginx.server_level)


@pytest.mark.parametrize("prefix", ["/api", "/ws", "/rtc"])
def test_nginx_upgrades_websockets(nginx, prefix):
    assert nginx.directive(prefix, r"proxy_http_version\s+1\.1")
    assert nginx.directive(prefix, r"proxy_set_header\s+Upgrade\s+\$http_upgrade")
    assert nginx.directive(prefix, r"proxy_set_header\s+Connection\s+(\$connection_upgrade|\"?upgrade)")


def test_app_uses_the_livekit_key_pair_and_the_webhook_key(services, livekit_config):
    env = environment(services["app"])
    keys = {str(key): str(secret) for key, secret in livekit_config["keys"].items()}
    assert keys.get(env["LIVEKIT_API_KEY"]) == env["LIVEKIT_API_SECRET"]
    assert livekit_config["webhook"]["api_key"] == env["LIVEKIT_API_KEY"]


def test_webhooks_go_to_the_app_service(services, livekit_config):
    (url,) = livekit_config["webhook"]["urls"]
    target = urlsplit(url)
    assert target.hostname == "app" and "app" in services
    assert str(target.port) == environment(services["app"])["PORT"]
    assert target.path == WEBHOOK_PATH


def test_app_and_livekit_share_the_compose_redis(services, livekit_config):
    redis_url = urlsplit(environment(services["app"])["REDIS_URL"])
    assert redis_url.scheme == "redis" and redis_url.hostname == "redis"
    assert livekit_config["redis"]["address"] == f"redis:{redis_url.port or 6379}"


def test_app_database_is_the_compose_postgres(services):
    url = urlsplit(environment(services["app"])["DATABASE_URL"])
    postgres = environment(services["postgres"])
    assert url.scheme == "postgresql+asyncpg"
    assert url.hostname == "postgres"
    assert url.username == postgres["POSTGRES_USER"]
    assert url.password == postgres["POSTGRES_PASSWORD"]
    assert url.path.lstrip("/") == postgres["POSTGRES_DB"]


def test_app_waits_for_its_backing_services(services):
    depends = services["app"]["depends_on"]
    assert {"postgres", "redis", "livekit"} <= set(depends)


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_nginx_accepts_the_config(tmp_path):
    # Compose's service names don't resolve here: point the upstreams at loopback.
    text = (REPO / "nginx" / "nginx.conf").read_text()
    text = re.sub(r"server\s+(app|livekit):(\d+);", f"server 127.0.0.1:{free_port()};", text)
    text = text.replace("events {", f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{", 1)
    conf = tmp_path / "nginx.conf"
    conf.write_text(text)
    result = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
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
