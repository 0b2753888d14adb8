"""HTTP endpoints of the LiveKit webhook and call history."""

from __future__ import annotations

import logging

from aiohttp import web

from conference.accounts.auth import current_user
from conference.calls import history
from conference.calls.schemas import CallSessionList, WebhookReceipt
from conference.calls.webhooks import apply_webhook
from conference.deps import deps
from conference.errors import ApiError, InvalidJson, Unauthorized
from conference.livekit import WebhookRejected
from conference.rooms.moderation import enforce_admission
from conference.routing import ApiRoutes, query_int

routes = ApiRoutes("calls")
log = logging.getLogger("conference.webhooks")


@routes.route(
    "POST",
    "/livekit/webhook",
    summary="LiveKit webhooks (signed by LiveKit)",
    auth="none",
    responses={200: WebhookReceipt},
)
async def livekit_webhook(request: web.Request) -> WebhookReceipt:
    raw = await request.read()
    try:
        body = raw.decode()
    except UnicodeDecodeError:
        raise InvalidJson("webhook body is not UTF-8") from None
    authorization = request.headers.get("Authorization", "")
    if not authorization:
        raise Unauthorized("webhook is not signed")
    d = deps(request)
    try:
        event = d.livekit.receive_webhook(body, authorization)
    except WebhookRejected as error:
        log.warning("rejected a webhook: %s", error)
        raise Unauthorized("webhook signature or body hash does not match") from None
    applied = await apply_webhook(d, event)
    if event.event == "room_finished":
        d.occupancy.forget(event.room.name)  # the next join creates it again
    if applied and event.event == "participant_joined":
        try:
            await enforce_admission(d, event.room.name, event.participant.identity)
        except ApiError as error:  # the event is recorded; LiveKit being away must not fail it
            log.warning("could not put out %s: %s", event.participant.identity, error.message)
    d.metrics.webhooks.labels(event=event.event or "unknown", outcome="applied" if applied else "duplicate").inc()
    return WebhookReceipt(applied=applied)


@routes.route(
    "GET",
    "/rooms/{room_id}/sessions",
    summary="Call history of a room (members)",
    query={"limit": "1-100, default 50"},
    responses={200: CallSessionList},
)
async def room_sessions(request: web.Request) -> CallSessionList:
    return await history.room_sessions(
        deps(request), request.match_info["room_id"], current_user(request).id, query_int(request, "limit", 50, 1, 100)
    )


@routes.route(
    "GET",
    "/calls/history",
    summary="The caller's call sessions across rooms",
    query={"limit": "1-100, default 50"},
    responses={200: CallSessionList},
)
async def call_history(request: web.Request) -> CallSessionList:
    return await history.user_history(deps(request), current_user(request).id, query_int(request, "limit", 50, 1, 100))
