"""The database goes away for a while: requests fail fast with 503 and recover by themselves."""

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import make_url

from catalog import db, settings
from tests.conftest import free_port

POSTGRES_URL = os.environ.get("TERBUKA_TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="an outage is staged on PostgreSQL (TERBUKA_TEST_DATABASE_URL)"
)


class Cable:
    """A TCP relay to PostgreSQL that can be unplugged (every connection cut, new ones refused) and plugged back."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.plug()

    def plug(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def unplug(self) -> None:
        assert self.listener is not None
        self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept(); close alone does not
        self.listener.close()
        self.listener = None
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets = []

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass


@pytest.fixture
def server_behind_cable(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Cable]]:
    url = make_url(database_url)
    cable = Cable((url.host or "127.0.0.1", url.port or 5432))
    monkeypatch.setenv("TERBUKA_DATABASE_URL", url.set(port=cable.port).render_as_string(hide_password=False))
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    from catalog.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}", cable
    server.should_exit = True
    thread.join(timeout=10)
    if cable.listener is not None:
        cable.unplug()
    db.get_engine().dispose()


def test_requests_fail_fast_while_the_database_is_away_and_recover(server_behind_cable: tuple[str, Cable]) -> None:
    base, cable = server_behind_cable
    with httpx.Client(base_url=base, timeout=30) as http:
        assert http.get("/api/v1/datasets").status_code == 200

        cable.unplug()
        time.sleep(1.1)  # the answer kept for anonymous readers (catalog/api/kept_answers.py) has expired
        for _ in range(3):
            started = time.monotonic()
            response = http.get("/api/v1/datasets")
            assert response.status_code == 503, response.text
            assert response.json()["error"]["code"] == "database_unavailable"
            assert response.headers["retry-after"] == "5"
            assert time.monotonic() - started < 6
        assert http.get("/healthz").status_code == 200  # the process itself stays up

        cable.plug()
        deadline = time.monotonic() + 15
        while (status := http.get("/api/v1/datasets").status_code) != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status == 200
