"""Sockets live no longer than the sign-in that opened them, on every replica, closing with 4401:

- a `SignInsEnded` notice from the accounts domain (logout, refresh-token reuse, a password change,
  account deletion) closes the matching sockets as soon as it reaches the replica;
- every `ws_signin_check_s` the replica re-reads the sign-ins of its sockets from the database, so a
  notice lost on the way (Redis unreachable for a moment) delays a close by that much, not forever;
- a socket closes when the access token it was opened with expires, unless the client renewed it
  in band with a fresh ticket (the `renew` frame); otherwise the client refreshes and reconnects."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from sqlalchemy import select

from conference.accounts.models import LoginSession, User
from conference.accounts.signins import SignInsEnded
from conference.deps import Deps

if TYPE_CHECKING:
    from conference.realtime.socket import Connection

log = logging.getLogger("conference.realtime")
CLOSE_UNAUTHORIZED = 4401
CHUNK = 500  # sign-ins read per query
REASONS = {
    "logout": "signed out",
    "revoked": "this sign-in was revoked; sign in again",
    "password_changed": "the password was changed; sign in again",
    "deleted": "the account was deleted",
    "guest_ended": "this guest session ended: removed or turned away, or the room ended",
}


class SignInWatch:
    def __init__(self, deps: Deps, connections: set[Connection]) -> None:
        self.deps = deps
        self.connections = connections  # every open socket of this replica (socket.py keeps it)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.deps.hub.on_notice(SignInsEnded, self.ended)
        self._task = asyncio.create_task(self._watch(), name="signin-watch")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def ended(self, notice: SignInsEnded) -> None:
        for connection in list(self.connections):
            if notice.ends(connection.user_id, connection.session_id):
                connection.end(CLOSE_UNAUTHORIZED, REASONS[notice.reason])

    async def _watch(self) -> None:
        check_every = self.deps.settings.ws_signin_check_s
        tick = min(1.0, check_every)
        next_check = time.monotonic() + check_every
        while True:
            await asyncio.sleep(tick)
            self.close_expired()
            if time.monotonic() < next_check:
                continue
            next_check = time.monotonic() + check_every
            try:
                await self.close_ended()
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is away; the next round tries again
                log.warning("could not re-check the sign-ins of open sockets", exc_info=True)

    def close_expired(self) -> None:
        now = time.time()
        for connection in list(self.connections):
            if connection.expires_at <= now:
                connection.end(CLOSE_UNAUTHORIZED, "access token expired; refresh it and reconnect")

    async def close_ended(self) -> None:
        """Closes the sockets whose sign-in the database no longer has open."""
        watched = [c for c in self.connections if not c.closing]
        session_ids = sorted({c.session_id for c in watched})
        still_open: set[str] = set()
        async with self.deps.db() as db:
            for start in range(0, len(session_ids), CHUNK):
                chunk = session_ids[start : start + CHUNK]
                still_open.update(
                    await db.scalars(
                        select(LoginSession.id)
                        .join(User, User.id == LoginSession.user_id)
                        .where(LoginSession.id.in_(chunk), LoginSession.revoked_at.is_(None))
                    )
                )
        for connection in watched:
            if connection.session_id not in still_open:
                connection.end(CLOSE_UNAUTHORIZED, "this sign-in has ended; sign in again")
