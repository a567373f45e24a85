"""`kill -9` in the middle of the work: after a restart the catalogue is whole and `terbuka doctor` is content."""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, func, select

from catalog.models import Release, ReleaseState, SearchOutbox
from catalog.services.files import file_store
from catalog.services.integrity import examine
from catalog.storage import scratch_name
from tests.catalog.conftest import Catalogue
from tests.conftest import free_port

TERBUKA = [sys.executable, "-c", "from catalog.cli import app; app()"]


class Server:
    """`terbuka serve` as its own process, to be killed without warning and started again."""

    def __init__(self, database_url: str, data_dir: Path, log: Path) -> None:
        self.env = {
            **os.environ,
            "TERBUKA_DATABASE_URL": database_url,
            "TERBUKA_DATA_DIR": str(data_dir),
            "TERBUKA_RATE_LIMIT_PER_MINUTE": "0",
            "TERBUKA_RATE_LIMIT_WRITES_PER_MINUTE": "0",
        }
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*TERBUKA, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=Path(__file__).parents[2],
            )
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, self.log.read_text()[-2000:]
            time.sleep(0.1)

    def kill(self) -> int:
        assert self.process is not None
        pid = self.process.pid
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        return pid


@pytest.fixture
def server(catalogue: Catalogue, database_url: str, data_dir: Path, tmp_path: Path) -> Iterator[Server]:
    running = Server(database_url, data_dir, tmp_path / "server.log")
    running.start()
    yield running
    if running.process is not None and running.process.poll() is None:
        running.kill()


def slow_body(size: int, stop_after: int, killed: threading.Event) -> Iterator[bytes]:
    yield b'--batas\r\nContent-Disposition: form-data; name="files"; filename="besar.csv"\r\n'
    yield b"Content-Type: text/csv\r\n\r\nkecamatan,jumlah\r\n"
    sent = 0
    while sent < size:
        chunk = b"Pontianak Selatan,12345\r\n" * 4000
        sent += len(chunk)
        if sent > stop_after:
            killed.wait(10)
        yield chunk
    yield b"\r\n--batas--\r\n"


def assert_whole(session: Session, data_dir: Path, dead_pid: int) -> None:
    deadline = time.monotonic() + 30  # the restarted server applies what the killed one left in the outbox
    while session.exec(select(func.count()).where(col(SearchOutbox.processed).is_(None))).one():
        assert time.monotonic() < deadline, "the restarted server did not apply the pending index changes"
        time.sleep(0.2)
        session.expire_all()
    session.expire_all()
    assert not (file_store().scratch_root / scratch_name(dead_pid)).exists(), "the dead server's scratch is left"
    found = examine(session)
    assert [f"{f.check}: {f.message}" for f in found.findings] == []


def test_a_server_killed_during_an_upload_leaves_nothing_behind(
    server: Server, catalogue: Catalogue, session: Session, data_dir: Path
) -> None:
    killed = threading.Event()
    errors: list[Exception] = []

    def upload() -> None:
        try:
            httpx.post(
                f"{server.url}/api/v1/datasets/dinkes-puskesmas/releases",
                headers={**catalogue.dinkes.headers, "Content-Type": "multipart/form-data; boundary=batas"},
                content=slow_body(40_000_000, 8_000_000, killed),
                timeout=60,
            )
        except httpx.TransportError as exc:
            errors.append(exc)

    sender = threading.Thread(target=upload)
    sender.start()
    time.sleep(1.5)
    dead = server.kill()
    killed.set()
    sender.join(timeout=60)
    assert errors, "the upload should have been cut off"

    server.start()  # the next process sweeps what the killed one left
    assert session.exec(select(Release)).all() == []  # no half-made release
    assert_whole(session, data_dir, dead)


def test_a_server_killed_while_publishing_leaves_a_consistent_catalogue(
    server: Server, catalogue: Catalogue, session: Session, data_dir: Path
) -> None:
    for delay in (0.0, 0.05, 0.2):
        release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
        assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200

        def approve(number: int = release["id"]) -> None:
            with contextlib.suppress(httpx.TransportError):
                httpx.post(
                    f"{server.url}/api/v1/releases/{number}/approve", headers=catalogue.walidata.headers, timeout=30
                )

        caller = threading.Thread(target=approve)
        caller.start()
        time.sleep(delay)
        dead = server.kill()
        caller.join(timeout=30)
        server.start()

        session.expire_all()
        state = session.get(Release, release["id"])
        assert state is not None and state.state in (ReleaseState.submitted, ReleaseState.published)
        approvals = catalogue.client.get(
            "/api/v1/datasets/dinkes-puskesmas/activity", headers=catalogue.walidata.headers
        ).json()["items"]
        approved = [e for e in approvals if e["action"] == "release.approve" and e["object_id"] == release["id"]]
        assert len(approved) == (1 if state.state == ReleaseState.published else 0)
        if state.state == ReleaseState.submitted:  # never happened: the walidata simply approves again
            assert catalogue.act(catalogue.walidata, release["id"], "approve").status_code == 200
        assert_whole(session, data_dir, dead)


def test_scratch_of_a_live_process_is_kept_and_of_a_dead_one_swept(
    database_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", os.environ.get("TMPDIR", "/tmp"))  # restored after: claiming changes the process's
    monkeypatch.setattr(tempfile, "tempdir", tempfile.tempdir)
    store = file_store()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = store.scratch_root / scratch_name(int(finished.stdout))
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    alive = store.scratch_root / scratch_name(sleeper.pid)
    try:
        for folder in (dead, alive):
            folder.mkdir(parents=True)
            (folder / "upload-x").write_bytes(b"x")
        store.claim_scratch()
        assert not dead.exists() and alive.exists()
        assert store.tmp.is_dir() and os.environ["TMPDIR"] == str(store.tmp)
    finally:
        sleeper.kill()
        sleeper.wait()
