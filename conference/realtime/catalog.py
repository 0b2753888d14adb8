"""Every realtime event type and the model its `data` carries; each domain declares its own."""

from __future__ import annotations

from pydantic import BaseModel


def event_models() -> dict[str, type[BaseModel]]:
    """type -> payload model, for record_event's check, openapi.json and the client's typedefs."""
    from conference.accounts.schemas import EVENTS as accounts
    from conference.calls.schemas import EVENTS as calls
    from conference.chat.schemas import EVENTS as chat
    from conference.groups.schemas import EVENTS as groups
    from conference.realtime.schemas import EVENTS as realtime
    from conference.recordings.schemas import EVENTS as recordings
    from conference.rooms.schemas import EVENTS as rooms

    return {**accounts, **rooms, **chat, **calls, **realtime, **recordings, **groups}


def frame_models() -> dict[str, type[BaseModel]]:
    """type -> payload model of the socket's replies to one connection (ack, error, ready, pong)."""
    from conference.realtime.schemas import FRAMES

    return dict(FRAMES)
