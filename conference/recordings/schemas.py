"""Answers of the recordings domain and the models of the events it records."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from conference.recordings import models
from conference.routing import Answer, Timestamp

Layout = Literal["grid", "speaker"]
RecordingStatus = Literal["starting", "recording", "processing", "ready", "failed", "interrupted"]


class Recording(Answer):
    """A recording as members see it: every answer of /recordings and every recording.* event carries it."""

    id: str
    room_id: str
    status: RecordingStatus = Field(
        description="starting -> recording -> processing -> ready; failed when nothing usable came out; "
        "interrupted when the recorder died (the partial file plays up to that moment)"
    )
    layout: Layout
    audio_only: bool
    started_by: str | None = Field(description="the host who started it; None once that account is deleted")
    content_type: str = Field(description="video/mp4, or audio/mp4 for audio-only recordings")
    size_bytes: int | None = Field(description="set once the file is finished")
    duration_s: float | None = Field(description="set once the file is finished")
    error: str | None = Field(description="why it failed or was interrupted")
    created_at: Timestamp
    started_at: Timestamp | None = Field(description="when the recorder began writing")
    ended_at: Timestamp | None
    file_url: str | None = Field(description="download path (members; range requests), once there is a file")

    @classmethod
    def of(cls, row: models.Recording) -> Recording:
        has_file = row.status in ("ready", "interrupted") and bool(row.size_bytes)
        return cls(
            id=row.id,
            room_id=row.room_id,
            status=row.status,
            layout=row.layout,
            audio_only=row.audio_only,
            started_by=row.started_by,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            duration_s=row.duration_s,
            error=row.error,
            created_at=row.created_at,
            started_at=row.started_at,
            ended_at=row.ended_at,
            file_url=f"/api/v1/recordings/{row.id}/file" if has_file else None,
        )


class RecordingList(Answer):
    items: list[Recording] = Field(description="newest first")


EVENTS: dict[str, type[BaseModel]] = {
    "recording.started": Recording,  # the recorder is writing: show REC
    "recording.stopped": Recording,  # stopped (by a host or the room's end); the file is being finished
    "recording.ready": Recording,  # the file can be played and downloaded
    "recording.failed": Recording,  # failed, or interrupted with a partial file (see status)
}
