"""`kill -9` of the worker in the middle of a datastore load: after a restart the table is loaded whole, or
not at all and then again, never half-loaded and called ready; a stale ``loading`` row needs no --force."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from catalog.datastore.engine import parquet_path
from catalog.datastore.ingest import load_resource
from catalog.models import DatastoreTable, Release
from catalog.services.files import file_store
from catalog.services.integrity import examine
from catalog.storage import scratch_name
from tests.catalog.conftest import Catalogue
from tests.datastore.conftest import DBD_CSV, publish

ROWS = 12  # the rows of DBD_CSV

# The worker, started as `terbuka worker` is, with one change: when the load it runs reports reaching
# PAUSE_AT, it writes the flag file and stops there, so that the test kills it at that exact point
# (a real load of a small table is over before a test could aim a signal at it).
PAUSED_WORKER = """
import sys, time
from pathlib import Path
import catalog.datastore.ingest as ingest
pause_at, flag = float(sys.argv[1]), Path(sys.argv[2])
recorder = ingest._record_progress
def paused(table_id):
    record = recorder(table_id)
    def report(done):
        record(done)
        if done >= pause_at:
            flag.write_text(str(done))
            time.sleep(600)
    return report
ingest._record_progress = paused
from catalog.cli import app
app(["worker", "--poll", "0.2"], prog_name="terbuka")
"""
WORKER = "from catalog.cli import app; app(['worker', '--poll', '0.2'], prog_name='terbuka')"


def start(code: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", code, *args],
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).parents[2],
        )


def table_of(session: Session, resource_id: int) -> DatastoreTable | None:
    session.expire_all()
    return session.exec(select(DatastoreTable).where(DatastoreTable.resource_id == resource_id)).first()


def wait_for(condition: object, what: str, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not callable(condition) or not condition():
        assert time.monotonic() < deadline, f"{what}; worker log:\n{log.read_text()[-3000:]}"
        time.sleep(0.1)


def rows_in(path: Path) -> int:
    import duckdb

    with duckdb.connect() as con:
        found = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
    return int(found[0]) if found else 0


@pytest.mark.parametrize(
    "pause_at",
    [
        0.6,  # the raw table read, the Parquet file not written yet
        1.0,  # the Parquet file complete and in place, the row not yet marked ready
    ],
)
def test_a_worker_killed_while_loading_leaves_no_half_table_and_the_next_one_loads_it(
    catalogue: Catalogue, session: Session, data_dir: Path, tmp_path: Path, pause_at: float
) -> None:
    resource_id = int(publish(catalogue)["resources"][0]["id"])
    log, flag = tmp_path / "worker.log", tmp_path / "paused"
    worker = start(PAUSED_WORKER, str(pause_at), str(flag), log=log)
    try:
        wait_for(flag.exists, "the worker never reached the point of the load where it is killed", log)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    interrupted = table_of(session, resource_id)
    assert interrupted is not None and interrupted.status == "loading"
    answer = catalogue.client.get(f"/api/v1/datastore/{resource_id}")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "datastore_not_ready", answer.text

    restarted = start(WORKER, log=log)
    try:
        wait_for(
            lambda: (table := table_of(session, resource_id)) is not None and table.status == "ready",
            "the restarted worker did not load the interrupted table again",
            log,
        )
        loaded = table_of(session, resource_id)
        assert loaded is not None and loaded.rows == ROWS and loaded.progress == 1.0
        assert rows_in(parquet_path(resource_id)) == ROWS
        assert not parquet_path(resource_id).with_name(f"{resource_id}.parquet.partial").exists()
        assert not (file_store().scratch_root / scratch_name(worker.pid)).exists(), "the dead worker's scratch is left"
        assert catalogue.client.get(f"/api/v1/datastore/{resource_id}").json()["total"] == ROWS
        assert [f"{f.check}: {f.message}" for f in examine(session).findings] == []
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=30)


def test_a_stale_loading_row_is_taken_up_without_force(catalogue: Catalogue, session: Session) -> None:
    """What `terbuka datastore load --resource N` (and any worker's next round) finds after a crash: a
    ``loading`` row no living process marks, and a half-written file beside the table's place."""
    release = publish(catalogue, content=DBD_CSV)
    resource = release["resources"][0]
    dataset_id = session.get(Release, release["id"]).dataset_id  # type: ignore[union-attr]
    session.add(
        DatastoreTable(resource_id=resource["id"], release_id=release["id"], dataset_id=dataset_id, status="loading")
    )
    session.commit()
    partial = parquet_path(resource["id"]).with_name(f"{resource['id']}.parquet.partial")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"PAR1 half")

    table = load_resource(resource["id"])

    assert table is not None and table.status == "ready" and table.rows == ROWS
    assert not partial.exists()
    assert rows_in(parquet_path(resource["id"])) == ROWS


def test_a_load_of_another_host_counts_while_its_heartbeat_is_fresh(
    catalogue: Catalogue, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One data folder shared by several hosts: a loader on another host cannot be asked whether it lives,
    so its mark counts while it is younger than STALE_AFTER, and a living loader keeps its own marks young."""
    from catalog.datastore import ingest

    release = publish(catalogue, content=DBD_CSV)
    resource_id = release["resources"][0]["id"]
    dataset_id = session.get(Release, release["id"]).dataset_id  # type: ignore[union-attr]
    session.add(
        DatastoreTable(resource_id=resource_id, release_id=release["id"], dataset_id=dataset_id, status="loading")
    )
    session.commit()
    mark = file_store().scratch_root / "other-host-4242" / f"datastore-{resource_id}.loading"
    mark.parent.mkdir(parents=True)
    mark.touch()

    assert load_resource(resource_id).status == "loading"  # type: ignore[union-attr]  # its loader's heartbeat is fresh
    old = time.time() - ingest.STALE_AFTER - 1
    os.utime(mark, (old, old))
    table = load_resource(resource_id)  # that host's loader stopped beating: the load is taken up here
    assert table is not None and table.status == "ready" and table.rows == ROWS

    monkeypatch.setattr(ingest, "HEARTBEAT_SECONDS", 0.05)
    monkeypatch.setattr(ingest, "_heartbeat", None)
    own = ingest._mark(resource_id)
    own.parent.mkdir(parents=True, exist_ok=True)
    own.touch()
    os.utime(own, (old, old))
    ingest._keep_marks_fresh()
    deadline = time.monotonic() + 5
    while own.stat().st_mtime <= old + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert time.time() - own.stat().st_mtime < ingest.STALE_AFTER  # this living process keeps its mark young
    ingest.release_mark(resource_id)
