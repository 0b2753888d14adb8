"""Contacts: a request from one user to another, accepted or declined by the other.

Each relationship is two rows, one per side: the asker's `outgoing` and the asked's `incoming`,
both `accepted` once the asked says yes.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import Contact, User
from conference.db import iso, utcnow
from conference.deps import Deps
from conference.errors import Conflict, NotFound, ValidationFailed


def contact_json(user: User, status: str, online: bool) -> dict:
    return {
        "user": {
            "id": user.id,
            "login": user.login,
            "display_name": user.display_name,
            "last_seen_at": iso(user.last_seen_at),
        },
        "status": status,
        "online": online,
    }


async def list_contacts(deps: Deps, owner_id: str) -> list[dict]:
    async with deps.db() as db:
        rows = (
            await db.execute(
                select(Contact.status, User)
                .join(User, User.id == Contact.peer_id)
                .where(Contact.owner_id == owner_id)
                .order_by(Contact.status, User.login)
            )
        ).all()
    online = await deps.hub.online([user.id for _, user in rows])
    return [contact_json(user, status, user.id in online) for status, user in rows]


async def _peer(db: AsyncSession, owner_id: str, peer_id: str) -> User:
    if peer_id == owner_id:
        raise ValidationFailed("you cannot add yourself", fields={"user_id": "must be another user"})
    peer = await db.get(User, peer_id)
    if peer is None:
        raise NotFound("no user with this id")
    return peer


async def _edge(db: AsyncSession, owner_id: str, peer_id: str) -> Contact | None:
    return await db.scalar(select(Contact).where(Contact.owner_id == owner_id, Contact.peer_id == peer_id))


async def request_contact(deps: Deps, owner_id: str, peer_id: str) -> dict:
    """Sends a request, or accepts theirs at once when they had already asked."""
    async with deps.db() as db:
        peer = await _peer(db, owner_id, peer_id)
        mine = await _edge(db, owner_id, peer_id)
        if mine is not None and mine.status == "accepted":
            raise Conflict("this user is already in your contacts")
        if mine is not None and mine.status == "outgoing":
            raise Conflict("you already asked this user; wait for their answer")
        if mine is not None:  # incoming: they asked first
            await _set_status(db, owner_id, peer_id, "accepted")
            status = "accepted"
        else:
            db.add_all(
                [
                    Contact(owner_id=owner_id, peer_id=peer_id, status="outgoing"),
                    Contact(owner_id=peer_id, peer_id=owner_id, status="incoming"),
                ]
            )
            status = "outgoing"
        try:
            await db.commit()
        except IntegrityError:  # both asked at the same moment
            raise Conflict("a contact request between you two is already pending") from None
    return contact_json(peer, status, bool(await deps.hub.online([peer.id])))


async def accept_contact(deps: Deps, owner_id: str, peer_id: str) -> dict:
    async with deps.db() as db:
        peer = await _peer(db, owner_id, peer_id)
        mine = await _edge(db, owner_id, peer_id)
        if mine is None or mine.status == "outgoing":
            raise NotFound("this user has not asked to be your contact")
        await _set_status(db, owner_id, peer_id, "accepted")
        await db.commit()
    return contact_json(peer, "accepted", bool(await deps.hub.online([peer.id])))


async def decline_contact(deps: Deps, owner_id: str, peer_id: str) -> dict:
    async with deps.db() as db:
        peer = await _peer(db, owner_id, peer_id)
        mine = await _edge(db, owner_id, peer_id)
        if mine is None or mine.status != "incoming":
            raise NotFound("this user has no pending request to you")
        await _delete_pair(db, owner_id, peer_id)
        await db.commit()
    return contact_json(peer, "declined", False)


async def remove_contact(deps: Deps, owner_id: str, peer_id: str) -> None:
    """Removes a contact, withdraws a request or drops an incoming one."""
    async with deps.db() as db:
        await _peer(db, owner_id, peer_id)
        if await _edge(db, owner_id, peer_id) is None:
            raise NotFound("this user is not in your contacts")
        await _delete_pair(db, owner_id, peer_id)
        await db.commit()


async def _set_status(db: AsyncSession, a: str, b: str, status: str) -> None:
    for owner, peer in ((a, b), (b, a)):
        await db.execute(
            update(Contact).where(Contact.owner_id == owner, Contact.peer_id == peer).values(status=status)
        )


async def _delete_pair(db: AsyncSession, a: str, b: str) -> None:
    for owner, peer in ((a, b), (b, a)):
        await db.execute(delete(Contact).where(Contact.owner_id == owner, Contact.peer_id == peer))


async def accepted_contact_ids(db: AsyncSession, user_id: str) -> list[str]:
    """Who hears about this user's presence."""
    return list(
        await db.scalars(select(Contact.peer_id).where(Contact.owner_id == user_id, Contact.status == "accepted"))
    )


async def mark_seen(db: AsyncSession, user_id: str) -> str | None:
    """Stamps `last_seen_at` (on arrival and departure) and returns it."""
    now = utcnow()
    await db.execute(update(User).where(User.id == user_id).values(last_seen_at=now))
    return iso(now)
