"""HTTP endpoint of /search (full-text search over the messages I can read)."""

from __future__ import annotations

from aiohttp import web

from conference import throttles
from conference.accounts.auth import current_user
from conference.deps import deps
from conference.errors import ValidationFailed
from conference.routing import ApiRoutes, query_int
from conference.search import fulltext
from conference.search.schemas import SearchResults

routes = ApiRoutes("search")
MAX_QUERY = 200


@routes.route(
    "GET",
    "/search",
    summary="Search the messages I can read (room chat of my rooms, my direct messages, my groups), newest first",
    query={
        "q": f"words to find, 1-{MAX_QUERY} characters",
        "before": "cursor from next_before",
        "limit": "1-50, default 20",
    },
    responses={200: SearchResults},
)
async def search(request: web.Request) -> SearchResults:
    me = current_user(request)
    words = request.query.get("q", "").strip()
    if not 1 <= len(words) <= MAX_QUERY:
        raise ValidationFailed("query is not valid", fields={"q": f"1 to {MAX_QUERY} characters"})
    before = fulltext.parse_cursor(request.query["before"]) if request.query.get("before") else None
    limit = query_int(request, "limit", 20, 1, 50)
    await throttles.search(deps(request), me.id)
    return await fulltext.search(deps(request), me.id, words, before, limit)
