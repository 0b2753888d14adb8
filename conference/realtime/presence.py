"""Presence: a user is online while any of their connections is open on a live replica.

The hub counts connections (in this process, or in Redis with a TTL so a dead replica's
users lapse by themselves); this module turns the transitions into `last_seen_at` and
`presence` events for the user's accepted contacts. Presence events are ephemeral: they
carry no id and are not replayed (a client reads current presence from /contacts).
"""

from __future__ import annotations

import logging

from conference.accounts.contacts import accepted_contact_ids, mark_seen
from conference.deps import Deps
from conference.realtime.events import ephemeral
from conference.realtime.schemas import PresenceChange

log = logging.getLogger("conference.presence")


class Presence:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        deps.hub.gone_listeners.append(self.lapsed)

    async def opened(self, user_id: str) -> None:
        try:
            arrived = await self.deps.hub.connected(user_id)
        except Exception:  # Redis unreachable: the socket still works, presence catches up later
            log.warning("could not record a connection of %s", user_id, exc_info=True)
            return
        if arrived:
            await self._announce(user_id, True)

    async def closed(self, user_id: str) -> None:
        try:
            left = await self.deps.hub.disconnected(user_id)
        except Exception:
            log.warning("could not record a disconnection of %s", user_id, exc_info=True)
            return
        if left:
            await self._announce(user_id, False)

    async def lapsed(self, user_ids: list[str]) -> None:
        """Users whose only replica stopped refreshing them."""
        for user_id in user_ids:
            await self._announce(user_id, False)

    async def _announce(self, user_id: str, online: bool) -> None:
        try:
            async with self.deps.db() as db:
                seen = await mark_seen(db, user_id)
                contacts = await accepted_contact_ids(db, user_id)
                await db.commit()
        except Exception:  # presence is best effort; it must never break a connection
            log.exception("could not record presence of %s", user_id)
            return
        if contacts:
            change = PresenceChange(user_id=user_id, online=online, last_seen_at=seen)
            await self.deps.hub.publish(ephemeral("presence", change, contacts))
