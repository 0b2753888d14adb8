"""The client address: X-Forwarded-For counts only when the peer is one of TRUSTED_PROXIES."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from conference.clientaddr import resolve, trusted_networks
from conference.settings import ConfigError, Settings
from tests.helpers import error_of

PROXIES = trusted_networks(("10.0.0.0/8", "192.168.1.5"))


def chain(*addresses: str) -> list:
    return [ip_address(address) for address in addresses]


@pytest.mark.parametrize(
    "peer, forwarded, client",
    [
        ("203.0.113.7", [], "203.0.113.7"),  # no proxy at all
        ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),  # a client naming another address: ignored
        ("10.1.2.3", [], "10.1.2.3"),  # our proxy, no header: the proxy itself
        ("10.1.2.3", ["198.51.100.1"], "198.51.100.1"),  # our proxy says who
        ("10.1.2.3", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),  # the client prepended a lie
        ("10.1.2.3", ["198.51.100.1", "192.168.1.5"], "198.51.100.1"),  # two proxies of ours
        ("192.168.1.5", ["10.9.9.9", "10.1.1.1"], "10.9.9.9"),  # only proxies: the furthest one
        ("192.168.1.6", ["198.51.100.1"], "192.168.1.6"),  # a neighbour that is not on the list
    ],
)
def test_the_right_most_untrusted_hop_is_the_client(peer, forwarded, client):
    assert resolve(peer, chain(*forwarded), PROXIES) == client


def test_no_trusted_proxies_means_the_peer_always():
    assert resolve("10.1.2.3", chain("198.51.100.1"), ()) == "10.1.2.3"


def test_trusted_proxies_come_from_the_environment():
    settings = Settings.from_env({"TRUSTED_PROXIES": " 172.28.0.0/16, 10.0.0.7 ,"})
    assert settings.trusted_proxies == ("172.28.0.0/16", "10.0.0.7")
    assert Settings.from_env({}).trusted_proxies == ()
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        Settings.from_env({"TRUSTED_PROXIES": "nginx"})


async def bad_logins(client, count: int, forwarded_for: str) -> list[int]:
    statuses = []
    for _ in range(count):
        response = await client.post(
            "/api/v1/auth/login",
            json={"login": "someone", "password": "wrong-password"},
            headers={"X-Forwarded-For": forwarded_for},
        )
        statuses.append(response.status)
    return statuses


async def test_the_forwarded_address_counts_when_the_peer_is_trusted(make_api):
    async with make_api("sqlite", trusted_proxies=("127.0.0.1",), login_rate_per_minute=3) as client:
        assert await bad_logins(client, 4, "198.51.100.1") == [401, 401, 401, 429]
        assert await bad_logins(client, 1, "198.51.100.2") == [401]  # another browser behind the proxy


async def test_a_spoofed_forwarded_address_from_an_untrusted_peer_is_ignored(make_api):
    async with make_api("sqlite", trusted_proxies=("10.0.0.1",), login_rate_per_minute=3) as client:
        statuses = [(await bad_logins(client, 1, f"198.51.100.{n}"))[0] for n in range(5)]
        assert statuses == [401, 401, 401, 429, 429]  # one client however it names itself


async def test_a_malformed_header_from_a_trusted_proxy_is_a_400(make_api):
    async with make_api("sqlite", trusted_proxies=("127.0.0.1",)) as client:
        response = await client.post(
            "/api/v1/auth/login",
            json={"login": "someone", "password": "wrong-password"},
            headers={"X-Forwarded-For": "not-an-address"},
        )
        assert await error_of(response) == (400, "validation_failed")
