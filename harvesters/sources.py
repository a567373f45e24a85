"""Harvest sources and their runs: what the CLI, the API and the worker call."""

from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import import_module
from importlib.metadata import entry_points
from typing import Any, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from huey import crontab
from sqlalchemy import CursorResult, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalog import permissions
from catalog.errors import Conflict, Invalid, NotFound
from catalog.models import HarvestItem, HarvestJob, HarvestSource, Organization, User, utcnow
from catalog.services import activity
from catalog.services.links import AllowList, literal_address, public_address, url_port
from catalog.services.organizations import get_organization
from catalog.settings import get_settings
from harvesters.base import Harvester
from harvesters.datapackage import local_path
from harvesters.history import job_items
from harvesters.http import FetchError
from harvesters.portal import PORTAL, PortalSettings, check_settings, settings_of
from harvesters.processes import owner_gone, process_owner
from harvesters.run import HarvestRun

STALE_AFTER = timedelta(minutes=15)  # a running job of another host without a heartbeat this long has lost its worker
MAX_ATTEMPTS = 3
SCHEDULES = {"hourly": "0 * * * *", "daily": "0 2 * * *", "weekly": "0 2 * * 1", "monthly": "0 2 1 * *"}
BUILT_IN = {
    "ckan": "harvesters.ckan:CkanHarvester",
    "dcat": "harvesters.dcat:DcatHarvester",
    "datapackage": "harvesters.datapackage:DataPackageHarvester",
    "files": "harvesters.files:FileDropHarvester",
}


def harvester_types() -> dict[str, str]:
    """Built-in harvesters plus any a city registers under the `terbuka.harvesters` entry point."""
    found = dict(BUILT_IN)
    for entry in entry_points(group="terbuka.harvesters"):
        found[entry.name] = entry.value
    return found


def harvester_class(kind: str) -> type[Harvester]:
    module, _, name = harvester_types()[kind].partition(":")
    found: type[Harvester] = getattr(import_module(module), name)
    return found


