"""The in-process hub: one replica, no Redis."""
from __future__ import annotations

from conference.realtime.hub import Hub


class LocalHub(Hub):
    def __init__(self):
        self.listeners = []  # callables taking an envelope; the /ws handler adds its own
        self.connections: dict[str, int] = {}

    async def publish(self, envelope: dict) -> None:
        for listener in list(self.listeners):
            await listener(envelope)

    async def online(self, user_ids: list[str]) -> set[str]:
        return {user_id for user_id in user_ids if self.connections.get(user_id)}
