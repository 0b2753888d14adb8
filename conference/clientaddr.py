"""The address of the browser behind a request, believing X-Forwarded-For only from TRUSTED_PROXIES.

aiohttp-remotes parses the trusted list and the header and does the trust checks. Its middlewares
do not fit as they are: XForwardedFiltered believes the header from any peer (a client talking to
the app directly could name any address), and XForwardedStrict needs the exact number of proxy hops
and refuses every request that did not come through them. So the one rule is kept here: the header
counts only when the peer itself is a trusted proxy, and then the client is the right-most address
in it that is not a trusted proxy."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from ipaddress import ip_address

from aiohttp import web
from aiohttp_remotes.exceptions import IPAddress, IPNetwork, RemoteError, UntrustedIP
from aiohttp_remotes.utils import check_ip, parse_trusted_element
from aiohttp_remotes.x_forwarded import XForwardedRelaxed

from conference.errors import ValidationFailed
from conference.state import SETTINGS

_CLIENT = web.RequestKey("client_address", str)
_HEADERS = XForwardedRelaxed()  # only its X-Forwarded-For parser is used


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[IPAddress | IPNetwork, ...]:
    return tuple(parse_trusted_element(entries))


def is_trusted(trusted: Iterable[IPAddress | IPNetwork], address: str) -> bool:
    try:
        check_ip(list(trusted), ip_address(address))
    except (UntrustedIP, ValueError):
        return False
    return True


def resolve(peer: str, forwarded_for: list[IPAddress], trusted: tuple[IPAddress | IPNetwork, ...]) -> str:
    """The client's address from the peer and the X-Forwarded-For chain (left to right)."""
    if not trusted or not forwarded_for or not is_trusted(trusted, peer):
        return peer
    for hop in reversed(forwarded_for):
        if not is_trusted(trusted, str(hop)):
            return str(hop)
    return str(forwarded_for[0])  # every hop is a proxy of ours: the first is as far as we can see


def client_address(request: web.Request) -> str:
    """Computed once per request; a malformed header from a trusted proxy is a 400."""
    if _CLIENT in request:
        return request[_CLIENT]
    peer = request.remote or "unknown"
    trusted = trusted_networks(request.app[SETTINGS].trusted_proxies)
    chain: list[IPAddress] = []
    if trusted and is_trusted(trusted, peer):
        try:
            chain = _HEADERS.get_forwarded_for(request.headers)
        except (RemoteError, web.HTTPBadRequest):
            raise ValidationFailed("X-Forwarded-For is not a list of addresses") from None
    address = resolve(peer, chain, trusted)
    request[_CLIENT] = address
    return address
