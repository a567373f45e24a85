"""Harvest jobs in the background, on huey: SQLite storage by default (no server), Redis with TERBUKA_REDIS_URL.

Every minute the worker queues the sources whose schedule is due and recovers jobs whose worker died.
Two workers never harvest the same source at once: claiming a job goes through the database's
one-running-job-per-source index, whatever the queue.
"""

import logging

from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlmodel import Session

from catalog.db import get_engine
from catalog.errors import Conflict
from catalog.models import HarvestJob
from catalog.settings import get_settings
from harvesters import sources

log = logging.getLogger("terbuka.harvest")
BUSY_RETRY_SECONDS = 60


def _huey() -> Huey:
    settings = get_settings()
    if settings.redis_url:
        return RedisHuey("terbuka", url=settings.redis_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("terbuka", filename=str(settings.data_dir / "queue.db"))


huey = _huey()


@huey.task(retries=30, retry_delay=BUSY_RETRY_SECONDS)
def harvest(job_id: int) -> str:
    """Run a queued job; while its source is busy the task is retried later (the job stays queued)."""
    # The job's records stay loaded across its many batch commits instead of being read again after each.
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            job = sources.run_job(session, job_id=job_id)
        except Conflict:
            log.info("harvest job %d waits: its source is busy", job_id)
            raise
        except Exception:
            log.exception("harvest job %d crashed", job_id)
            session.rollback()
            failed = session.get(HarvestJob, job_id)
            if failed is not None and failed.attempt < sources.MAX_ATTEMPTS:
                enqueue(sources.queue_run(session, source_id=failed.source_id, attempt=failed.attempt + 1))
            return "crashed"
        log.info("harvest job %d %s: %s", job.id, job.status, job.counts)
        return job.status


def enqueue(job: HarvestJob) -> HarvestJob:
    harvest(job.id or 0)
    return job


@huey.periodic_task(crontab(minute="*"))
def tick() -> None:
    """Queue what is due and retry what was lost."""
    with Session(get_engine()) as session:
        for retry in sources.recover(session):
            log.warning("harvest job of source %d lost its worker; retry %d queued", retry.source_id, retry.attempt)
            enqueue(retry)
        for source in sources.due_sources(session):
            enqueue(sources.queue_run(session, source_id=source.id or 0))
