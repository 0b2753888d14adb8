"""Signed download links: a `<video>` element cannot send an Authorization header, so a member
asks for a short-lived link that names one recording and carries its own proof."""

from __future__ import annotations

import hashlib
import hmac
import time

LINK_TTL_S = 6 * 3600  # long enough to watch a long meeting without the player losing its source


def _signature(secret: str, recording_id: str, expires: int) -> str:
    message = f"recording:{recording_id}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def sign(secret: str, recording_id: str, now: float | None = None) -> tuple[str, int]:
    """(token, expires as a Unix time)."""
    expires = int((now or time.time()) + LINK_TTL_S)
    return f"{expires}.{_signature(secret, recording_id, expires)}", expires


def verify(secret: str, recording_id: str, token: str, now: float | None = None) -> bool:
    expires_text, _, signature = token.partition(".")
    if not (expires_text.isascii() and expires_text.isdigit()) or int(expires_text) < (now or time.time()):
        return False
    return hmac.compare_digest(signature, _signature(secret, recording_id, int(expires_text)))
