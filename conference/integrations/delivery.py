"""Delivering the webhook outbox, on every replica at once.

A replica claims due messages in one short transaction: on PostgreSQL `FOR UPDATE SKIP LOCKED` keeps two
replicas from even looking at the same rows, and on both databases the claim is a compare-and-set of a
lease (`claimed_until`, `claim_token`), so one attempt is made by one replica only. A message is due when
its time has come and no older message of its (endpoint, room) is still pending: rooms are delivered in
order, different rooms and endpoints in parallel. A replica that dies mid-attempt leaves its lease to
lapse; another then makes the attempt again, with the same webhook-id (receivers deduplicate on it).

2xx: delivered. No answer, 429 or 5xx: tried again after an exponential backoff (Retry-After is honoured)
until WEBHOOK_RETRY_WINDOW_S after the change, then failed. Any other answer: failed at once."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from aiohttp import web
from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from conference.db import utcnow
from conference.deps import DEPS, Deps
from conference.integrations.models import WebhookAttempt, WebhookEndpoint, WebhookMessage
from conference.integrations.outbox import OutboxSignal
from conference.integrations.signing import signed_headers

log = logging.getLogger("conference.webhooks.delivery")
OUTBOX_SIGNAL = web.AppKey("webhook_outbox_signal", OutboxSignal)
ATTEMPTS_KEPT = 100  # per endpoint: GET /webhooks/{id}/deliveries reads them back
CONCURRENCY = 16  # attempts in flight per replica
USER_AGENT = "conference-webhooks/1"


@dataclass(frozen=True)
class Claimed:
    message: WebhookMessage
    endpoint: WebhookEndpoint
    token: str


@dataclass(frozen=True)
class Answered:
    status: int | None  # None: no answer came
    error: str | None
    duration_ms: int
    retry_after_s: float | None


def outcome_of(status: int | None) -> str:
    if status is not None and 200 <= status < 300:
        return "delivered"
    if status is None or status == 429 or status >= 500:
        return "retrying"
    return "failed"


def backoff_s(attempts: int, base_s: float, max_s: float) -> float:
    """Exponential with a little jitter, so many messages failing together do not come back together."""
    delay: float = min(max_s, base_s * 2.0 ** max(0, attempts - 1))
    return delay * random.uniform(0.9, 1.1)


def _retry_after(raw: str | None) -> float | None:
    try:
        return max(0.0, float(raw)) if raw else None
    except ValueError:
        return None


class Deliverer:
    def __init__(self, deps: Deps, signal: OutboxSignal) -> None:
        self.deps = deps
        self.signal = signal
        settings = deps.settings
        self.lease = timedelta(seconds=settings.webhook_timeout_s * 2 + 1)
        self.postgres = settings.database_url.startswith("postgresql")
        self.inflight: set[asyncio.Task[None]] = set()
        self.http: aiohttp.ClientSession | None = None

    async def run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.deps.settings.webhook_timeout_s)
        async with aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": USER_AGENT}) as http:
            self.http = http
            try:
                await self._loop()
            finally:
                for task in self.inflight:
                    task.cancel()
                await asyncio.gather(*self.inflight, return_exceptions=True)

    async def _loop(self) -> None:
        while True:
            self.signal.event.clear()
            room = CONCURRENCY - len(self.inflight)
            try:
                claimed = await self.claim(room) if room > 0 else []
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is away: try again shortly
                log.warning("could not claim webhook messages", exc_info=True)
                claimed = []
            for item in claimed:
                task = asyncio.create_task(self.attempt(item))
                self.inflight.add(task)
                task.add_done_callback(self._done)
            if claimed:
                continue
            # asyncio.timeout, not wait_for: no inner task whose cancellation could race the app's shutdown.
            try:
                async with asyncio.timeout(self.deps.settings.webhook_poll_s):
                    await self.signal.event.wait()
            except TimeoutError:
                pass

    def _done(self, task: asyncio.Task[None]) -> None:
        self.inflight.discard(task)
        self.signal.event.set()  # the next message of that room may be due now

    async def claim(self, limit: int) -> list[Claimed]:
        now, token = utcnow(), uuid.uuid4().hex
        older = aliased(WebhookMessage)
        behind_older = exists().where(
            older.endpoint_id == WebhookMessage.endpoint_id,
            older.room_id == WebhookMessage.room_id,
            older.id < WebhookMessage.id,
            older.status == "pending",
        )
        free = or_(WebhookMessage.claimed_until.is_(None), WebhookMessage.claimed_until < now)
        due = (
            select(WebhookMessage.id)
            .where(WebhookMessage.status == "pending", WebhookMessage.next_attempt_at <= now, free, ~behind_older)
            .order_by(WebhookMessage.id)
            .limit(limit)
        )
        if self.postgres:
            due = due.with_for_update(skip_locked=True)
        async with self.deps.db() as db:
            ids = list(await db.scalars(due))
            if not ids:
                return []
            await db.execute(
                update(WebhookMessage)
                .where(WebhookMessage.id.in_(ids), WebhookMessage.status == "pending", free)
                .values(claimed_until=now + self.lease, claim_token=token)
            )
            await db.commit()
            rows = await db.execute(
                select(WebhookMessage, WebhookEndpoint)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookMessage.endpoint_id)
                .where(WebhookMessage.claim_token == token)
                .order_by(WebhookMessage.id)
            )
            return [Claimed(message, endpoint, token) for message, endpoint in rows.all()]

    async def attempt(self, claimed: Claimed) -> None:
        try:
            answered = await self.send(claimed.message, claimed.endpoint)
            await self.record(claimed, answered)
        except asyncio.CancelledError:
            raise
        except Exception:  # recorded nothing: the lease lapses and the attempt is made again
            log.exception("webhook attempt for message %s failed unexpectedly", claimed.message.id)

    async def send(self, message: WebhookMessage, endpoint: WebhookEndpoint) -> Answered:
        assert self.http is not None
        body = json.dumps(message.payload, separators=(",", ":")).encode()
        secrets_in_use = [endpoint.secret]
        if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > utcnow():
            secrets_in_use.append(endpoint.previous_secret)
        headers = signed_headers(secrets_in_use, message.webhook_id, int(time.time()), body)
        started = time.monotonic()
        try:
            async with self.http.post(endpoint.url, data=body, headers=headers, allow_redirects=False) as response:
                await response.content.read(64 * 1024)  # an answer's body is not needed, only its end
                elapsed = int((time.monotonic() - started) * 1000)
                return Answered(response.status, None, elapsed, _retry_after(response.headers.get("Retry-After")))
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as problem:
            elapsed = int((time.monotonic() - started) * 1000)
            return Answered(None, (f"{type(problem).__name__}: {problem}")[:200], elapsed, None)

    def next_attempt(self, message: WebhookMessage, answered: Answered, now: datetime) -> datetime | None:
        """When to try again, or None when the retry window is over."""
        settings = self.deps.settings
        delay = backoff_s(message.attempts + 1, settings.webhook_retry_base_s, settings.webhook_retry_max_s)
        if answered.retry_after_s is not None:
            delay = min(max(delay, answered.retry_after_s), settings.webhook_retry_max_s)
        deadline = message.created_at + timedelta(seconds=settings.webhook_retry_window_s)
        if now >= deadline:
            return None
        return min(now + timedelta(seconds=delay), deadline)

    async def record(self, claimed: Claimed, answered: Answered) -> None:
        message, now = claimed.message, utcnow()
        outcome = outcome_of(answered.status)
        changes: dict[str, object] = {"attempts": message.attempts + 1, "claimed_until": None, "claim_token": None}
        retry_at = self.next_attempt(message, answered, now) if outcome == "retrying" else None
        if outcome == "retrying" and retry_at is None:
            outcome = "failed"
        if outcome == "retrying":
            changes["next_attempt_at"] = retry_at
        else:
            changes.update(status=outcome, finished_at=now)
        async with self.deps.db() as db:
            await db.execute(
                update(WebhookMessage)
                .where(WebhookMessage.id == message.id, WebhookMessage.claim_token == claimed.token)
                .values(**changes)
            )
            db.add(
                WebhookAttempt(
                    endpoint_id=claimed.endpoint.id,
                    message_id=message.id,
                    webhook_id=message.webhook_id,
                    event_type=message.event_type,
                    attempt=message.attempts + 1,
                    attempted_at=now,
                    status_code=answered.status,
                    error=answered.error,
                    duration_ms=answered.duration_ms,
                    outcome=outcome,
                )
            )
            await db.flush()
            await _keep_last_attempts(db, claimed.endpoint.id)
            await db.commit()


async def _keep_last_attempts(db: AsyncSession, endpoint_id: str) -> None:
    oldest_kept = (
        select(WebhookAttempt.id)
        .where(WebhookAttempt.endpoint_id == endpoint_id)
        .order_by(WebhookAttempt.id.desc())
        .offset(ATTEMPTS_KEPT - 1)
        .limit(1)
        .scalar_subquery()
    )
    await db.execute(
        delete(WebhookAttempt)
        .where(WebhookAttempt.endpoint_id == endpoint_id, WebhookAttempt.id < oldest_kept)
        .execution_options(synchronize_session=False)
    )


async def delivery(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: this replica's deliverer runs for the app's lifetime."""
    deliverer = Deliverer(app[DEPS], app[OUTBOX_SIGNAL])
    task = asyncio.create_task(deliverer.run(), name="webhook-delivery")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
