"""The fan-out interface: publish events to every replica, and know who is online where."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

Envelope = dict[str, Any]  # its two shapes are described on Hub
Listener = Callable[[Envelope], Awaitable[None]]
GoneListener = Callable[[list[str]], Awaitable[None]]


class Hub(ABC):
    """Envelopes are `{id, type, data, room_id, user_id}` for stored events, or
    `{type, data, user_ids}` for ephemeral ones (typing, presence) that carry no id."""

    def __init__(self) -> None:
        self.listeners: list[Listener] = []  # the replica's event stream adds itself here
        self.gone_listeners: list[GoneListener] = []  # told about users whose replica died
        self.local: dict[str, int] = {}  # open connections per user on this replica

    async def start(self) -> None:
        """Connect to whatever carries events between replicas."""
        return None

    async def close(self) -> None:
        """Stop listening and let go of connections."""
        return None

    async def deliver(self, envelope: Envelope) -> None:
        """Hand an envelope that reached this replica to its listeners."""
        for listener in list(self.listeners):
            await listener(envelope)

    @abstractmethod
    async def publish(self, envelope: Envelope) -> None:
        """Deliver an envelope to its audience on every replica, this one included."""

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

    @abstractmethod
    async def _arrived(self, user_id: str) -> bool:
        """The user's first connection on this replica opened."""

    @abstractmethod
    async def _left(self, user_id: str) -> bool:
        """The user's last connection on this replica closed."""
