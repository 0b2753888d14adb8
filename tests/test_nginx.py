"""The app behind the real nginx from nginx/nginx.conf, with TRUSTED_PROXIES naming it.

Browsers are told apart by their source address: Linux answers all of 127.0.0.0/8 on loopback, so
each client below binds its own 127.0.0.x."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import aiohttp
import pytest

from tests.servers import start_nginx

ATTACKER, VICTIM, NEWCOMER = "127.0.0.2", "127.0.0.3", "127.0.0.4"


@contextlib.asynccontextmanager
async def browser_at(address: str):
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(address, 0))) as session:
        yield session


@pytest.fixture
async def behind_nginx(make_api, livekit, tmp_path):
    """(app client, nginx): the app trusts only 127.0.0.1, where nginx connects from."""
    async with make_api("sqlite", trusted_proxies=("127.0.0.1",), login_rate_per_minute=20) as app:
        nginx = start_nginx(tmp_path / "nginx", app=f"127.0.0.1:{app.port}", livekit=f"127.0.0.1:{livekit.port}")
        try:
            yield app, nginx
        finally:
            nginx.stop()


async def post(session, url: str, body: dict, **headers) -> aiohttp.ClientResponse:
    async with session.post(url, json=body, headers=headers) as response:
        await response.read()
        return response


async def test_bad_logins_from_one_client_do_not_stop_a_good_login_from_another(behind_nginx):
    app, nginx = behind_nginx
    login = f"victim-{uuid.uuid4().hex[:6]}"
    async with browser_at(VICTIM) as victim, browser_at(ATTACKER) as attacker, browser_at(NEWCOMER) as newcomer:
        signed_up = await post(victim, f"{nginx.url}/api/v1/auth/register", {"login": login, "password": "password123"})
        assert signed_up.status == 201
        statuses = []
        for _ in range(25):
            response = await post(attacker, f"{nginx.url}/api/v1/auth/login", {"login": login, "password": "guess"})
            statuses.append(response.status)
        assert set(statuses) <= {401, 429} and statuses.count(429) >= 15, statuses
        for session in (victim, newcomer):
            good = await post(session, f"{nginx.url}/api/v1/auth/login", {"login": login, "password": "password123"})
            assert good.status == 200


async def test_a_spoofed_forwarded_for_is_ignored_through_nginx_and_directly(behind_nginx):
    """One client (127.0.0.2) naming a new address in every request, through nginx and straight to the
    app (an untrusted peer): both ways it is one client, limited at 20 sign-ins a minute."""
    app, nginx = behind_nginx
    direct = f"http://127.0.0.1:{app.port}"
    statuses = []
    async with browser_at(ATTACKER) as attacker:
        for n in range(22):
            base = nginx.url if n % 2 else direct
            body = {"login": f"nobody-{n}-{uuid.uuid4().hex[:4]}", "password": "guess"}
            response = await post(attacker, f"{base}/api/v1/auth/login", body, **{"X-Forwarded-For": f"198.51.100.{n}"})
            statuses.append(response.status)
    assert statuses == [401] * 20 + [429, 429]
    async with browser_at(VICTIM) as other:
        response = await post(other, f"{nginx.url}/api/v1/auth/login", {"login": "nobody", "password": "guess"})
        assert response.status == 401


async def test_the_websocket_query_never_reaches_the_access_log(behind_nginx):
    _, nginx = behind_nginx
    async with browser_at(VICTIM) as session:
        for path in ("/api/v1/ws?ticket=SECRET-TICKET-1", "/api/v1/ws?access_token=SECRET-TOKEN-2&after=5"):
            async with session.get(nginx.url + path) as response:
                await response.read()
        async with session.get(nginx.url + "/api/v1/users?q=visible-query") as response:
            await response.read()
    await asyncio.sleep(0.2)
    log = nginx.access_log.read_text()
    assert "/api/v1/ws" in log and "visible-query" in log
    assert "SECRET" not in log


async def test_pages_keep_the_apps_security_headers_through_nginx(behind_nginx):
    _, nginx = behind_nginx
    async with browser_at(VICTIM) as session, session.get(nginx.url + "/") as response:
        assert response.status == 200
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


class Through:
    """A client session that speaks to one base URL, shaped like the test client helpers expect."""

    def __init__(self, session: aiohttp.ClientSession, base: str):
        self.session, self.base = session, base

    def __getattr__(self, name: str):
        method = getattr(self.session, name)
        return lambda path, *args, **kwargs: method(self.base + path, *args, **kwargs)


async def test_the_apps_websocket_upgrades_through_nginx(behind_nginx):
    from tests.helpers import register
    from tests.realtime.sockets import connect

    _, nginx = behind_nginx
    async with browser_at(VICTIM) as session:
        client = Through(session, nginx.url)
        alice = await register(client)
        ws = await connect(client, alice)
        await ws.expect("ready")
        await ws.send(type="ping")
        await ws.expect("pong")
        await ws.close()
