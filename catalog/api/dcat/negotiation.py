"""Content negotiation on a dataset's address: ``/dataset/{slug}`` asked for Turtle, RDF/XML or JSON-LD is
answered by ``/dataset/{slug}.ttl|.rdf|.jsonld``; anything else goes on to the portal's page.

A rewrite in front of the router, so the portal's page and the DCAT routes stay separate routes."""

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DATASET_PATH = re.compile(r"^/dataset/([a-z0-9][a-z0-9-]*)/?$")
OFFERS = {
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/rdf+xml": "rdf",
    "application/ld+json": "jsonld",
    "text/html": "",
    "application/xhtml+xml": "",
}


def preferred_extension(accept: str) -> str:
    """The RDF extension the Accept header prefers, or "" when HTML (or nothing in particular) wins."""
    best, best_q = "", 0.0
    for part in accept.split(","):
        kind, *options = (item.strip() for item in part.split(";"))
        quality = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if kind.lower() in OFFERS and quality > best_q:
            best, best_q = OFFERS[kind.lower()], quality
    return best


class DatasetNegotiation:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = DATASET_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        extension = preferred_extension(headers.get(b"accept", b"").decode("latin-1"))
        if extension:
            path = f"/dataset/{match[1]}.{extension}"
            scope = {**scope, "path": path, "raw_path": path.encode()}

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"vary", b"Accept")]
            await send(message)

        await self.app(scope, receive, send_with_vary)
