"""Request bodies and answers of room chat and direct messages, and their events."""

from __future__ import annotations

from pydantic import BaseModel

EVENTS: dict[str, type[BaseModel]] = {}
