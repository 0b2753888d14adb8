"""Who is in each LiveKit room, as far as the join path needs to know: enough to refuse a join
that would overfill a room (409 room_full) without asking LiveKit on every join.

A room's roster comes from CreateRoom (which makes the room when LiveKit has none) and
ListParticipants, asked side by side, and is trusted for `fresh_s`, counting the people this
replica let in since (they may not have connected yet). While a join leaves the room at most
TRUSTED_SHARE full by that count, it is let in from memory; closer to the limit the roster is
read from LiveKit again and the join is decided on what LiveKit says now, as every join was
before. LiveKit enforces max_participants itself on connect (CreateRoom sets it), so memory
never lets more people into the call than the room takes.
A roster is at most `fresh_s` old, so "the room exists in LiveKit" is too: LiveKit keeps a room at
least departure_timeout after its last participant leaves (20 s in livekit.yaml, 5 s in the tests),
so `fresh_s` stays below it; the same gap exists between any join's answer and the browser's
connect. The token path relies on the same bound: `ensure_room` asks CreateRoom again only once the
last answer for the room is `fresh_s` old (LiveKit creates no room by itself: auto_create is off).
LiveKit's room_finished webhook and the app's own DeleteRoom (close_room, the reconcile) forget the room."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from conference.errors import RoomFull
from conference.livekit import LiveKit
from conference.ttlcache import TtlCache

TRUSTED_SHARE = 0.8


@dataclass
class Roster:
    present: frozenset[str]  # identities connected when LiveKit was asked
    admitted: set[str] = field(default_factory=set)  # let in by this replica since

    def count_with(self, identity: str) -> int:
        return len(self.present | self.admitted | {identity})


class Occupancy:
    def __init__(self, livekit: LiveKit, fresh_s: float = 4.0, max_rooms: int = 10_000):
        self.livekit = livekit
        self._rosters: TtlCache[str, Roster] = TtlCache(fresh_s, max_rooms)
        self._created: TtlCache[str, bool] = TtlCache(fresh_s, max_rooms)  # rooms LiveKit said it has

    async def ensure_room(self, room_id: str, max_participants: int) -> None:
        """Makes sure LiveKit has the room (CreateRoom), unless it said so less than `fresh_s` ago."""

        async def create() -> bool:
            await self.livekit.ensure_room(room_id, max_participants)
            return True

        await self._created.recall(room_id, create)

    async def admit(self, room_id: str, max_participants: int, identity: str) -> None:
        """Counts `identity` in, or raises RoomFull when the room has no place for them."""

        generation = self._created.generation

        async def from_livekit() -> Roster:
            # Side by side: a list taken before the room was made is the empty list it would be after.
            _, present = await asyncio.gather(
                self.livekit.ensure_room(room_id, max_participants), self.livekit.list_participants(room_id)
            )
            self._created.put(room_id, True, generation)
            return Roster(frozenset(participant.identity for participant in present))

        roster = await self._rosters.recall(room_id, from_livekit)
        if roster is None or roster.count_with(identity) > max_participants * TRUSTED_SHARE:
            self._rosters.forget(room_id)  # near the limit: decide on what LiveKit says now
            roster = await self._rosters.recall(room_id, from_livekit)
            if roster is None or (identity not in roster.present and len(roster.present) >= max_participants):
                raise RoomFull()
        roster.admitted.add(identity)

    def forget(self, room_id: str) -> None:
        """The room closed in LiveKit (or changed): the next join asks again."""
        self._rosters.forget(room_id)
        self._created.forget(room_id)
