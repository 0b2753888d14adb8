"""The bounded set of reactions a message can get; the order is the order clients show them in."""

from __future__ import annotations

REACTIONS: tuple[str, ...] = ("👍", "👎", "❤️", "😂", "😮", "😢", "🎉", "🙏")


def is_allowed(emoji: str) -> bool:
    return emoji in REACTIONS
