"""HTTP endpoint of the realtime domain: the ticket that opens a WebSocket (GET /api/v1/ws, socket.py)."""

from __future__ import annotations

from aiohttp import web

from conference import throttles
from conference.accounts.auth import current_signin
from conference.deps import deps
from conference.realtime.schemas import WsTicket
from conference.realtime.tickets import TicketClaims
from conference.routing import ApiRoutes

routes = ApiRoutes("realtime")


@routes.route(
    "POST",
    "/ws/ticket",
    summary="A single-use ticket for GET /api/v1/ws?ticket=… (the socket closes when this access token expires); "
    "a guest's session token opens a socket for its room",
    auth="user_or_guest",
    responses={200: WsTicket},
)
async def ws_ticket(request: web.Request) -> WsTicket:
    signin, app = current_signin(request), deps(request)
    await throttles.socket_ticket(app, signin.user.id)
    claims = TicketClaims(user_id=signin.user.id, session_id=signin.session_id, access_expires_at=signin.expires_at)
    return WsTicket(ticket=await app.tickets.mint(claims), expires_in=app.tickets.ttl_s)
