"""ApiError, one named error per code in the contract, and the middleware that renders them."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from pydantic import BaseModel, Field
from sqlalchemy import exc as sql

log = logging.getLogger("conference.errors")


class ErrorDetail(BaseModel):
    code: str = Field(description="snake_case, stable; clients branch on it")
    message: str = Field(description="human text, may change")
    fields: dict[str, str] | None = Field(default=None, description="field name -> what is wrong with it")


class ErrorBody(BaseModel):
    """The one error shape: every 4xx and 5xx answer looks like this."""

    error: ErrorDetail


class ApiError(Exception):
    """Base of the named errors below; a subclass fixes `status` and `code`."""

    status = 400
    code = "bad_request"
    default_message = "the request cannot be served"

    def __init__(
        self, message: str | None = None, *, fields: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ):
        self.message = message or self.default_message
        super().__init__(self.message)
        self.fields = fields
        self.headers = headers or {}

    def body(self) -> ErrorBody:
        return ErrorBody(error=ErrorDetail(code=self.code, message=self.message, fields=self.fields or None))


# 400
class InvalidJson(ApiError):
    status, code, default_message = 400, "invalid_json", "request body is not valid JSON"


class ValidationFailed(ApiError):
    status, code, default_message = 400, "validation_failed", "request is not valid"


# 401
class Unauthorized(ApiError):
    status, code, default_message = 401, "unauthorized", "sign in first"


class InvalidCredentials(ApiError):
    status, code, default_message = 401, "invalid_credentials", "login or password is wrong"


class TokenExpired(ApiError):
    status, code, default_message = 401, "token_expired", "access token has expired; refresh it"


# 403
class Forbidden(ApiError):
    status, code, default_message = 403, "forbidden", "you may not do that"


class RoomLocked(ApiError):
    status, code, default_message = 403, "room_locked", "this room is locked by its host"


class RemovedFromRoom(ApiError):
    status, code, default_message = 403, "removed", "a host removed you from this room"


class LobbyDenied(Forbidden):
    default_message = "a host declined your request to join"


class GuestsNotAllowed(ApiError):
    status, code, default_message = 403, "guests_not_allowed", "this room does not let guests in; sign in to join"


# 404
class NotFound(ApiError):
    status, code, default_message = 404, "not_found", "not found"


# 409
class Conflict(ApiError):
    status, code, default_message = 409, "conflict", "this conflicts with the current state"


class MessageDeleted(ApiError):
    status, code, default_message = 409, "message_deleted", "this message was deleted"


class EditWindowClosed(ApiError):
    status, code, default_message = 403, "edit_window_closed", "this message is too old to edit"


class RoomEnded(ApiError):
    status, code, default_message = 409, "room_ended", "this room has ended"


class NotStarted(ApiError):
    """A scheduled room before its start: `fields.starts_at` says when (hosts may open it early)."""

    status, code, default_message = 409, "not_started", "this meeting has not started yet"

    def __init__(self, starts_at: datetime):
        when = starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        super().__init__(f"this meeting starts at {when}", fields={"starts_at": when})


class RoomFull(ApiError):
    status, code, default_message = 409, "room_full", "this room is full"


class AlreadyAttached(Conflict):
    code, default_message = "already_attached", "this upload is attached to another message already"


class Busy(ApiError):
    status, code, default_message = 409, "busy", "this user is in another call"


# 413, 416, 429, 5xx
class PayloadTooLarge(ApiError):
    status, code, default_message = 413, "payload_too_large", "request body is too large"


class DisguisedFile(ApiError):
    """An upload whose bytes are not what its name says (an HTML page named .png): refused, never stored."""

    status, code, default_message = 415, "disguised_file", "the file's content does not match its name"


class RangeNotSatisfiable(ApiError):
    status, code, default_message = 416, "range_not_satisfiable", "the requested range is outside the file"


class RateLimited(ApiError):
    status, code, default_message = 429, "rate_limited", "too many requests, slow down"

    def __init__(self, retry_after: int):
        super().__init__(headers={"Retry-After": str(retry_after)})
        self.retry_after = retry_after


class InternalError(ApiError):
    status, code = 500, "internal_error"


class LiveKitUnavailable(ApiError):
    status, code, default_message = 503, "livekit_unavailable", "LiveKit is unreachable right now"


class DatabaseUnavailable(ApiError):
    status, code, default_message = 503, "database_unavailable", "the database is unreachable right now"


class StorageUnavailable(ApiError):
    """The file storage (UPLOADS_DIR's disk, an S3 bucket) refused or could not be reached: nothing was
    kept, so the same request may simply be sent again later."""

    status, code, default_message = 503, "storage_unavailable", "file storage is unavailable right now; try again"
    retry_after = 30

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, headers={"Retry-After": str(self.retry_after)})


class _HttpError(ApiError):
    """aiohttp's own HTTP errors (unknown route, wrong method, body too large) in our shape."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code = status, code


def error_response(error: ApiError) -> web.Response:
    return web.json_response(
        text=error.body().model_dump_json(exclude_none=True), status=error.status, headers=error.headers
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_DRIVERS = ("sqlalchemy", "asyncpg", "aiosqlite", "sqlite3")
_DOWN_STATES = ("08", "57P01", "57P02", "57P03")


def database_is_down(error: BaseException) -> bool:
    """The database cannot be reached or lost the connection, as opposed to a bug in a query.

    SQLAlchemy wraps what the driver reports (OperationalError, InterfaceError, a DBAPI error that
    invalidated the connection, its pool's timeout); a refused or broken socket while connecting
    comes through as the driver's bare OSError, told apart from other OSErrors by where it was raised."""
    if isinstance(error, sql.OperationalError | sql.InterfaceError | sql.TimeoutError):
        return True
    if isinstance(error, sql.DBAPIError):
        # PostgreSQL refusing connections while it starts or stops comes as a plain DBAPI error; its
        # SQLSTATE tells: class 08 (connection exception), 57P01-03 (shutting down, crashed, starting up).
        state = getattr(error.orig, "sqlstate", None)
        return error.connection_invalidated or (isinstance(state, str) and state.startswith(_DOWN_STATES))
    if isinstance(error, OSError):
        traceback = error.__traceback__
        while traceback is not None:
            if traceback.tb_frame.f_globals.get("__name__", "").startswith(_DRIVERS):
                return True
            traceback = traceback.tb_next
    return False


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as error:
        return error_response(error)
    except web.HTTPException as http:
        if http.status < 400:
            raise
        message = http.reason if http.status != 413 else "request body is too large"
        return error_response(_HttpError(http.status, _HTTP_CODES.get(http.status, "http_error"), message))
    except Exception as error:
        if database_is_down(error):
            log.warning("database unreachable on %s %s: %s", request.method, request.path, type(error).__name__)
            return error_response(DatabaseUnavailable())
        request_id = uuid.uuid4().hex[:12]
        log.exception("unhandled error on %s %s (request %s)", request.method, request.path, request_id)
        return error_response(InternalError(f"internal error, request id {request_id}"))
