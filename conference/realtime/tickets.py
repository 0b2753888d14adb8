"""Single-use WebSocket tickets: minted over HTTP with the bearer token (POST /api/v1/ws/ticket) and
redeemed once by GET /api/v1/ws?ticket=…, so no token travels in a URL (where proxies log it).

A ticket is random and short-lived; only its hash is kept, in Redis when configured (a ticket minted
on one replica opens a socket on any other), in this process otherwise."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from conference.accounts.auth import user_of_open_signin
from conference.accounts.signins import SignIn
from conference.errors import TokenExpired
from conference.redislink import RedisDown, RedisLink

if TYPE_CHECKING:
    from conference.deps import Deps

TICKET_PREFIX = "wst_"
MAX_LOCAL = 100_000  # the in-process store drops expired tickets once it holds this many


@dataclass(frozen=True)
class TicketClaims:
    """What a ticket stands for: the sign-in that minted it and its access token's expiry."""

    user_id: str
    session_id: str
    access_expires_at: int  # seconds since the epoch; the socket closes then


def _key(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


class TicketStore(ABC):
    def __init__(self, ttl_s: int) -> None:
        self.ttl_s = ttl_s

    async def mint(self, claims: TicketClaims) -> str:
        ticket = TICKET_PREFIX + secrets.token_urlsafe(32)
        await self._keep(_key(ticket), claims)
        return ticket

    async def redeem(self, ticket: str) -> TicketClaims | None:
        """The claims of a ticket seen for the first time within its lifetime; None for a ticket that is
        unknown, spent or expired."""
        if not ticket.startswith(TICKET_PREFIX) or len(ticket) > 100:
            return None
        return await self._take(_key(ticket))

    @abstractmethod
    async def _keep(self, key: str, claims: TicketClaims) -> None: ...

    @abstractmethod
    async def _take(self, key: str) -> TicketClaims | None:
        """Returns and forgets in one step, so a ticket opens one socket even when two race."""


class LocalTickets(TicketStore):
    def __init__(self, ttl_s: int) -> None:
        super().__init__(ttl_s)
        self._tickets: dict[str, tuple[float, TicketClaims]] = {}

    async def _keep(self, key: str, claims: TicketClaims) -> None:
        now = time.monotonic()
        if len(self._tickets) >= MAX_LOCAL:
            self._tickets = {k: v for k, v in self._tickets.items() if v[0] > now}
        self._tickets[key] = (now + self.ttl_s, claims)

    async def _take(self, key: str) -> TicketClaims | None:
        entry = self._tickets.pop(key, None)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]


class RedisTickets(TicketStore):
    """Tickets in Redis, redeemable on any replica. While Redis is away a ticket is kept in this process
    instead (fail open, locally): it opens a socket on this replica only, so one replica alone keeps
    working and, behind a balancer, a client that lands elsewhere gets 4401 and tries a new ticket."""

    def __init__(self, link: RedisLink, ttl_s: int) -> None:
        super().__init__(ttl_s)
        self.link = link
        self.redis = link.client
        self._here = LocalTickets(ttl_s)

    async def _keep(self, key: str, claims: TicketClaims) -> None:
        try:
            await self.link.run(lambda: self.redis.set(f"wst:{key}", json.dumps(asdict(claims)), ex=self.ttl_s))
        except RedisDown:
            await self._here._keep(key, claims)

    async def _take(self, key: str) -> TicketClaims | None:
        minted_here = await self._here._take(key)
        if minted_here is not None:
            return minted_here
        try:
            raw = await self.link.run(lambda: self.redis.getdel(f"wst:{key}"))
        except RedisDown:
            return None
        if raw is None:
            return None
        return TicketClaims(**json.loads(raw))


async def signin_of_ticket(deps: Deps, claims: TicketClaims) -> SignIn:
    """The sign-in a ticket was minted with, while it is open and its access token valid."""
    if claims.access_expires_at <= time.time():
        raise TokenExpired()
    user = await user_of_open_signin(deps, claims.user_id, claims.session_id)
    return SignIn(user=user, session_id=claims.session_id, expires_at=claims.access_expires_at)
