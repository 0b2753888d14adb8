"""Files to upload in tests, and short verbs to upload and attach them."""

from __future__ import annotations

import io

import aiohttp
from PIL import Image

from tests.helpers import Account

HTML_PAGE = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


def png(width: int = 640, height: int = 480, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def form(content: bytes, filename: str, content_type: str = "application/octet-stream") -> aiohttp.FormData:
    data = aiohttp.FormData(quote_fields=False)  # as browsers send it: the name in UTF-8, unescaped
    data.add_field("file", content, filename=filename, content_type=content_type)
    return data


async def upload(client, account: Account, content: bytes, filename: str, content_type: str = "image/png"):
    """POST /uploads; answers the raw response."""
    return await client.post("/api/v1/uploads", data=form(content, filename, content_type), headers=account.headers)


async def uploaded(client, account: Account, content: bytes, filename: str) -> dict:
    response = await upload(client, account, content, filename)
    assert response.status == 201, await response.text()
    return await response.json()


async def post_room(client, account: Account, room_id: str, attachments: list[str], content: str = ""):
    return await client.post(
        f"/api/v1/rooms/{room_id}/chat/messages",
        json={"content": content, "attachments": attachments},
        headers=account.headers,
    )


async def post_dm(client, account: Account, user_id: str, attachments: list[str], content: str = ""):
    return await client.post(
        f"/api/v1/dm/{user_id}/messages", json={"content": content, "attachments": attachments}, headers=account.headers
    )
