"""Integrators' API keys: created and revoked from the command line, stored hashed."""

from __future__ import annotations

import argparse
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from conference.accounts.auth import API_KEY_PREFIX
from conference.accounts.models import ApiKey
from conference.accounts.tokens import hash_secret
from conference.db import create_engine, iso, utcnow
from conference.migrations import ensure_schema
from conference.settings import Settings


async def create_api_key(sessions: async_sessionmaker[AsyncSession], name: str) -> tuple[str, str]:
    """Returns (key id, the full key). The full key is never stored and never shown again."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    async with sessions() as db:
        db.add(ApiKey(id=key_id, name=name[:100], secret_hash=hash_secret(secret)))
        await db.commit()
    return key_id, f"{API_KEY_PREFIX}{key_id}.{secret}"


async def revoke_api_key(sessions: async_sessionmaker[AsyncSession], key_id: str) -> bool:
    async with sessions() as db:
        key = await db.get(ApiKey, key_id)
        if key is None or key.revoked_at is not None:
            return False
        key.revoked_at = utcnow()
        await db.commit()
    return True


async def command(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    await ensure_schema(engine, settings.database_url, create_when_empty=not settings.production)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        if args.action == "create":
            key_id, full_key = await create_api_key(sessions, args.name)
            print(f"API key {key_id} created for {args.name!r}. Store it now; it is not shown again:")
            print(full_key)
            return 0
        if args.action == "revoke":
            if await revoke_api_key(sessions, args.key_id):
                print(f"API key {args.key_id} revoked")
                return 0
            print(f"no active API key {args.key_id}")
            return 1
        async with sessions() as db:
            for key in await db.scalars(select(ApiKey).order_by(ApiKey.created_at)):
                state = f"revoked {iso(key.revoked_at)}" if key.revoked_at else "active"
                print(f"{key.id}\t{key.name}\t{iso(key.created_at)}\t{state}")
        return 0
    finally:
        await engine.dispose()
