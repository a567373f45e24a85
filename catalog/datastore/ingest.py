"""Loading published releases into the datastore: what the worker runs after publication.

Idempotent: a resource is loaded once (its ``DatastoreTable`` row, unique per resource, is the claim,
so two workers never load the same file), a resource already loaded from the same stored file is not
loaded again, and a failure is recorded rather than retried in a loop (``terbuka datastore load
--resource N`` loads it again). Only tabular resources that passed validation are loaded; the others
get a ``skipped`` row saying why. Data of withdrawn releases is deleted from the datastore.

A load interrupted by the end of its process (``kill -9``, out of memory, a reboot) is taken up again:
the loading process marks each resource it claims in its own scratch folder (``DATA_DIR/tmp/HOST-PID``)
before the claim commits and removes the mark once the outcome is committed. A ``loading`` row whose
mark is gone, or whose marking process is known to have ended, is removed with its half-written file
by the next round of any worker (or ``terbuka datastore load``), and the resource is loaded again.
A table is marked ``ready`` only after its Parquet file is complete and renamed into place, so a reader
never sees half a table. A mark made on another host cannot be judged from here by its process: its
loader touches it every ``HEARTBEAT_SECONDS``, and a mark left untouched for ``STALE_AFTER`` counts as gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalog.datastore.engine import parquet_path
from catalog.datastore.load import load_table
from catalog.datastore.tables import READY
from catalog.db import session_scope
from catalog.models import DatastoreTable, Release, ReleaseState, Resource, utcnow
from catalog.services.files import TABULAR_FORMATS, file_store
from catalog.storage import owner_is_gone

log = logging.getLogger("terbuka.datastore")
LOADABLE_FORMATS = {"CSV", "TSV", "XLSX"}
LOADING = "loading"
WITHDRAWN = "withdrawn"
Progress = Callable[[int, float], None]


# A loader marks each resource it loads with a file in its scratch folder. On this host a mark whose process
# has ended is seen at once; a mark of another host's process (one data folder shared by several hosts)
# counts while it is younger than STALE_AFTER, and a living loader touches its marks every HEARTBEAT_SECONDS.
HEARTBEAT_SECONDS = 30.0
STALE_AFTER = 300.0
_heartbeat: threading.Thread | None = None
_heartbeat_lock = threading.Lock()


def pending_resources(session: Session) -> list[Resource]:
    """Stored tabular resources of published releases that have no datastore row yet."""
    loaded = select(DatastoreTable.resource_id)
    query = (
        select(Resource)
        .join(Release, col(Release.id) == Resource.release_id)
        .where(
            Release.state == ReleaseState.published,
            col(Resource.sha256).is_not(None),
            col(Resource.format).in_(sorted(TABULAR_FORMATS)),
            col(Resource.id).not_in(loaded),
        )
        .order_by(col(Resource.id))
    )
    return list(session.exec(query).all())


def _skip_reason(resource: Resource) -> str | None:
    if resource.format not in LOADABLE_FORMATS:
        return f"{resource.format} files are not loaded into the datastore"
    if resource.validation_valid is not True:
        return "the file did not pass validation"
    return None


def _mark(resource_id: int) -> Path:
    """This process's mark on a resource it loads, in its scratch folder (swept once the process is gone)."""
    return file_store().tmp / f"datastore-{resource_id}.loading"


def _loader_alive(resource_id: int) -> bool:
    """Whether a process not known to have ended holds the mark of the resource's load. A process of
    another host cannot be asked: its mark counts while its heartbeat keeps it younger than ``STALE_AFTER``."""
    now = time.time()
    for mark in file_store().scratch_root.glob(f"*/datastore-{resource_id}.loading"):
        try:
            fresh = now - mark.stat().st_mtime < STALE_AFTER
        except FileNotFoundError:  # released meanwhile
            continue
        if fresh and not owner_is_gone(mark.parent):
            return True
    return False


def _beat() -> None:
    while True:
        time.sleep(HEARTBEAT_SECONDS)
        for mark in file_store().tmp.glob("datastore-*.loading"):
            with contextlib.suppress(OSError):  # released meanwhile: not made again
                os.utime(mark)


def _keep_marks_fresh() -> None:
    """Touch this process's marks every ``HEARTBEAT_SECONDS`` for as long as it lives (one thread)."""
    global _heartbeat
    with _heartbeat_lock:
        if _heartbeat is None or not _heartbeat.is_alive():
            _heartbeat = threading.Thread(target=_beat, name="datastore-heartbeat", daemon=True)
            _heartbeat.start()


def release_mark(resource_id: int) -> None:
    _mark(resource_id).unlink(missing_ok=True)


def recover_interrupted(session: Session) -> list[int]:
    """Remove the ``loading`` rows (and half-written files) of loads whose process ended without finishing,
    so that their resources are pending again; returns their resource ids. Flushes only."""
    stale = [
        table
        for table in session.exec(select(DatastoreTable).where(DatastoreTable.status == LOADING)).all()
        if not _loader_alive(table.resource_id)
    ]
    for table in stale:
        log.warning("datastore: the load of resource %d was interrupted; it is loaded again", table.resource_id)
        target = parquet_path(table.resource_id)
        target.with_name(target.name + ".partial").unlink(missing_ok=True)
        session.delete(table)
    session.flush()
    return [table.resource_id for table in stale]


