"""HTTP endpoints of /rooms/{id}/recordings and /recordings/{id}: start, stop, list, download, delete."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from conference.accounts.auth import authenticate, current_user
from conference.deps import deps
from conference.downloads import send_file
from conference.errors import Unauthorized
from conference.recordings import links, service
from conference.recordings.schemas import Layout, Recording, RecordingList
from conference.recordings.service import Caller
from conference.routing import Answer, ApiRoutes, Body, Timestamp
from conference.state import API_KEY, USER

routes = ApiRoutes("recordings")


class StartRecording(Body):
    layout: Layout = "grid"
    audio_only: bool = False


class FileLink(Answer):
    """A signed download path for `<video src>` and download links: no header needed, one recording, expires."""

    url: str
    expires_at: Timestamp


def _caller(request: web.Request) -> Caller:
    user, key = request.get(USER), request.get(API_KEY)
    return Caller(user_id=user.id if user else None, api_key_id=key.id if key else None)


def _recording_id(request: web.Request) -> str:
    return request.match_info["recording_id"]


@routes.route(
    "POST",
    "/rooms/{room_id}/recordings",
    summary="Start recording the room (host); 409 while another recording of it runs",
    body=StartRecording,
    responses={201: Recording},
)
async def start_recording(request: web.Request, body: StartRecording) -> Recording:
    return await service.start_recording(
        deps(request),
        request.match_info["room_id"],
        current_user(request).id,
        layout=body.layout,
        audio_only=body.audio_only,
    )


@routes.route(
    "GET",
    "/rooms/{room_id}/recordings",
    summary="The room's recordings, newest first (members, or the API key that created the room)",
    auth="user_or_key",
    responses={200: RecordingList},
)
async def list_recordings(request: web.Request) -> RecordingList:
    return await service.list_recordings(deps(request), request.match_info["room_id"], _caller(request))


@routes.route(
    "GET",
    "/recordings/{recording_id}",
    summary="One recording (members, or the API key that created the room)",
    auth="user_or_key",
    responses={200: Recording},
)
async def get_recording(request: web.Request) -> Recording:
    return await service.get_recording(deps(request), _recording_id(request), _caller(request))


@routes.route(
    "POST",
    "/recordings/{recording_id}/stop",
    summary="Stop recording; the file follows (host)",
    responses={200: Recording},
)
async def stop_recording(request: web.Request) -> Recording:
    return await service.stop_recording(deps(request), _recording_id(request), current_user(request).id)


@routes.route(
    "DELETE", "/recordings/{recording_id}", summary="Delete a recording and its file (host)", responses={204: None}
)
async def delete_recording(request: web.Request) -> None:
    await service.delete_recording(deps(request), _recording_id(request), current_user(request).id)


@routes.route(
    "POST",
    "/recordings/{recording_id}/link",
    summary="A signed download link for players that cannot send headers (members)",
    auth="user_or_key",
    responses={200: FileLink},
)
async def recording_link(request: web.Request) -> FileLink:
    url, expires = await service.file_link(deps(request), _recording_id(request), _caller(request))
    return FileLink(url=url, expires_at=datetime.fromtimestamp(expires, UTC))


@routes.route(
    "GET",
    "/recordings/{recording_id}/file",
    summary="Download the file, with range requests (members with a bearer, or a signed ?token= link)",
    auth="none",
    query={"token": "a signed link's token, from POST /recordings/{recording_id}/link"},
    responses={200: None, 206: None},
)
async def download_recording(request: web.Request) -> web.StreamResponse:
    recording_id, token = _recording_id(request), request.query.get("token")
    caller: Caller | None = None
    if token is not None:
        if not links.verify(deps(request).settings.jwt_secret, recording_id, token):
            raise Unauthorized("this download link is not valid or has expired")
    else:
        await authenticate(request, "user_or_key")
        caller = _caller(request)
    found = await service.recording_file(deps(request), recording_id, caller)
    headers = {
        "Content-Type": found.content_type,
        "Content-Disposition": f'attachment; filename="{found.download_name}"',
        "Cache-Control": "private, max-age=3600",
    }

    async def size_of() -> int | None:
        return await found.storage.size(found.key)

    return await send_file(request, found.open, size_of, headers)