def check_source_url(kind: str, url: str) -> str:
    """The address a source of this type will read, when it can be read: http(s) with a host (not a
    non-public address unless TERBUKA_HARVEST_ALLOWED_HOSTS allows it) or, for a type that reads folders, a
    file:// URL or absolute path under TERBUKA_HARVEST_LOCAL_ROOTS. Raises Invalid saying what is accepted."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = url_port(url)
        allowed = AllowList.parse(get_settings().harvest_allowed_hosts)
    except ValueError as exc:
        raise Invalid(f"source URL {url!r}: {exc}", code="invalid_source_url") from exc
    reads_folders = harvester_class(kind).reads_local_paths
    accepted = "an http(s) URL" + (", a file:// URL or an absolute path on this server" if reads_folders else "")
    if parts.scheme in ("http", "https"):
        host = (parts.hostname or "").lower().rstrip(".")
        address = literal_address(host)
        if not host:
            raise Invalid(f"source URL {url!r} has no host; a {kind} source is {accepted}", code="invalid_source_url")
        if allowed.allows_name(host, port) or (address is not None and allowed.allows_address(address, port)):
            return url
        if host in ("localhost", "localhost.") or (address is not None and not public_address(address)):
            raise Invalid(
                f"source URL {url!r}: {host} is not a public address; "
                "allow it in TERBUKA_HARVEST_ALLOWED_HOSTS if it is an OPD server",
                code="invalid_source_url",
            )
        return url
    if not reads_folders or parts.scheme not in ("", "file") or not (parts.scheme or url.startswith("/")):
        raise Invalid(f"source URL {url!r}: a {kind} source is {accepted}", code="invalid_source_url")
    try:
        local_path(url)
    except FetchError as exc:
        raise Invalid(str(exc), code="invalid_source_url") from exc
    return url


def add_source(
    session: Session,
    *,
    organization: str,
    type: str,
    url: str,
    actor: User | None = None,
    publish: str = "review",
    on_removed: str = "flag",
    filters: dict[str, str] | None = None,
    default_schema: str | None = None,
    schedule: str | None = None,
    portal: PortalSettings | None = None,
) -> HarvestSource:
    if type not in harvester_types():
        raise Invalid(
            f"unknown source type {type!r}; known: {', '.join(sorted(harvester_types()))}", code="unknown_source_type"
        )
    url = check_source_url(type, url)
    if publish not in ("auto", "review") or on_removed not in ("flag", "withdraw"):
        raise Invalid("publish is auto or review; on_removed is flag or withdraw", code="invalid_source")
    if schedule:
        schedule_check(schedule)
    owner = get_organization(session, slug=organization)
    _check_portal(session, type, portal)
    permissions.require_harvest_into(
        actor, owner, whole_portal=portal is not None, create=portal is not None and portal.create_orgs
    )
    if PORTAL in (filters or {}):
        raise Invalid(f"{PORTAL!r} is no filter: give the portal settings", code="invalid_source")
    source = HarvestSource(
        organization_id=owner.id or 0,
        type=type,
        url=url,
        publish=publish,
        on_removed=on_removed,
        filters={**(filters or {}), **({PORTAL: portal.model_dump()} if portal else {})},
        default_schema=default_schema,
        schedule=schedule or None,
    )
    session.add(source)
    session.flush()
    activity.record(
        session,
        actor=actor,
        action="harvest_source.create",
        object_type="harvest_source",
        object_id=source.id,
        detail={
            "organization": organization,
            "type": type,
            "url": url,
            **({PORTAL: portal.model_dump()} if portal else {}),
        },
    )
    return source


def _check_portal(session: Session, kind: str, portal: PortalSettings | None) -> None:
    if portal is None:
        return
    if not harvester_class(kind).places_organizations:
        raise Invalid(
            f"a {kind} source names no organizations, so it cannot cover a whole portal", code="invalid_source"
        )
    check_settings(session, portal)


def set_portal(
    session: Session, *, source_id: int, portal: PortalSettings | None, actor: User | None = None
) -> HarvestSource:
    """Make a source cover a whole portal with these settings (keeping what its runs placed), or with None
    file everything under its OPD again."""
    source = get_source(session, source_id=source_id)
    owner = session.get(Organization, source.organization_id)
    assert owner is not None
    _check_portal(session, source.type, portal)
    permissions.require_harvest_into(
        actor, owner, whole_portal=portal is not None, create=portal is not None and portal.create_orgs
    )
    filters = {k: v for k, v in source.filters.items() if k != PORTAL}
    if portal is not None:
        placed = source.filters.get(PORTAL, {}).get("placed", {})
        filters[PORTAL] = {**portal.model_dump(), "placed": placed}
    source.filters = filters
    session.add(source)
    activity.record(
        session,
        actor=actor,
        action="harvest_source.update",
        object_type="harvest_source",
        object_id=source.id,
        detail={PORTAL: portal.model_dump() if portal else None},
    )
    session.flush()
    return source


def portal_settings(session: Session, *, source_id: int) -> PortalSettings | None:
    return settings_of(get_source(session, source_id=source_id))


def get_source(session: Session, *, source_id: int) -> HarvestSource:
    source = session.get(HarvestSource, source_id)
    if source is None:
        raise NotFound(f"no harvest source {source_id}", code="source_not_found")
    return source


def list_sources(session: Session) -> list[HarvestSource]:
    return list(session.exec(select(HarvestSource).order_by(col(HarvestSource.id))).all())


def queue_run(session: Session, *, source_id: int, attempt: int = 1) -> HarvestJob:
    """A queued job for the worker (or for run_job in this process), committed at once: the job queue's
    hand-over point, since the worker reads the job from another connection."""
    get_source(session, source_id=source_id)
    job = HarvestJob(source_id=source_id, status="queued", attempt=attempt)
    session.add(job)
    session.commit()
    return job


def claim(session: Session, job: HarvestJob) -> bool:
    """queued → running, owned by this process. False when another job of the same source is running: the
    partial unique index on running jobs is the per-source lock, so it holds across workers on several
    machines. A running job whose process is known to be gone is failed first, so its source is free at once."""
    for _ in range(2):
        now = utcnow()
        try:
            result = session.execute(
                update(HarvestJob)
                .where(col(HarvestJob.id) == job.id, col(HarvestJob.status) == "queued")
                .values(status="running", started=now, heartbeat=now, owner=process_owner())
            )
            claimed = cast(CursorResult[Any], result).rowcount
            session.commit()
        except IntegrityError:
            session.rollback()
            if fail_abandoned(session, source_id=job.source_id):
                continue
            return False
        session.refresh(job)
        return bool(claimed)
    return False


def _abandoned(job: HarvestJob, now: datetime) -> str | None:
    """Why a running job has lost its process, or None while it may still be running."""
    if owner_gone(job.owner):
        host, pid, *_ = (job.owner or "").split()
        return f"its process ({pid} on {host}) ended without finishing the job"
    last = job.heartbeat or job.started
    if now - last >= STALE_AFTER:
        return f"the worker stopped responding (last heartbeat {last:%Y-%m-%d %H:%M:%S} UTC)"
    return None


def fail_abandoned(session: Session, *, source_id: int | None = None, now: datetime | None = None) -> list[HarvestJob]:
    """Fail the running jobs (of one source, or all) whose process is gone or silent; returns them."""
    now = now or utcnow()
    query = select(HarvestJob).where(HarvestJob.status == "running")
    if source_id is not None:
        query = query.where(HarvestJob.source_id == source_id)
    failed = []
    for job in session.exec(query).all():
        reason = _abandoned(job, now)
        if reason is None:
            continue
        job.status, job.finished, job.error = "failed", now, reason
        session.add(job)
        failed.append(job)
    session.commit()
    return failed


def run_job(session: Session, *, job_id: int, progress: Callable[[int, int], None] | None = None) -> HarvestJob:
    """Run a queued job here; raises Conflict while another job of its source runs."""
    job = get_job(session, job_id=job_id)
    if job.status == "queued" and not claim(session, job):
        raise Conflict(
            f"source {job.source_id} is being harvested by another job; job {job_id} stays queued", code="source_busy"
        )
    if job.status != "running":
        return job
    source = get_source(session, source_id=job.source_id)
    return HarvestRun(session, job, harvester_class(source.type), progress).run()


def run_source(session: Session, *, source_id: int, progress: Callable[[int, int], None] | None = None) -> HarvestJob:
    """Harvest a source now, in this process."""
    job = queue_run(session, source_id=source_id)
    try:
        return run_job(session, job_id=job.id or 0, progress=progress)
    except Conflict:
        job.status, job.error, job.finished = "failed", "not started: another job of this source is running", utcnow()
        session.add(job)
        session.commit()
        raise


def recover(session: Session, *, now: datetime | None = None) -> list[HarvestJob]:
    """Jobs whose process is gone or silent: mark them failed and queue a retry, up to MAX_ATTEMPTS. Returns
    the retries."""
    return [
        queue_run(session, source_id=job.source_id, attempt=job.attempt + 1)
        for job in fail_abandoned(session, now=now)
        if job.attempt < MAX_ATTEMPTS
    ]


def schedule_check(schedule: str) -> Callable[[datetime], bool]:
    """A crontab line (minute hour day month weekday) or hourly/daily/weekly/monthly, as a test on a minute."""
    line = SCHEDULES.get(schedule.strip().lower(), schedule)
    fields = line.split()
    if len(fields) != 5:
        raise Invalid(
            f"schedule {schedule!r}: use hourly, daily, weekly, monthly or a crontab line like '30 2 * * 1'",
            code="invalid_schedule",
        )
    try:
        check: Callable[[datetime], bool] = crontab(*fields)
        check(datetime(2026, 1, 1))
    except (ValueError, TypeError) as exc:
        raise Invalid(f"schedule {schedule!r}: {exc}", code="invalid_schedule") from exc
    return check


def due_sources(session: Session, *, now: datetime | None = None) -> list[HarvestSource]:
    """Sources whose schedule falls on this minute (local time) and that have no job yet for it."""
    now = now or utcnow()
    local = now.astimezone(ZoneInfo(get_settings().timezone)).replace(tzinfo=None)
    minute = now.replace(second=0, microsecond=0)
    due = []
    for source in session.exec(select(HarvestSource).where(col(HarvestSource.schedule).is_not(None))).all():
        if not schedule_check(source.schedule or "")(local):
            continue
        busy = session.exec(
            select(HarvestJob.id).where(
                HarvestJob.source_id == source.id,
                or_(col(HarvestJob.status).in_(["queued", "running"]), col(HarvestJob.started) >= minute),
            )
        ).first()
        if busy is None:
            due.append(source)
    return due


def get_job(session: Session, *, job_id: int) -> HarvestJob:
    job = session.get(HarvestJob, job_id)
    if job is None:
        raise NotFound(f"no harvest job {job_id}", code="job_not_found")
    return job


def list_items(
    session: Session,
    *,
    source_id: int,
    status: str | None = None,
    job_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[HarvestItem]:
    """A source's harvest items with their remote ids and messages; with a job, the items that had errors or
    warnings in that job, each with the status and errors it had then (whatever later jobs found)."""
    get_source(session, source_id=source_id)
    if job_id is not None:
        if get_job(session, job_id=job_id).source_id != source_id:
            return []
        return job_items(session, source_id=source_id, job_id=job_id, status=status, limit=limit, offset=offset)
    query = select(HarvestItem).where(HarvestItem.source_id == source_id)
    if status is not None:
        query = query.where(HarvestItem.status == status)
    return list(session.exec(query.order_by(col(HarvestItem.remote_id)).offset(offset).limit(limit)).all())


def list_jobs(session: Session, *, source_id: int | None = None, limit: int = 20) -> list[HarvestJob]:
    query = select(HarvestJob).order_by(col(HarvestJob.id).desc()).limit(limit)
    if source_id is not None:
        query = query.where(HarvestJob.source_id == source_id)
    return list(session.exec(query).all())
