"""The fan-out interface: publish events to every replica, tell every replica about changes to what
it keeps in memory (notices), know who is online where, and count each user's open sockets."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

log = logging.getLogger("conference.realtime")

Envelope = dict[str, Any]  # its shapes are described on Hub
Listener = Callable[[Envelope], Awaitable[None]]
GoneListener = Callable[[list[str]], Awaitable[None]]


class Notice(BaseModel):
    """A change that replicas hold in memory (cached sign-ins and room standings, open sockets),
    sent to every replica, this one included. Not an event: no id, never stored, no client sees it.
    A subclass names its `kind`; `Hub.on_notice` hands listeners the parsed model."""

    kind: ClassVar[str]


N = TypeVar("N", bound=Notice)
NoticeListener = Callable[[dict[str, Any]], Awaitable[None]]


class Hub(ABC):
    """Envelopes are `{id, type, data, room_id, user_id}` for stored events, `{type, data, user_ids}`
    for ephemeral ones (typing, presence) that carry no id, and `{notice, data}` for notices."""

    def __init__(self) -> None:
        self.listeners: list[Listener] = []  # the replica's event stream adds itself here
        self.gone_listeners: list[GoneListener] = []  # told about users whose replica died
        self.notice_listeners: dict[str, list[NoticeListener]] = {}
        self.local: dict[str, int] = {}  # open connections per user on this replica
        self.local_sockets: dict[str, set[str]] = {}  # ids of each user's sockets on this replica

    async def start(self) -> None:
        """Connect to whatever carries events between replicas."""
        return None

    async def close(self) -> None:
        """Stop listening and let go of connections."""
        return None

    async def deliver(self, envelope: Envelope) -> None:
        """Hand an envelope that reached this replica to its listeners."""
        kind = envelope.get("notice")
        if kind is not None:
            for notice_listener in list(self.notice_listeners.get(kind, ())):
                try:
                    await notice_listener(envelope["data"])
                except Exception:  # one listener's failure must not keep the notice from the others
                    log.exception("a %s notice listener failed", kind)
            return
        for listener in list(self.listeners):
            await listener(envelope)

    @abstractmethod
    async def publish(self, envelope: Envelope) -> None:
        """Deliver an envelope to its audience on every replica, this one included."""

    async def notify(self, notice: Notice) -> None:
        await self.publish({"notice": notice.kind, "data": notice.model_dump(mode="json")})

    def on_notice(self, model: type[N], listener: Callable[[N], Awaitable[None]]) -> None:
        async def parsed(data: dict[str, Any]) -> None:
            await listener(model.model_validate(data))

        self.notice_listeners.setdefault(model.kind, []).append(parsed)

    @abstractmethod
    async def online(self, user_ids: list[str]) -> set[str]:
        """Which of these users have at least one open connection anywhere."""

    async def connected(self, user_id: str) -> bool:
        """Counts a new connection; True when the user was offline everywhere until now."""
        self.local[user_id] = self.local.get(user_id, 0) + 1
        if self.local[user_id] > 1:
            return False
        return await self._arrived(user_id)

    async def disconnected(self, user_id: str) -> bool:
        """Counts a closed connection; True when it was the user's last one anywhere."""
        count = self.local.get(user_id, 0) - 1
        if count > 0:
            self.local[user_id] = count
            return False
        self.local.pop(user_id, None)
        return await self._left(user_id)

    async def claim_socket(self, user_id: str, socket_id: str, limit: int) -> bool:
        """Counts a socket against the user's limit, on every replica together; False (and not
        counted) when the user already has `limit` open."""
        mine = self.local_sockets.setdefault(user_id, set())
        if not await self._claim(user_id, socket_id, limit):
            if not mine:
                del self.local_sockets[user_id]
            return False
        mine.add(socket_id)
        return True

    async def release_socket(self, user_id: str, socket_id: str) -> None:
        mine = self.local_sockets.get(user_id)
        if mine is None or socket_id not in mine:
            return
        mine.discard(socket_id)
        if not mine:
            del self.local_sockets[user_id]
        await self._release(user_id, socket_id)

    @abstractmethod
    async def _arrived(self, user_id: str) -> bool:
        """The user's first connection on this replica opened."""

    @abstractmethod
    async def _left(self, user_id: str) -> bool:
        """The user's last connection on this replica closed."""

    @abstractmethod
    async def _claim(self, user_id: str, socket_id: str, limit: int) -> bool:
        """Whether one more socket of the user fits under `limit` everywhere (and count it if so)."""

    @abstractmethod
    async def _release(self, user_id: str, socket_id: str) -> None:
        """Stop counting a socket."""
