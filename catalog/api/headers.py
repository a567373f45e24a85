"""Security headers on every response: no sniffing, no framing, a strict Content-Security-Policy.

Scripts load only from this host; no inline script runs anywhere except the few that the API
documentation page (Swagger UI, ReDoc) writes itself, which are allowed by their exact hash.
Strict-Transport-Security is sent only when the request came over TLS (directly or through a
proxy that says so), since a browser must not be told to insist on HTTPS for a plain-HTTP host.
"""

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
STATIC_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
Header = tuple[bytes, bytes]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
DOCUMENTATION_PATHS = ("/docs", "/redoc")
INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def script_hashes(html: bytes) -> str:
    """The CSP sources that allow exactly the inline scripts of this page."""
    return "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(body).digest()).decode()}'" for body in INLINE_SCRIPT.findall(html)
    )


def over_tls(scope: Scope) -> bool:
    if scope.get("scheme") == "https":
        return True
    forwarded = dict(scope.get("headers") or []).get(b"x-forwarded-proto", b"")
    return forwarded.split(b",")[0].strip() == b"https"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*STATIC_HEADERS, HSTS] if over_tls(scope) else STATIC_HEADERS
        if scope["path"].startswith(DOCUMENTATION_PATHS):
            await self._documentation(scope, receive, send, extra)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _merged(message.get("headers", []), extra, CSP.format(scripts=""))
            await send(message)

        await self.app(scope, receive, with_headers)

    async def _documentation(
        self, scope: Scope, receive: Receive, send: Send, extra: list[tuple[bytes, bytes]]
    ) -> None:
        """Buffer the (small) documentation page to allow its own inline scripts by hash."""
        start: Message | None = None
        body = b""

        async def buffered(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start":
                start = message
                return
            body += message.get("body", b"")
            if message.get("more_body"):
                return
            assert start is not None
            start["headers"] = _merged(start.get("headers", []), extra, CSP.format(scripts=script_hashes(body)))
            await send(start)
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffered)


def _merged(
    headers: list[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]], csp: str
) -> list[tuple[bytes, bytes]]:
    """The response's own headers win: a route that sets one of these knows better."""
    present = {name.lower() for name, _ in headers}
    added = [(name, value) for name, value in extra if name not in present]
    if b"content-security-policy" not in present:
        added.append((b"content-security-policy", csp.encode()))
    return [*headers, *added]
