"""ApiError and the middleware that renders every failure in the contract's error shape."""
from __future__ import annotations

import logging
import uuid

from aiohttp import web

log = logging.getLogger("conference.errors")


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 fields: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        self.fields = fields
        self.headers = headers or {}

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


class ValidationFailed(ApiError):
    status, code = 400, "validation_failed"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class RoomEnded(ApiError):
    status, code = 409, "room_ended"

    def __init__(self):
        super().__init__("this room has ended")


class RateLimited(ApiError):
    status, code = 429, "rate_limited"

    def __init__(self, retry_after: int):
        super().__init__("too many requests, slow down", headers={"Retry-After": str(retry_after)})


class LiveKitUnavailable(ApiError):
    status, code = 503, "livekit_unavailable"


def error_response(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status, headers=error.headers)


# aiohttp's own HTTP errors (unknown route, wrong method, body too large) mapped onto our codes.
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}


@web.middleware
async def error_middleware(request: web.Request, handler):
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error)
    except web.HTTPException as http:
        if http.status < 400:
            raise
        code = _HTTP_CODES.get(http.status, "http_error")
        message = http.reason if http.status != 413 else "request body is too large"
        return error_response(ApiError(message, code=code, status=http.status))
    except Exception:
        request_id = uuid.uuid4().hex[:12]
        log.exception("unhandled error on %s %s (request %s)", request.method, request.path, request_id)
        return error_response(ApiError(f"internal error, request id {request_id}",
                                       code="internal_error", status=500))
