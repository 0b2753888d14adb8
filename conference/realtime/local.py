"""The in-process hub: one replica, no Redis; presence and socket counts are this process's."""

from __future__ import annotations

from conference.realtime.hub import Envelope, Hub


class LocalHub(Hub):
    async def publish(self, envelope: Envelope) -> None:
        await self.deliver(envelope)

    async def online(self, user_ids: list[str]) -> set[str]:
        return {user_id for user_id in user_ids if self.local.get(user_id)}

    async def _arrived(self, user_id: str) -> bool:
        return True

    async def _left(self, user_id: str) -> bool:
        return True

    async def _claim(self, user_id: str, socket_id: str, limit: int) -> bool:
        return len(self.local_sockets.get(user_id, ())) < limit

    async def _release(self, user_id: str, socket_id: str) -> None:
        return None
