"""HTTP endpoints for integrators' API keys: webhook endpoints (/webhooks) and the key's own settings (/keys/me)."""

from __future__ import annotations

from aiohttp import web

from conference.deps import deps
from conference.integrations import service
from conference.integrations.schemas import (
    ApiKeyInfo,
    KeyChange,
    NewWebhook,
    WebhookAttemptList,
    WebhookCreated,
    WebhookList,
    WebhookSecret,
)
from conference.routing import ApiRoutes
from conference.state import API_KEY

routes = ApiRoutes("integrations")


def _key_id(request: web.Request) -> str:
    return str(request[API_KEY].id)  # auth="key" lets only API keys through


@routes.route(
    "POST",
    "/webhooks",
    summary="Register a webhook endpoint for the rooms this API key creates; the answer shows its secret once",
    auth="key",
    body=NewWebhook,
    responses={201: WebhookCreated},
)
async def create_webhook(request: web.Request, body: NewWebhook) -> WebhookCreated:
    return await service.create(deps(request), _key_id(request), body)


@routes.route("GET", "/webhooks", summary="This API key's webhook endpoints", auth="key", responses={200: WebhookList})
async def list_webhooks(request: web.Request) -> WebhookList:
    return await service.list_endpoints(deps(request), _key_id(request))


@routes.route(
    "DELETE",
    "/webhooks/{webhook_id}",
    summary="Remove a webhook endpoint; what it had still to receive is dropped",
    auth="key",
    responses={204: None},
)
async def delete_webhook(request: web.Request) -> None:
    await service.delete(deps(request), _key_id(request), request.match_info["webhook_id"])


@routes.route(
    "POST",
    "/webhooks/{webhook_id}/rotate-secret",
    summary="A new signing secret; the old one keeps signing too for 24 hours",
    auth="key",
    responses={200: WebhookSecret},
)
async def rotate_secret(request: web.Request) -> WebhookSecret:
    return await service.rotate_secret(deps(request), _key_id(request), request.match_info["webhook_id"])


@routes.route(
    "GET",
    "/webhooks/{webhook_id}/deliveries",
    summary="The last 100 delivery attempts of an endpoint, newest first",
    auth="key",
    responses={200: WebhookAttemptList},
)
async def deliveries(request: web.Request) -> WebhookAttemptList:
    return await service.attempts(deps(request), _key_id(request), request.match_info["webhook_id"])


@routes.route(
    "GET", "/keys/me", summary="The calling API key and its settings", auth="key", responses={200: ApiKeyInfo}
)
async def my_key(request: web.Request) -> ApiKeyInfo:
    return service.key_info(request[API_KEY])


@routes.route(
    "PATCH",
    "/keys/me",
    summary="Set the origins allowed to frame /embed/<id> of this key's rooms",
    auth="key",
    body=KeyChange,
    responses={200: ApiKeyInfo},
)
async def change_my_key(request: web.Request, body: KeyChange) -> ApiKeyInfo:
    return await service.set_origins(deps(request), _key_id(request), body.allowed_origins)
