"""Where recording files live: a local directory (RECORDINGS_DIR). The recorder writes the file in
place as it encodes, so a crash leaves everything written so far on disk.

S3-compatible storage (RECORDINGS_S3_*) is not built yet: it would upload the finished file from
here and answer downloads with presigned URLs; `LocalStorage` is the one implementation."""

from __future__ import annotations

import contextlib
from pathlib import Path


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def key_for(self, recording_id: str, room_id: str, extension: str = "mp4") -> str:
        return f"{room_id}/{recording_id}.{extension}"

    def path_of(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:  # keys are ours, but a path must never leave the directory
            raise ValueError(f"storage key {key!r} leaves {self.root}")
        return path

    def prepare(self, key: str) -> Path:
        """The path the recorder writes to, its directory created."""
        path = self.path_of(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def size(self, key: str) -> int | None:
        try:
            return self.path_of(key).stat().st_size
        except OSError:
            return None

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_of(key).unlink()
