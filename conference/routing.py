"""Route declarations that carry auth, body and answers, so handlers, validation and
openapi.json are fed by the same lines; the router serializes what a handler returns."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from conference.errors import InvalidJson, ValidationFailed

API_PREFIX = "/api/v1"
# user_or_guest: a user's access token, or a guest's session token for the room in the path (guests/).
Auth = Literal["none", "user", "user_or_key", "key", "user_or_guest"]
# What a route may answer: status -> model of the body (None for a body-less answer such as 204).
Responses = dict[int, type[BaseModel] | None]


# No text takes control characters (NUL breaks PostgreSQL, the rest breaks whoever shows the text)
# nor lone surrogates (no database can store them); free text may hold line breaks and tabs.
FREE_TEXT_FIELDS = frozenset({"content", "metadata"})
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_BREAKS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def has_control_characters(value: object, free_text: bool = False) -> bool:
    """Any string in the value (dict keys and nested values too) holding a forbidden character."""
    if isinstance(value, str):
        return bool((_CONTROL_BUT_BREAKS if free_text else _CONTROL).search(value))
    if isinstance(value, dict):
        return any(has_control_characters(k) or has_control_characters(v, free_text) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_control_characters(item, free_text) for item in value)
    return False


def too_big_to_store(value: object) -> bool:
    """An integer past the 64 bits every database column and LiveKit field holds (PostgreSQL refuses it)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -(2**63) <= value < 2**63
    if isinstance(value, dict):
        return any(too_big_to_store(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(too_big_to_store(item) for item in value)
    return False


def reject_control_characters(value: object, info: ValidationInfo) -> object:
    """A field validator for every field of a body or frame (`field_validator("*")`): text without
    control characters, integers that fit 64 bits."""
    if has_control_characters(value, free_text=info.field_name in FREE_TEXT_FIELDS):
        allowed = "line breaks and tabs only" if info.field_name in FREE_TEXT_FIELDS else "none"
        raise ValueError(f"must not contain control characters ({allowed} allowed)")
    if too_big_to_store(value):
        raise ValueError("is out of range")
    return value


class Body(BaseModel):
    """Base of every request body: unknown fields, type coercion and control characters are refused."""

    model_config = ConfigDict(extra="forbid", strict=True)
    _no_control_characters = field_validator("*")(reject_control_characters)


class Answer(BaseModel):
    """Base of every response model and realtime event payload; built from ORM rows too."""

    model_config = ConfigDict(from_attributes=True)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The contract's times: ISO 8601 UTC to the second, `2026-11-23T10:00:00Z`.
Timestamp = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]

Handler = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class FilePart:
    """A multipart/form-data request body carrying one file in the part `name`. The router does not read
    it (the handler streams it, a file may be large); the declaration is for openapi.json."""

    name: str = "file"
    description: str = ""


@dataclass
class RouteSpec:
    method: str
    path: str
    handler: Handler
    summary: str
    auth: Auth
    responses: Responses
    body: type[BaseModel] | None = None
    query: dict[str, str] = field(default_factory=dict)
    tag: str = ""
    form: FilePart | None = None

    def status_of(self, answer: BaseModel | None) -> int:
        """The declared status whose model this answer is (the first one, for a shared model)."""
        for status, model in self.responses.items():
            if (answer is None and model is None) or (model is not None and type(answer) is model):
                return status
        raise TypeError(
            f"{self.method} {self.path} answered {type(answer).__name__}, which its responses= does not declare"
        )


class ApiRoutes:
    """A domain's routes; `register` mounts them under /api/v1 with auth, body parsing and answers."""

    def __init__(self, tag: str):
        self.tag = tag
        self.specs: list[RouteSpec] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        responses: Responses,
        auth: Auth = "user",
        body: type[BaseModel] | None = None,
        query: dict[str, str] | None = None,
        form: FilePart | None = None,
    ) -> Callable[[Handler], Handler]:
        """`body` is a JSON body the router parses and passes on; `form` a multipart file body the
        handler reads itself (only declared here)."""
        if body is not None and form is not None:
            raise TypeError(f"{method} {path}: a route takes a JSON body or a file form, not both")

        def declare(handler: Handler) -> Handler:
            spec = RouteSpec(method, path, handler, summary, auth, responses, body, query or {}, self.tag, form)
            self.specs.append(spec)
            return handler

        return declare

    def register(self, app: web.Application) -> None:
        for spec in self.specs:
            app.router.add_route(spec.method, API_PREFIX + spec.path, _wrap(spec))


def _wrap(spec: RouteSpec) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    from conference.accounts.auth import authenticate  # accounts owns who a bearer is

    async def handler(request: web.Request) -> web.StreamResponse:
        check_path_and_query(request)
        if spec.auth != "none":
            await authenticate(request, spec.auth)
        if spec.body is None:
            answer = await spec.handler(request)
        else:
            answer = await spec.handler(request, await parse_body(request, spec.body))
        if isinstance(answer, web.StreamResponse):
            return answer
        return render(answer, spec.status_of(answer))

    handler.__name__ = spec.handler.__name__
    return handler


def render(answer: BaseModel | None, status: int) -> web.Response:
    if answer is None:
        return web.Response(status=status)
    return web.Response(body=answer.model_dump_json().encode(), status=status, content_type="application/json")


async def parse_body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    raw = await request.read()
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidJson() from None
    if not isinstance(data, dict):
        raise InvalidJson("request body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValidationFailed("request body is not valid", fields=field_errors(error)) from None


def check_path_and_query(request: web.Request) -> None:
    for name, value in (*request.match_info.items(), *request.query.items()):
        if has_control_characters(value):
            raise ValidationFailed("request is not valid", fields={name: "must not contain control characters"})


def field_errors(error: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(name, item["msg"])
    return fields


def query_int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed("query is not valid", fields={name: "must be an integer"}) from None
    if not low <= value <= high:
        raise ValidationFailed("query is not valid", fields={name: f"must be between {low} and {high}"})
    return value
