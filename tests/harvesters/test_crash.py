"""A harvest process killed with SIGKILL: its source is free at once and its validation pool does not outlive it."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlmodel import Session, select

from catalog.models import HarvestJob, Organization
from catalog.settings import get_settings
from harvesters import sources
from harvesters.processes import owner_gone, process_owner

ROOT = Path(__file__).parents[2]


class StuckDrop(BaseHTTPRequestHandler):
    """A file drop whose one file hangs until the test lets it go."""

    release: ClassVar[threading.Event] = threading.Event()

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.endswith("/"):
            body = b'<a href="penduduk.csv">penduduk.csv</a>'
        else:
            StuckDrop.release.wait(30)
            body = b"kecamatan,jumlah\nPontianak Kota,120000\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def stuck_drop() -> Iterator[str]:
    StuckDrop.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), StuckDrop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/drop/"
    StuckDrop.release.set()
    server.shutdown()
    server.server_close()


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # a zombie has ended; only its parent (now init) has yet to reap it


def _python(code: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.PIPE,
        text=True,
    )


def test_a_killed_harvest_frees_its_source_at_once(
    stuck_drop: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERBUKA_HARVEST_ALLOWED_HOSTS", "127.0.0.0/8")  # here and in the harvest process
    get_settings.cache_clear()
    session.add(Organization(slug="disdukcapil", name="Dinas Kependudukan dan Pencatatan Sipil"))
    session.commit()
    source = sources.add_source(session, organization="disdukcapil", type="files", url=stuck_drop)
    session.commit()
    harvest = _python(
        """
        import sys
        from catalog.cli import app
        sys.argv = ["terbuka", "harvest", "run", sys.argv[1], "--wait"]
        app()
        """.replace("sys.argv[1]", repr(str(source.id)))
    )
    try:
        deadline = time.monotonic() + 60
        running = None
        while running is None and time.monotonic() < deadline:
            session.expire_all()
            running = session.exec(select(HarvestJob).where(HarvestJob.status == "running")).first()
            time.sleep(0.1)
        assert running is not None, "the harvest never started"
        assert running.owner and running.owner.split()[1] == str(harvest.pid)
        assert not owner_gone(running.owner)
    finally:
        harvest.send_signal(signal.SIGKILL)
        harvest.wait(10)
    assert owner_gone(running.owner)
    StuckDrop.release.set()

    started = time.monotonic()
    rerun = sources.run_source(session, source_id=source.id or 0)  # not source_busy
    assert rerun.status == "finished", rerun.error
    assert rerun.counts["created"] == 1 and time.monotonic() - started < 30
    session.refresh(running)
    assert running.status == "failed" and running.finished is not None
    assert f"its process ({harvest.pid} on " in (running.error or "")


def test_a_running_job_of_a_live_process_keeps_its_source(session: Session) -> None:
    session.add(Organization(slug="dinkes", name="Dinas Kesehatan"))
    session.commit()
    source = sources.add_source(session, organization="dinkes", type="ckan", url="https://data.pontianak.go.id")
    job = sources.queue_run(session, source_id=source.id or 0)
    assert sources.claim(session, job) and job.owner == process_owner()
    assert sources.recover(session) == []
    other_host = sources.queue_run(session, source_id=source.id or 0)
    assert not sources.claim(session, other_host)  # this process still holds the source
    job.owner = "another-machine 1 1"  # its process cannot be checked from here: only the heartbeat tells
    session.add(job)
    session.commit()
    assert sources.recover(session) == [] and not sources.claim(session, other_host)


def test_the_validation_pool_dies_with_its_parent() -> None:
    parent = _python(
        """
        import time
        from harvesters.processes import validation_pool

        pool = validation_pool(2)
        futures = [pool.submit(time.sleep, 120) for _ in range(2)]
        print(" ".join(str(pid) for pid in pool._processes), flush=True)
        time.sleep(120)
        """
    )
    try:
        assert parent.stdout is not None
        children = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(children) == 2
        time.sleep(3)  # the children are up and waiting on their parent's pipes
        assert not any(_gone(pid) for pid in children)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(pid) for pid in children), "pool processes outlived their parent"
