"""Harvests in the background: the huey worker, schedules, one running job per source, crash recovery."""

import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from huey.storage import RedisStorage, SqliteStorage
from sqlmodel import Session, select

from catalog import db, settings
from catalog.errors import Conflict, Invalid
from catalog.models import Dataset, HarvestJob, Organization
from harvesters import sources, tasks
from tests.harvesters.ckan_portal import CkanPortal


@pytest.fixture
def portal(database_url: str) -> Iterator[CkanPortal]:
    settings.get_settings().harvest_allowed_hosts = "127.0.0.0/8"
    portal = CkanPortal().start()
    portal.files = {"/files/pasar.csv": b"nama_pasar,kecamatan\nPasar Flamboyan,Pontianak Kota\n"}
    portal.add(
        "daftar-pasar",
        "2025-01-01T00:00:00",
        title="Daftar Pasar Tradisional",
        resources=[{"name": "pasar", "format": "CSV", "url": f"{portal.url}/files/pasar.csv"}],
    )
    yield portal
    portal.stop()


@pytest.fixture
def source_id(portal: CkanPortal, session: Session) -> int:
    session.add(Organization(slug="disperindag", name="Dinas Perdagangan"))
    session.commit()
    return (
        sources.add_source(session, organization="disperindag", type="ckan", url=portal.url, schedule="daily").id or 0
    )


REDIS_URL = os.environ.get("TERBUKA_TEST_REDIS_URL")


@pytest.mark.parametrize(
    "queue",
    [
        "sqlite",
        pytest.param(
            "redis",
            marks=pytest.mark.skipif(
                not REDIS_URL, reason="set TERBUKA_TEST_REDIS_URL (as .ci/run does) to run the worker on Redis"
            ),
        ),
    ],
)
def test_a_real_worker_runs_a_queued_job(
    queue: str, source_id: int, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks.huey.immediate = False
    name = f"terbuka-test-{uuid.uuid4().hex}"
    storage = (
        SqliteStorage(name, filename=str(tmp_path / "q.db")) if queue == "sqlite" else RedisStorage(name, url=REDIS_URL)
    )
    monkeypatch.setattr(tasks.huey, "storage", storage)
    consumer = tasks.huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        job = tasks.enqueue(sources.queue_run(session, source_id=source_id))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            session.expire_all()
            if session.get(HarvestJob, job.id).status in ("finished", "failed"):  # type: ignore[union-attr]
                break
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)
        if queue == "redis":
            storage.flush_all()
    done = session.get(HarvestJob, job.id)
    assert done is not None and done.status == "finished", done
    assert done.counts["created"] == 1 and done.heartbeat is not None
    assert session.exec(select(Dataset.slug)).all() == ["daftar-pasar"]


def test_only_one_job_per_source_runs_at_once(source_id: int, session: Session) -> None:
    first = sources.queue_run(session, source_id=source_id)
    second = sources.queue_run(session, source_id=source_id)
    outcomes: dict[int, bool] = {}

    def claim(job_id: int) -> None:
        with Session(db.get_engine()) as own:
            job = own.get(HarvestJob, job_id)
            assert job is not None
            outcomes[job_id] = sources.claim(own, job)

    threads = [threading.Thread(target=claim, args=(job.id,)) for job in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == [False, True]
    with pytest.raises(Conflict) as busy:
        sources.run_source(session, source_id=source_id)
    assert busy.value.code == "source_busy"
    waiting = next(job_id for job_id, won in outcomes.items() if not won)
    session.expire_all()
    assert session.get(HarvestJob, waiting).status == "queued"  # type: ignore[union-attr]  # it waits, not lost


def test_a_job_whose_worker_died_is_failed_and_retried(source_id: int, session: Session) -> None:
    job = sources.queue_run(session, source_id=source_id)
    assert sources.claim(session, job)
    assert sources.recover(session) == []  # fresh heartbeat: still running
    later = datetime.now(UTC) + sources.STALE_AFTER + timedelta(minutes=1)
    retries = sources.recover(session, now=later)
    session.refresh(job)
    assert job.status == "failed" and "stopped responding" in (job.error or "")
    assert [(r.status, r.attempt) for r in retries] == [("queued", 2)]
    ran = sources.run_job(session, job_id=retries[0].id or 0)
    assert ran.status == "finished" and ran.counts["created"] == 1


def test_schedules_queue_due_sources_once_per_slot(source_id: int, session: Session) -> None:
    daily_slot = datetime(2026, 3, 2, 19, 0, tzinfo=UTC)  # 02:00 in Pontianak (WIB, UTC+7)
    assert [s.id for s in sources.due_sources(session, now=daily_slot)] == [source_id]
    assert sources.due_sources(session, now=daily_slot + timedelta(hours=1)) == []
    tasks.tick.call_local()  # the worker's minute tick: nothing due now, nothing queued
    job = sources.queue_run(session, source_id=source_id)
    assert sources.due_sources(session, now=daily_slot) == []  # a job is already queued
    sources.run_job(session, job_id=job.id or 0)
    assert sources.due_sources(session, now=daily_slot) == []  # the slot's job already started
    with pytest.raises(Invalid) as bad:
        sources.add_source(session, organization="disperindag", type="ckan", url="http://x", schedule="tiap hari")
    assert bad.value.code == "invalid_schedule"
    assert sources.schedule_check("30 2 * * 1")(datetime(2026, 3, 2, 2, 30))  # a Monday, local time


def test_a_crashing_harvest_frees_its_source_and_is_retried(
    source_id: int, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harvesters.ckan import CkanHarvester

    def broken(self: CkanHarvester) -> None:
        raise RuntimeError("bug in a harvester")

    monkeypatch.setattr(CkanHarvester, "gather", broken)
    with pytest.raises(RuntimeError):
        sources.run_source(session, source_id=source_id)  # run here: the error surfaces, the source is freed
    first = tasks.enqueue(sources.queue_run(session, source_id=source_id))  # the test queue runs it at once
    session.expire_all()
    jobs = session.exec(select(HarvestJob).where(HarvestJob.id >= (first.id or 0)).order_by(HarvestJob.id)).all()
    assert [(j.attempt, j.status) for j in jobs] == [(1, "failed"), (2, "failed"), (3, "failed")]
    assert all(j.error == "crashed: RuntimeError('bug in a harvester')" for j in jobs)
    monkeypatch.undo()
    assert sources.run_source(session, source_id=source_id).status == "finished"
