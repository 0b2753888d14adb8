"""RECORDER=egress: LiveKit Egress records the room instead of the builtin worker, behind the same API.

Untested on the development machine (no Egress service can run there). Egress writes the file to
its own storage; the recording is marked ready with what Egress reports when it is stopped."""

from __future__ import annotations

from conference.db import utcnow
from conference.deps import Deps
from conference.recordings.models import Recording


async def start_egress(deps: Deps, row: Recording) -> None:
    """Starts Egress for a new recording row (in the caller's transaction)."""
    row.file_key = f"{row.room_id}/{row.id}.mp4"
    row.egress_id = await deps.livekit.start_room_recording(row.room_id, row.layout, row.audio_only, row.file_key)
    row.status, row.started_at, row.worker_id = "recording", utcnow(), "egress"


async def stop_egress(deps: Deps, row: Recording) -> None:
    """Stops Egress; it finishes the file on its side, so the recording is ready once this returns."""
    if row.egress_id:
        await deps.livekit.stop_room_recording(row.egress_id)
    row.status, row.ended_at = "ready", utcnow()
    if row.started_at is not None:
        row.duration_s = round((row.ended_at - row.started_at).total_seconds(), 3)
