"""Frames of the socket itself (ack, error, ready, pong, presence, typing)."""

from __future__ import annotations

from pydantic import BaseModel

EVENTS: dict[str, type[BaseModel]] = {}
