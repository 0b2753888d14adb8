"""Per-user limits on what people send, each counted by the app's limiter (in Redis when configured,
so every replica counts together). A refusal raises RateLimited: 429 `rate_limited` with Retry-After
over HTTP, an `error` frame with code `rate_limited` (and `retry_after`) on the socket.
The numbers are settings (settings.py); open sockets per user are counted by the hub instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conference.deps import Deps


async def message(deps: Deps, user_id: str) -> None:
    """A room chat or direct message, over HTTP or the socket: a short burst, then a steady pace."""
    settings = deps.settings
    await deps.limiter.hit(f"messages:{user_id}", settings.messages_per_10s, 10)
    await deps.limiter.hit(f"messages-minute:{user_id}", settings.messages_per_minute, 60)


async def message_change(deps: Deps, user_id: str) -> None:
    """An edit, a delete or a reaction (added or taken back) of a room chat or direct message."""
    settings = deps.settings
    await deps.limiter.hit(f"message-changes:{user_id}", settings.message_changes_per_10s, 10)
    await deps.limiter.hit(f"message-changes-minute:{user_id}", settings.message_changes_per_minute, 60)


async def read_mark(deps: Deps, user_id: str) -> None:
    await deps.limiter.hit(f"read-marks:{user_id}", deps.settings.read_marks_per_10s, 10)


async def typing(deps: Deps, user_id: str) -> None:
    await deps.limiter.hit(f"typing:{user_id}", deps.settings.typing_per_10s, 10)


async def call(deps: Deps, caller_id: str) -> None:
    await deps.limiter.hit(f"calls:{caller_id}", deps.settings.calls_per_minute, 60)


async def lobby_knock(deps: Deps, user_id: str) -> None:
    await deps.limiter.hit(f"knocks:{user_id}", deps.settings.lobby_knocks_per_minute, 60)


async def socket_ticket(deps: Deps, user_id: str) -> None:
    await deps.limiter.hit(f"ws-tickets:{user_id}", deps.settings.ws_tickets_per_minute, 60)


async def upload(deps: Deps, user_id: str) -> None:
    """An attachment upload: files are costly to store, so a steady pace per minute."""
    await deps.limiter.hit(f"uploads:{user_id}", deps.settings.uploads_per_minute, 60)


async def group_change(deps: Deps, user_id: str) -> None:
    """Creating a group, renaming it, adding, removing or promoting members."""
    await deps.limiter.hit(f"group-changes:{user_id}", deps.settings.group_changes_per_minute, 60)


async def search(deps: Deps, user_id: str) -> None:
    await deps.limiter.hit(f"searches:{user_id}", deps.settings.searches_per_minute, 60)
