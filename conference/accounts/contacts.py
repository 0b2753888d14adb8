"""Contacts: a request from one user to another, accepted or declined by the other.

Each relationship is two rows, one per side: the asker's `outgoing` and the asked's `incoming`,
both `accepted` once the asked says yes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conference.accounts.models import Contact as ContactRow
from conference.accounts.models import User
from conference.accounts.schemas import Contact, ContactList, ContactStatus, Person
from conference.accounts.service import other_user
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import Conflict, NotFound


def _contact(user: User, status: str, online: bool) -> Contact:
    return Contact(user=Person.model_validate(user), status=status, online=online, last_seen_at=user.last_seen_at)


async def list_contacts(deps: Deps, owner_id: str) -> ContactList:
    async with deps.db() as db:
        rows = (
            await db.execute(
                select(ContactRow.status, User)
                .join(User, User.id == ContactRow.peer_id)
                .where(ContactRow.owner_id == owner_id)
                .order_by(ContactRow.status, User.login)
            )
        ).all()
    online = await deps.hub.online([user.id for _, user in rows])
    return ContactList(items=[_contact(user, status, user.id in online) for status, user in rows])


async def _is_online(deps: Deps, user_id: str) -> bool:
    return bool(await deps.hub.online([user_id]))


async def _edge(db: AsyncSession, owner_id: str, peer_id: str) -> ContactRow | None:
    return await db.scalar(select(ContactRow).where(ContactRow.owner_id == owner_id, ContactRow.peer_id == peer_id))


async def request_contact(deps: Deps, owner_id: str, peer_id: str) -> Contact:
    """Sends a request, or accepts theirs at once when they had already asked."""
    status: ContactStatus
    async with deps.db() as db:
        peer = await other_user(db, owner_id, peer_id)
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
                    ContactRow(owner_id=owner_id, peer_id=peer_id, status="outgoing"),
                    ContactRow(owner_id=peer_id, peer_id=owner_id, status="incoming"),
                ]
            )
            status = "outgoing"
        try:
            await db.commit()
        except IntegrityError:  # both asked at the same moment
            raise Conflict("a contact request between you two is already pending") from None
    return _contact(peer, status, await _is_online(deps, peer.id))


async def accept_contact(deps: Deps, owner_id: str, peer_id: str) -> Contact:
    async with deps.db() as db:
        peer = await other_user(db, owner_id, peer_id)
        mine = await _edge(db, owner_id, peer_id)
        if mine is None or mine.status == "outgoing":
            raise NotFound("this user has not asked to be your contact")
        await _set_status(db, owner_id, peer_id, "accepted")
        await db.commit()
    return _contact(peer, "accepted", await _is_online(deps, peer.id))


async def decline_contact(deps: Deps, owner_id: str, peer_id: str) -> Contact:
    async with deps.db() as db:
        peer = await other_user(db, owner_id, peer_id)
        mine = await _edge(db, owner_id, peer_id)
        if mine is None or mine.status != "incoming":
            raise NotFound("this user has no pending request to you")
        await _delete_pair(db, owner_id, peer_id)
        await db.commit()
    return _contact(peer, "declined", False)


async def remove_contact(deps: Deps, owner_id: str, peer_id: str) -> None:
    """Removes a contact, withdraws a request or drops an incoming one."""
    async with deps.db() as db:
        await other_user(db, owner_id, peer_id)
        if await _edge(db, owner_id, peer_id) is None:
            raise NotFound("this user is not in your contacts")
        await _delete_pair(db, owner_id, peer_id)
        await db.commit()


async def _set_status(db: AsyncSession, a: str, b: str, status: ContactStatus) -> None:
    for owner, peer in ((a, b), (b, a)):
        await db.execute(
            update(ContactRow).where(ContactRow.owner_id == owner, ContactRow.peer_id == peer).values(status=status)
        )


async def _delete_pair(db: AsyncSession, a: str, b: str) -> None:
    for owner, peer in ((a, b), (b, a)):
        await db.execute(delete(ContactRow).where(ContactRow.owner_id == owner, ContactRow.peer_id == peer))


async def accepted_contact_ids(db: AsyncSession, user_id: str) -> list[str]:
    """Who hears about this user's presence."""
    return list(
        await db.scalars(
            select(ContactRow.peer_id).where(ContactRow.owner_id == user_id, ContactRow.status == "accepted")
        )
    )


async def mark_seen(db: AsyncSession, user_id: str) -> datetime:
    """Stamps `last_seen_at` (on arrival and departure) and returns it."""
    now = utcnow()
    await db.execute(update(User).where(User.id == user_id).values(last_seen_at=now))
    return now
