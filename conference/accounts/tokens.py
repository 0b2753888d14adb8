"""Access tokens (short-lived JWTs, PyJWT) and opaque refresh tokens stored as hashes."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import jwt

ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    session_id: str
    expires_at: int  # seconds since the epoch


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def issue_access_token(secret: str, user_id: str, session_id: str, ttl_s: int) -> str:
    now = int(time.time())
    claims = {"sub": user_id, "sid": session_id, "typ": "access", "iat": now, "exp": now + ttl_s}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_access_token(secret: str, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "sid"]})
    except jwt.ExpiredSignatureError:
        raise TokenExpired() from None
    except jwt.PyJWTError:
        raise TokenInvalid() from None
    if claims.get("typ") != "access" or not isinstance(claims["sub"], str):
        raise TokenInvalid()
    return AccessClaims(user_id=claims["sub"], session_id=str(claims["sid"]), expires_at=int(claims["exp"]))


class AccessTokenReader:
    """`read_access_token` with a memory of the tokens it accepted.

    PyJWT's check costs ~60 µs, a tenth of a media-token request, and a client presents the same
    token for its whole life. Whether a signature is valid depends only on the exact token text and
    the secret, so a token found here verified before, and hits answer what PyJWT would; expiry
    is compared on every read (PyJWT too counts a token expired from its `exp` second on).
    Rejected tokens are never remembered. This remembers the signature only: whether the sign-in is
    still open (not logged out or revoked) is asked of the sign-in cache on every request, as before."""

    def __init__(self, secret: str, max_entries: int = 50_000):
        self.secret = secret
        self.max_entries = max_entries
        self._accepted: dict[str, AccessClaims] = {}

    def read(self, token: str) -> AccessClaims:
        claims = self._accepted.get(token)
        if claims is None:
            claims = read_access_token(self.secret, token)
            if len(self._accepted) >= self.max_entries:
                self._forget_expired()
            self._accepted[token] = claims
        elif claims.expires_at <= time.time():
            del self._accepted[token]
            raise TokenExpired()
        return claims

    def _forget_expired(self) -> None:
        now = time.time()
        self._accepted = {token: claims for token, claims in self._accepted.items() if claims.expires_at > now}
        if len(self._accepted) >= self.max_entries:
            self._accepted.clear()


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(32)


def hash_secret(value: str) -> str:
    """Refresh tokens and API key secrets are high-entropy, so a plain SHA-256 is enough."""
    return hashlib.sha256(value.encode()).hexdigest()
