"""PyJWT's HS256 with its key check done once per key.

PyJWT checks on every encode and decode that an HMAC key is not an asymmetric key in disguise
(PEM, SSH, DER and JWK parse attempts): ~25 µs, a tenth of a media-token request once
everything else was trimmed. The verdict depends only on the key's bytes, and this app signs
with two keys (JWT_SECRET and the LiveKit secret), so the algorithm registered here remembers the
keys that passed and checks any other key exactly as PyJWT does. Signing and verifying are
PyJWT's own; `install` swaps the algorithm object through PyJWT's public register_algorithm."""

from __future__ import annotations

from typing import Any

import jwt
from jwt.algorithms import HMACAlgorithm

MAX_KEYS = 16  # more distinct keys than this are checked every time, as PyJWT does


class KeyCheckedOnceHS256(HMACAlgorithm):
    def __init__(self) -> None:
        super().__init__(HMACAlgorithm.SHA256)
        self._accepted: dict[str | bytes, bytes] = {}

    def prepare_key(self, key: str | bytes) -> bytes:
        accepted = self._accepted.get(key) if isinstance(key, str | bytes) else None
        if accepted is not None:
            return accepted
        prepared: bytes = super().prepare_key(key)  # raises for keys PyJWT refuses
        if isinstance(key, str | bytes) and len(self._accepted) < MAX_KEYS:
            self._accepted[key] = prepared
        return prepared


def install() -> None:
    """Idempotent; PyJWT's module-level encode/decode (livekit-api's too) then use it."""
    current: Any = jwt.api_jws.get_algorithm_by_name("HS256")
    if isinstance(current, KeyCheckedOnceHS256):
        return
    jwt.unregister_algorithm("HS256")
    jwt.register_algorithm("HS256", KeyCheckedOnceHS256())
