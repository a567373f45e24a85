"""Safe downloads against a real HTTP server on 127.0.0.1 that misbehaves on purpose."""

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from harvesters.http import BlockedAddress, FetchError, ResponseTooLarge, SafeClient

CSV = b"kecamatan;jumlah\nPontianak Timur;1.234\n"


class Remote(BaseHTTPRequestHandler):
    calls: ClassVar[dict[str, int]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", headers.pop("length", str(len(body))))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        Remote.calls[self.path] = Remote.calls.get(self.path, 0) + 1
        if self.path == "/data.csv":
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self._send(200, CSV, "text/csv", ETag='"v1"', Last_Modified="Mon, 30 Jun 2025 00:00:00 GMT")
        elif self.path == "/flaky.json":
            if Remote.calls[self.path] == 1:
                self._send(500, b"maaf", "text/plain")
            else:
                self._send(200, json.dumps({"success": True}).encode(), "application/json")
        elif self.path == "/down.json":
            self._send(503, b"pemeliharaan", "text/plain")
        elif self.path == "/hang.json":
            time.sleep(2)
            self._send(200, b"{}", "application/json")
        elif self.path == "/huge.csv":
            self._send(200, b"a,b\n1,2\n", "text/csv", length="2147483648")
        elif self.path == "/error-page.json":
            self._send(200, b"<html><body>Terjadi kesalahan</body></html>", "text/html")
        elif self.path == "/truncated.json":
            self._send(200, b'{"success": true, "result": [{"name": "pend', "application/json")
        elif self.path == "/moved.csv":
            self._send(302, b"", "text/plain", Location="/data.csv")
        elif self.path == "/to-metadata":
            self._send(302, b"", "text/plain", Location="http://169.254.169.254/latest/meta-data")
        elif self.path == "/loop":
            self._send(302, b"", "text/plain", Location="/loop")
        else:
            self._send(404, b"tidak ditemukan", "text/plain")


@pytest.fixture
def remote() -> Iterator[str]:
    Remote.calls = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Remote)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client(**options: object) -> SafeClient:
    defaults: dict[str, object] = {"allowed_hosts": "127.0.0.0/8", "timeout": 0.5, "retries": 2, "backoff": 0.01}
    return SafeClient(**{**defaults, **options})  # type: ignore[arg-type]


def test_download_streams_to_disk_with_its_markers(remote: str, tmp_path: Path) -> None:
    got = client().download(f"{remote}/data.csv", tmp_path)
    assert got is not None and got.path.read_bytes() == CSV and got.byte_size == len(CSV)
    assert got.etag == '"v1"' and got.last_modified == "Mon, 30 Jun 2025 00:00:00 GMT"
    assert got.sha256 == hashlib.sha256(CSV).hexdigest()
    assert client().download(f"{remote}/data.csv", tmp_path, etag='"v1"') is None  # 304: unchanged
    moved = client().download(f"{remote}/moved.csv", tmp_path)
    assert moved is not None and moved.sha256 == got.sha256


def test_loopback_and_private_ranges_are_refused_by_default(remote: str, tmp_path: Path) -> None:
    with pytest.raises(BlockedAddress, match="TERBUKA_HARVEST_ALLOWED_HOSTS"):
        SafeClient().download(f"{remote}/data.csv", tmp_path)
    with pytest.raises(BlockedAddress):
        SafeClient(allowed_hosts="10.0.0.0/8").get_json(f"{remote}/flaky.json")
    with pytest.raises(BlockedAddress, match=r"169\.254\.169\.254"):
        client().download(f"{remote}/to-metadata", tmp_path)
    with pytest.raises(BlockedAddress, match="only http"):
        client().download("file:///etc/passwd", tmp_path)
    assert Remote.calls.get("/data.csv") is None  # refused before any request was sent
    assert client(allowed_hosts="localhost").get_json(f"{remote.replace('127.0.0.1', 'localhost')}/flaky.json")


def test_server_errors_are_retried_with_backoff(remote: str) -> None:
    assert client().get_json(f"{remote}/flaky.json") == {"success": True}
    assert Remote.calls["/flaky.json"] == 2
    with pytest.raises(FetchError, match="HTTP 503"):
        client(retries=2).get_json(f"{remote}/down.json")
    assert Remote.calls["/down.json"] == 3


def test_a_hanging_remote_times_out(remote: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="Timeout"):
        client(retries=0, timeout=0.3).get_json(f"{remote}/hang.json")
    assert time.monotonic() - started < 1.5


def test_bad_bodies_are_clear_errors(remote: str, tmp_path: Path) -> None:
    with pytest.raises(ResponseTooLarge, match="2,147,483,648 bytes announced"):
        client().download(f"{remote}/huge.csv", tmp_path)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FetchError, match="expected JSON, got text/html"):
        client().get_json(f"{remote}/error-page.json")
    with pytest.raises(FetchError, match="does not parse"):
        client().get_json(f"{remote}/truncated.json")
    with pytest.raises(FetchError, match="HTTP 404"):
        client().download(f"{remote}/hilang.csv", tmp_path)
    with pytest.raises(FetchError, match="redirects"):
        client().get_json(f"{remote}/loop")


def test_size_limit_while_streaming(remote: str, tmp_path: Path) -> None:
    with pytest.raises(ResponseTooLarge):
        client(max_bytes=10).download(f"{remote}/data.csv", tmp_path)
    assert list(tmp_path.iterdir()) == []
