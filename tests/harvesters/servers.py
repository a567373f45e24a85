"""A folder served over HTTP on 127.0.0.1 (python's http.server, directory listings included)."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve_folder(directory: Path) -> Iterator[str]:
    """Serve ``directory`` and let harvesters reach loopback; yields the base URL."""
    from catalog import settings

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(directory)))
    settings.get_settings().harvest_allowed_hosts = "127.0.0.0/8"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
