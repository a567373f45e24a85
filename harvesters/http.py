"""Safe HTTP for harvesters: an SSRF guard, size limits, timeouts, retries and politeness per host.

By default nothing on loopback, link-local, private or reserved networks is reachable (IPv6 forms that
carry an IPv4 address are judged by that address); OPD servers on the city's intranet are allowed by
name or CIDR range, optionally with a port, in TERBUKA_HARVEST_ALLOWED_HOSTS. Every redirect
is checked again. The check resolves the name before connecting, so a DNS answer that changes in
between (rebinding) is not caught here: put harvesting behind an egress firewall as well.
"""

import hashlib
import ipaddress
import json
import socket
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from catalog.errors import Invalid
from catalog.services.links import AllowList, check_link, public_address, url_port

CHUNK = 1024 * 1024
RETRY_STATUSES = {500, 502, 503, 504}


class FetchError(Exception):
    """A remote resource could not be fetched; the message says why, for the harvest item record."""


class BlockedAddress(FetchError):
    pass


class ResponseTooLarge(FetchError):
    pass


@dataclass(frozen=True)
class Download:
    path: Path
    sha256: str
    byte_size: int
    content_type: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class Document:
    url: str  # after redirects
    content: bytes
    content_type: str
    status: int = 200


class SafeClient:
    def __init__(
        self,
        *,
        allowed_hosts: str = "",
        timeout: float = 30.0,
        max_bytes: int = 512 * 1024 * 1024,
        retries: int = 3,
        backoff: float = 0.5,
        max_redirects: int = 5,
        per_host: int = 2,
    ) -> None:
        try:
            self.allowed = AllowList.parse(allowed_hosts)
        except ValueError as exc:
            raise FetchError(f"TERBUKA_HARVEST_ALLOWED_HOSTS: {exc}") from exc
        self.max_bytes = max_bytes
        self.retries = retries
        self.backoff = backoff
        self.max_redirects = max_redirects
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": "Terbuka harvester"})
        self._host_slots: defaultdict[str, threading.BoundedSemaphore] = defaultdict(
            lambda: threading.BoundedSemaphore(per_host)
        )

    def close(self) -> None:
        self.client.close()

    def check_url(self, url: str) -> None:
        """Refuse non-HTTP schemes and hosts that resolve into a non-public range not allowed (for its port)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BlockedAddress(f"{url}: only http and https URLs can be harvested")
        host = parts.hostname.lower()
        try:
            port = url_port(url)
        except ValueError as exc:
            raise BlockedAddress(f"{url}: {exc}") from exc
        if self.allowed.allows_name(host, port):
            return
        try:
            infos = socket.getaddrinfo(host, port)
        except socket.gaierror as exc:
            raise FetchError(f"{url}: cannot resolve {host}: {exc}") from exc
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if public_address(address) or self.allowed.allows_address(address, port):
                continue
            raise BlockedAddress(
                f"{url}: {host} resolves to {address}, a non-public address; "
                "allow it in TERBUKA_HARVEST_ALLOWED_HOSTS if it is an OPD server"
            )

    def public_links(self, urls: list[str], warnings: list[str]) -> list[str]:
        """The links a harvested item may keep (http(s) on a public host); each refused one becomes a warning."""
        kept = []
        for url in urls:
            try:
                kept.append(check_link(url))
            except Invalid as exc:
                warnings.append(f"{exc.message}; not kept as a link")
        return kept

    def _send(self, url: str, *, stream: bool, headers: dict[str, str] | None = None) -> httpx.Response:
        """GET with the guard on every hop, retrying 5xx and connection failures with backoff."""
        for attempt in range(self.retries + 1):
            current = url
            try:
                for _ in range(self.max_redirects + 1):
                    self.check_url(current)
                    with self._host_slots[urlsplit(current).netloc]:
                        request = self.client.build_request("GET", current, headers=headers)
                        response = self.client.send(request, stream=stream)
                    if response.is_redirect and "location" in response.headers:
                        response.close()
                        current = urljoin(current, response.headers["location"])
                        continue
                    break
                else:
                    raise FetchError(f"{url}: more than {self.max_redirects} redirects")
            except httpx.TransportError as exc:
                if attempt == self.retries:
                    raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
            else:
                if response.status_code not in RETRY_STATUSES or attempt == self.retries:
                    return response
                response.close()
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def get_bytes(self, url: str, *, errors_too: bool = False, headers: dict[str, str] | None = None) -> Document:
        """A small document (JSON, RDF, an index page) read whole, within the size limit; an HTTP error status
        raises FetchError unless ``errors_too`` (for APIs whose error bodies say what went wrong)."""
        response = self._send(url, stream=True, headers=headers)
        try:
            if response.status_code >= 400 and not errors_too:
                raise FetchError(f"{url}: HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise ResponseTooLarge(f"{url}: {int(declared):,} bytes announced, limit {self.max_bytes:,}")
            body, size = [], 0
            for chunk in response.iter_bytes(CHUNK):
                size += len(chunk)
                if size > self.max_bytes:
                    raise ResponseTooLarge(f"{url}: response larger than {self.max_bytes:,} bytes")
                body.append(chunk)
        except httpx.TransportError as exc:
            raise FetchError(f"{url}: transfer broke off: {type(exc).__name__}") from exc
        finally:
            response.close()
        return Document(
            url=str(response.url),
            content=b"".join(body),
            content_type=response.headers.get("content-type", ""),
            status=response.status_code,
        )

    def get_json(self, url: str) -> Any:
        document = self.get_bytes(url)
        try:
            return json.loads(document.content)
        except ValueError as exc:
            kind = document.content_type or "unknown type"
            raise FetchError(f"{url}: expected JSON, got {kind} that does not parse ({exc})") from exc

    def download(
        self, url: str, directory: Path, *, etag: str | None = None, last_modified: str | None = None
    ) -> Download | None:
        """Stream a file to ``directory``; None when the server says it has not changed."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = self._send(url, stream=True, headers=headers)
        try:
            if response.status_code == 304:
                return None
            if response.status_code >= 400:
                raise FetchError(f"{url}: HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise ResponseTooLarge(f"{url}: {int(declared):,} bytes announced, limit {self.max_bytes:,}")
            return self._save(url, response, directory)
        finally:
            response.close()

    def _save(self, url: str, response: httpx.Response, directory: Path) -> Download:
        directory.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with tempfile.NamedTemporaryFile(dir=directory, prefix="harvest-", delete=False) as out:
            target = Path(out.name)
            try:
                for chunk in response.iter_bytes(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise ResponseTooLarge(f"{url}: larger than {self.max_bytes:,} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            except httpx.TransportError as exc:
                target.unlink(missing_ok=True)
                raise FetchError(f"{url}: transfer broke off: {type(exc).__name__}") from exc
            except BaseException:
                target.unlink(missing_ok=True)
                raise
        return Download(
            path=target,
            sha256=digest.hexdigest(),
            byte_size=size,
            content_type=response.headers.get("content-type", "application/octet-stream"),
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
