"""Request bodies and answers of the rooms domain, and the events it records."""

from __future__ import annotations

from pydantic import BaseModel

EVENTS: dict[str, type[BaseModel]] = {}
