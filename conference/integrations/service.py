"""Integrators' webhook endpoints and their API key's settings: what /webhooks and /keys/me do."""

from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from conference.accounts.models import ApiKey
from conference.db import utcnow
from conference.deps import Deps
from conference.errors import Conflict, NotFound, ValidationFailed
from conference.integrations.models import WebhookAttempt, WebhookEndpoint
from conference.integrations.schemas import (
    OPT_IN_EVENTS,
    WEBHOOK_EVENTS,
    ApiKeyInfo,
    NewWebhook,
    Webhook,
    WebhookAttemptList,
    WebhookAttemptOut,
    WebhookCreated,
    WebhookList,
    WebhookSecret,
)
from conference.integrations.signing import new_secret
from conference.settings import Settings

MAX_ENDPOINTS_PER_KEY = 20
PREVIOUS_SECRET_LASTS = timedelta(hours=24)
DEFAULT_EVENTS = [name for name in WEBHOOK_EVENTS if name not in OPT_IN_EVENTS]


def _private(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".internal", ".local")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def check_url(settings: Settings, url: str) -> str:
    """An endpoint URL: https (http too in development), a host, no credentials or fragment; outside
    development, not a loopback or private address (the service must not be made to call inward)."""
    parts = urlsplit(url.strip())
    problem = None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        problem = "must be an https:// URL with a host"
    elif settings.production and parts.scheme != "https":
        problem = "must be https:// (http:// is allowed in development only)"
    elif parts.username or parts.password:
        problem = "must not carry a user name or password"
    elif parts.fragment:
        problem = "must not have a #fragment"
    elif settings.production and _private(parts.hostname):
        problem = "must be a public address"
    if problem:
        raise ValidationFailed("the webhook URL is not usable", fields={"url": problem})
    return url.strip()


def check_origin(settings: Settings, origin: str) -> str:
    """scheme://host[:port], lower case, nothing after it: what browsers send as an origin."""
    parts = urlsplit(origin.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    clean = parts.scheme in ("https", "http") and parts.hostname and port != -1
    if not clean or parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ValidationFailed("an origin is not valid", fields={"allowed_origins": f"{origin!r} is not an origin"})
    if settings.production and parts.scheme != "https":
        raise ValidationFailed("origins must be https", fields={"allowed_origins": f"{origin!r} is not https://"})
    return f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")


def _answer(endpoint: WebhookEndpoint) -> Webhook:
    return Webhook.model_validate(endpoint)


async def create(deps: Deps, key_id: str, body: NewWebhook) -> WebhookCreated:
    url = check_url(deps.settings, body.url)
    async with deps.db() as db:
        count = await db.scalar(select(func.count()).where(WebhookEndpoint.api_key_id == key_id))
        if (count or 0) >= MAX_ENDPOINTS_PER_KEY:
            raise Conflict(f"an API key has at most {MAX_ENDPOINTS_PER_KEY} webhook endpoints; delete one first")
        endpoint = WebhookEndpoint(
            id="we_" + secrets.token_hex(8),
            api_key_id=key_id,
            url=url,
            events=list(body.events or DEFAULT_EVENTS),
            description=body.description,
            secret=new_secret(),
            created_at=utcnow(),
        )
        db.add(endpoint)
        await db.commit()
    return WebhookCreated(**_answer(endpoint).model_dump(), secret=endpoint.secret)


async def list_endpoints(deps: Deps, key_id: str) -> WebhookList:
    async with deps.db() as db:
        rows = await db.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.api_key_id == key_id).order_by(WebhookEndpoint.created_at)
        )
        return WebhookList(items=[_answer(endpoint) for endpoint in rows])


async def _own(deps: Deps, key_id: str, endpoint_id: str) -> WebhookEndpoint:
    async with deps.db() as db:
        endpoint = await db.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.api_key_id != key_id:  # another key's endpoint does not exist for this one
        raise NotFound("no webhook endpoint with this id")
    return endpoint


async def delete(deps: Deps, key_id: str, endpoint_id: str) -> None:
    endpoint = await _own(deps, key_id, endpoint_id)
    async with deps.db() as db:
        await db.delete(await db.merge(endpoint))  # its pending messages and attempts go with it
        await db.commit()


async def rotate_secret(deps: Deps, key_id: str, endpoint_id: str) -> WebhookSecret:
    await _own(deps, key_id, endpoint_id)
    now = utcnow()
    async with deps.db() as db:
        endpoint = await db.get(WebhookEndpoint, endpoint_id)
        if endpoint is None:
            raise NotFound("no webhook endpoint with this id")
        endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, now + PREVIOUS_SECRET_LASTS
        endpoint.secret = new_secret()
        await db.commit()
    return WebhookSecret(id=endpoint.id, secret=endpoint.secret, previous_secret_expires_at=now + PREVIOUS_SECRET_LASTS)


async def attempts(deps: Deps, key_id: str, endpoint_id: str) -> WebhookAttemptList:
    await _own(deps, key_id, endpoint_id)
    async with deps.db() as db:
        rows = await db.scalars(
            select(WebhookAttempt)
            .where(WebhookAttempt.endpoint_id == endpoint_id)
            .order_by(WebhookAttempt.id.desc())
            .limit(100)
        )
        return WebhookAttemptList(
            items=[
                WebhookAttemptOut(
                    id=row.id,
                    webhook_id=row.webhook_id,
                    event=row.event_type,
                    attempt=row.attempt,
                    attempted_at=row.attempted_at,
                    status_code=row.status_code,
                    error=row.error,
                    duration_ms=row.duration_ms,
                    outcome=row.outcome,
                )
                for row in rows
            ]
        )


def key_info(key: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=key.id, name=key.name, allowed_origins=list(key.allowed_origins or []), created_at=key.created_at
    )


async def set_origins(deps: Deps, key_id: str, origins: list[str]) -> ApiKeyInfo:
    clean = list(dict.fromkeys(check_origin(deps.settings, origin) for origin in origins))
    async with deps.db() as db:
        key = await db.get(ApiKey, key_id)
        if key is None:
            raise NotFound("no such API key")
        key.allowed_origins = clean
        await db.commit()
    return key_info(key)
