"""What the harvester tests share: a folder served over HTTP on 127.0.0.1, running a source, reading releases."""

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from catalog.models import Dataset, HarvestJob, Release
from harvesters.sources import add_source, run_source


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


def harvest(session: Session, *, organization: str, type: str, url: str, **options: Any) -> tuple[int, HarvestJob]:
    """Register a source and run it once, here; returns the source id and the job."""
    source = add_source(session, organization=organization, type=type, url=url, **options)
    return source.id or 0, run_source(session, source_id=source.id or 0)


def releases_of(session: Session, slug: str) -> list[Release]:
    """A dataset's releases, oldest first, as the database has them now."""
    session.expire_all()
    dataset = session.exec(select(Dataset).where(Dataset.slug == slug)).one()
    return list(
        session.exec(select(Release).where(Release.dataset_id == dataset.id).order_by(col(Release.number))).all()
    )


def loopback_only_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every name but loopback unresolvable, so documents that name real hosts never reach them."""
    resolve = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host) not in ("127.0.0.1", "localhost", "::1"):
            raise socket.gaierror(socket.EAI_NONAME, f"{host}: no network in tests")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)
