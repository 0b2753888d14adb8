"""The fan-out interface: publish events to room members or users, and know who is online."""
from __future__ import annotations

from abc import ABC, abstractmethod


class Hub(ABC):
    async def start(self) -> None:
        """Connect to whatever carries events between replicas."""

    async def close(self) -> None:
        """Stop listening and let go of connections."""

    @abstractmethod
    async def publish(self, envelope: dict) -> None:
        """Deliver an envelope ({id, type, data, room_id, user_id}) to its audience on every replica."""

    @abstractmethod
    async def online(self, user_ids: list[str]) -> set[str]:
        """Which of these users have at least one open connection anywhere."""
