"""Password hashing with bcrypt, off the event loop because bcrypt is slow on purpose."""

from __future__ import annotations

import asyncio
from functools import cache

import bcrypt


@cache
def _dummy_hash(rounds: int) -> bytes:
    """A real hash of the same cost to compare against when the login is unknown, so both
    failures take as long."""
    return bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(rounds))


async def hash_password(password: str, rounds: int) -> str:
    salt = bcrypt.gensalt(rounds)
    hashed = await asyncio.to_thread(bcrypt.hashpw, password.encode(), salt)
    return hashed.decode()


async def check_password(password: str, password_hash: str | None, rounds: int) -> bool:
    target = password_hash.encode() if password_hash else _dummy_hash(rounds)
    ok = await asyncio.to_thread(bcrypt.checkpw, password.encode(), target)
    return ok and password_hash is not None