def claim(session: Session, resource: Resource) -> DatastoreTable | None:
    """The resource's datastore row, new (``loading``, or ``skipped`` with its reason); None if another
    worker claimed it first. Flushes only; a ``loading`` claim is marked as this process's (``release_mark``
    once its outcome is committed)."""
    reason = _skip_reason(resource)
    table = DatastoreTable(
        resource_id=resource.id or 0,
        release_id=resource.release_id,
        dataset_id=resource.release.dataset_id,
        status="skipped" if reason else LOADING,
        source_sha256=resource.sha256,
        error=reason,
    )
    if reason is None:  # marked before the claim commits: a loading row always has its loader's mark
        _mark(table.resource_id).parent.mkdir(parents=True, exist_ok=True)
        _mark(table.resource_id).touch()
        _keep_marks_fresh()
    try:
        with session.begin_nested():
            session.add(table)
    except IntegrityError:
        release_mark(table.resource_id)
        return None
    return table


def load(session: Session, table: DatastoreTable, *, progress: Callable[[float], None] | None = None) -> None:
    """Load a claimed resource's file into its Parquet table and record the outcome (flushes only)."""
    resource = session.get(Resource, table.resource_id)
    if resource is None or resource.sha256 is None:
        table.status, table.error = "failed", "the resource or its stored file is gone"
        session.add(table)
        session.flush()
        return
    try:
        loaded = load_table(
            file_store().open(resource.sha256),
            parquet_path(table.resource_id),
            format=resource.format,
            schema_ref=resource.table_schema or resource.schema_ref,
            progress=progress,
        )
    except Exception as exc:  # a file the datastore cannot type is recorded, never fatal to the worker
        log.exception("datastore: resource %d failed to load", table.resource_id)
        table.status, table.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
    else:
        table.status, table.error = READY, None
        table.rows, table.fields = loaded.rows, [c.describe() for c in loaded.columns]
        table.source_sha256, table.progress = resource.sha256, 1.0
    table.finished = utcnow()
    session.add(table)
    session.flush()


def _record_progress(table_id: int) -> Callable[[float], None]:
    """Progress written in a transaction of its own, so that the API shows it while the load runs."""

    def record(done: float) -> None:
        with session_scope() as session:
            row = session.get(DatastoreTable, table_id)
            if row is not None:
                row.progress = done
                session.add(row)

    return record


def load_resource(resource_id: int, *, force: bool = False) -> DatastoreTable | None:
    """Load one resource now (the CLI, the worker); with ``force`` again even when loaded; an interrupted
    load is taken up without it. Commits."""
    with session_scope() as session:
        resource = session.get(Resource, resource_id)
        if resource is None:
            return None
        recover_interrupted(session)
        existing = session.exec(select(DatastoreTable).where(DatastoreTable.resource_id == resource_id)).first()
        if existing is not None and not force:
            return existing
        if existing is not None:
            session.delete(existing)
            session.flush()
        table = claim(session, resource)
    if table is None or table.status != LOADING:
        return table
    try:
        with session_scope() as session:
            claimed = session.get(DatastoreTable, table.id)
            assert claimed is not None
            load(session, claimed, progress=_record_progress(claimed.id or 0))
    finally:
        release_mark(resource_id)  # after the outcome is committed (or not: then the row is taken up again)
    return claimed


def ingest_pending(*, progress: Progress | None = None) -> int:
    """Take up interrupted loads, then load every published resource not loaded yet, one transaction each;
    returns how many were loaded."""
    with session_scope() as session:
        recover_interrupted(session)
        claimed = [table for r in pending_resources(session) if (table := claim(session, r)) is not None]
    loaded = 0
    for table in claimed:
        if table.status != LOADING:
            continue
        table_id = table.id or 0
        record = _record_progress(table_id)

        def report(done: float, table_id: int = table_id, record: Callable[[float], None] = record) -> None:
            record(done)
            if progress:
                progress(table_id, done)

        try:
            with session_scope() as session:
                row = session.get(DatastoreTable, table_id)
                assert row is not None
                load(session, row, progress=report)
                loaded += row.status == READY
        finally:
            release_mark(table.resource_id)
    return loaded


def drop_withdrawn(session: Session) -> int:
    """Delete the Parquet files of withdrawn releases (queries refuse them already). Flushes only."""
    rows = session.exec(
        select(DatastoreTable)
        .join(Release, col(Release.id) == DatastoreTable.release_id)
        .where(Release.state == ReleaseState.withdrawn, DatastoreTable.status == READY)
    ).all()
    for table in rows:
        parquet_path(table.resource_id).unlink(missing_ok=True)
        table.status = WITHDRAWN
        session.add(table)
    session.flush()
    return len(rows)
