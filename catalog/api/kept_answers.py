"""Anonymous readers' answers to the routes marked ``public_cache.shared``, kept a moment and given again.

A dataset in the news is asked for by thousands of readers a second, all anonymous and all given the
same bytes. The first request of a second runs the route; the next ones are given its status, headers
and body from ``catalog.services.public_cache`` without routing, dependencies, queries or serialising.
What is kept: a 200 answer to a GET without credentials (no Authorization, no Cookie), without
conditional or range headers, of at most ``MAX_BODY`` bytes, from a route marked shared. The rate limit
and the security headers sit outside and apply to every request alike.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.services import public_cache

MAX_BODY = 256 * 1024
PERSONAL = {b"authorization", b"cookie", b"if-none-match", b"if-modified-since", b"range"}


class KeptAnswers:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        accept = b""
        for name, value in scope["headers"]:
            if name in PERSONAL:
                await self.app(scope, receive, send)
                return
            if name == b"accept":
                accept = value
        key = ("answer", scope["path"], scope["query_string"], accept)
        if (kept := public_cache.peek(key)) is not None:
            headers, body = kept
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        since = public_cache.generation()
        start: Message | None = None
        body = bytearray()

        async def keeping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif start is not None and len(body) <= MAX_BODY:
                body.extend(message.get("body", b""))
            await send(message)

        answer = None
        try:
            await self.app(scope, receive, keeping_send)
            shared = getattr(scope.get("endpoint"), "shared_answer", False)
            if shared and start is not None and start["status"] == 200 and len(body) <= MAX_BODY:
                headers = list(start.get("headers", []))
                if all(name.lower() != b"set-cookie" for name, _ in headers):
                    answer = (headers, bytes(body))
        finally:
            public_cache.keep(key, answer, since, size=len(body) if answer else 0)
