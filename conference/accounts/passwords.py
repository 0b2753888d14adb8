"""Password hashing with bcrypt, off the event loop because bcrypt is slow on purpose."""
from __future__ import annotations

import asyncio

import bcrypt

ROUNDS = 12
# A real hash to compare against when the login is unknown, so both failures take as long.
_DUMMY_HASH = bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(4)).decode()


def set_rounds(rounds: int) -> None:
    """Tests lower the cost; production keeps bcrypt's 12."""
    global ROUNDS, _DUMMY_HASH
    ROUNDS = rounds
    _DUMMY_HASH = bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(rounds)).decode()


async def hash_password(password: str) -> str:
    salt = bcrypt.gensalt(ROUNDS)
    hashed = await asyncio.to_thread(bcrypt.hashpw, password.encode(), salt)
    return hashed.decode()


async def check_password(password: str, password_hash: str | None) -> bool:
    target = (password_hash or _DUMMY_HASH).encode()
    ok = await asyncio.to_thread(bcrypt.checkpw, password.encode(), target)
    return ok and password_hash is not None
