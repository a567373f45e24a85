"""Per-client rate limits: a token bucket per client address, one for all requests and a smaller one for writes.

The buckets live in each server process, so with N worker processes a client may get up to N times the
limit; the limit is a guard against one client flooding the portal, not a quota. The client address is
the one uvicorn gives, which honours X-Forwarded-For only from the proxies it trusts.
"""

import json
import re
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from catalog.api.ckan.actions import ACTIONS

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CKAN_ACTION = re.compile(r"^/api(?:/3)?/action/([a-z_]+)$")
EXEMPT_PREFIXES = ("/healthz", "/static/")
MAX_CLIENTS = 100_000  # buckets kept at once; the idle ones go first when there are more


@dataclass
class Bucket:
    tokens: float
    updated: float


class Limiter:
    """``per_minute`` requests a minute on average, in bursts of up to ``per_minute``."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.buckets: dict[str, Bucket] = {}

    def take(self, client: str, now: float) -> float:
        """Take one token; returns 0 when allowed, else the seconds until one is available."""
        bucket = self.buckets.get(client)
        if bucket is None:
            if len(self.buckets) >= MAX_CLIENTS:
                self._forget_idle(now)
            bucket = self.buckets[client] = Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        full_after = self.capacity / self.rate
        self.buckets = {c: b for c, b in self.buckets.items() if now - b.updated < full_after}
        if len(self.buckets) >= MAX_CLIENTS:
            self.buckets.clear()


def is_write(scope: Scope) -> bool:
    """A write method; but CKAN clients (ckanapi) POST their reads too, so a CKAN read action is a read."""
    if scope["method"] not in WRITE_METHODS:
        return False
    match = CKAN_ACTION.match(scope["path"])
    return match is None or match[1] not in ACTIONS or ACTIONS[match[1]].writes


class RateLimit:
    def __init__(self, app: ASGIApp, *, per_minute: int, writes_per_minute: int) -> None:
        self.app = app
        self.all = Limiter(per_minute) if per_minute > 0 else None
        self.writes = Limiter(writes_per_minute) if writes_per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        now = time.monotonic()
        wait = self.all.take(client, now) if self.all else 0.0
        if not wait and self.writes and is_write(scope):
            wait = self.writes.take(client, now)
        if wait:
            await _refuse(send, wait)
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send, wait: float) -> None:
    seconds = max(1, int(wait + 0.999))
    body = json.dumps(
        {"error": {"code": "too_many_requests", "message": f"too many requests: try again in {seconds} s"}}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(seconds).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
