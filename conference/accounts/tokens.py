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


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(32)


def hash_secret(value: str) -> str:
    """Refresh tokens and API key secrets are high-entropy, so a plain SHA-256 is enough."""
    return hashlib.sha256(value.encode()).hexdigest()
