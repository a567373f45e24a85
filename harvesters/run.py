"""The run engine: one harvest job over one source, gather → fetch → import.

Items whose change marker is the one imported before are counted unchanged without a fetch. The others
are fetched by a few threads (a harvester that cannot share itself between threads says so with
``concurrent_fetch = False``) and, in a large run, their files validated by a process per core, while
this thread writes what is ready in batches of ``BATCH`` items per transaction through the one import
path (`catalog.services.imports`). A batch the catalogue refuses is rolled back and written again through
the same path one item per transaction, so one bad item costs only itself. Each commit carries a
heartbeat; items gone from the source are flagged (and, per source setting, withdrawn), never deleted.
"""

import gc
import hashlib
import io
import os
import tempfile
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from catalog.errors import CatalogError
from catalog.models import (
    Dataset,
    DatasetCreate,
    HarvestItem,
    HarvestItemError,
    HarvestJob,
    HarvestSource,
    Organization,
    Role,
    User,
    utcnow,
)
from catalog.services import activity, datasets, imports, releases, search_index, users
from catalog.services.files import IncomingFile, file_store
from catalog.services.validation import PreparedFile, prepare_file
from catalog.settings import get_settings
from catalog.workflow import Action
from harvesters.base import (
    Harvester,
    ImportRefused,
    ItemFailed,
    ItemUnchanged,
    RemoteItem,
)
from harvesters.http import FetchError, SafeClient
from harvesters.portal import NotPlaced, Placer, placed_of, settings_of, with_placed
from harvesters.prepare import PreparedItem, prepare_item
from harvesters.processes import validation_pool

HARVESTER_ACCOUNT = "harvester"
HEARTBEAT_SECONDS = 10.0
BATCH = 64  # changed items written per transaction
FETCH_THREADS = 4  # items fetched at once (each host still gets at most SafeClient's per-host limit)
DRAFT_WARNING = "validation errors: the release stays a draft for the walidata"
NO_DATA_WARNING = "no file or link to publish: the dataset's metadata is imported and waits for its data"
PROCESS_POOL_FROM = 200  # changed items from which files are validated by a process per core


def harvester_account(session: Session) -> User:
    existing = session.exec(select(User).where(User.username == HARVESTER_ACCOUNT)).first()
    return existing or users.create_user(
        session, username=HARVESTER_ACCOUNT, role=Role.admin, full_name="Terbuka harvester"
    )


class HarvestRun:
    """One job over one source; the job must already be claimed (status running)."""

    def __init__(
        self,
        session: Session,
        job: HarvestJob,
        harvester_class: type[Harvester],
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.session = session
        self.job = job
        source = session.get(HarvestSource, job.source_id)
        assert source is not None
        self.source = source
        self.harvester_class = harvester_class
        self.progress = progress
        self.actor = harvester_account(session)
        self.counts = {"seen": 0, "created": 0, "updated": 0, "unchanged": 0, "removed": 0, "errors": 0}
        portal = settings_of(source)
        # A source that covers a whole portal places each new dataset under its organization's OPD.
        self.placer = Placer(session, portal, self.actor, source.organization_id, placed_of(source))
        if portal is not None:
            self.counts["unplaced"] = 0
        self.records: dict[str, HarvestItem] = {}
        self.seen_unchanged: list[int] = []
        self.last_heartbeat = time.monotonic()
        self.done = 0

    def run(self) -> HarvestJob:
        job = self.job
        settings = get_settings()
        client: SafeClient | None = None
        try:
            client = SafeClient(allowed_hosts=settings.harvest_allowed_hosts, max_bytes=settings.max_upload_bytes)
            with tempfile.TemporaryDirectory(prefix="terbuka-harvest-") as tmp:
                # The fetch threads read a copy of the source: a batch's rollback expires the session's objects,
                # and reloading them from those threads would use the session concurrently.
                harvester = self.harvester_class(HarvestSource.model_validate(self.source), client, Path(tmp))
                self.records = {
                    r.remote_id: r
                    for r in self.session.exec(select(HarvestItem).where(HarvestItem.source_id == self.source.id)).all()
                }
                harvester.known = {
                    r.remote_id: r.marker or "" for r in self.records.values() if r.status == "ok" and r.dataset_id
                }
                harvester.since = self.session.exec(
                    select(HarvestJob.started)
                    .where(HarvestJob.source_id == self.source.id, HarvestJob.status == "finished")
                    .order_by(col(HarvestJob.started).desc())
                ).first()
                items = harvester.gather()
                changed = [item for item in items if not self._unchanged_marker(item, len(items))]
                self._record_unchanged_markers()
                self._import_changed(harvester, changed, len(items))
                self._vanished({item.remote_id for item in items})
            job.status = "finished"
        except (FetchError, CatalogError) as exc:
            self.session.rollback()
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # a bug, not the source: fail the job (freeing its source) and let it surface
            self.session.rollback()
            job.status, job.error, job.finished = "failed", f"crashed: {exc!r}", utcnow()
            job.counts = dict(self.counts)
            self.session.add(job)
            self.session.commit()
            raise
        finally:
            if client is not None:
                client.close()
            search_index.sync_after_commit()  # what this job published or withdrew, in one batch
        job.counts, job.finished = dict(self.counts), utcnow()
        self.session.add(job)
        self.session.commit()
        return job

    @property
    def _notes(self) -> str:
        return f"Dipanen dari {self.source.url}"

    def _advance(self, total: int) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, total)

    def _unchanged_marker(self, item: RemoteItem, total: int) -> bool:
        """Count an item whose change marker is the one imported before; it needs no fetch."""
        record = self.records.get(item.remote_id)
        if not (record and record.dataset_id and record.marker == item.marker and record.status == "ok"):
            return False
        self.counts["seen"] += 1
        self.counts["unchanged"] += 1
        self.seen_unchanged.append(record.id or 0)
        if len(self.seen_unchanged) >= 1000 or time.monotonic() - self.last_heartbeat > HEARTBEAT_SECONDS:
            self._record_unchanged_markers()
        self._advance(total)
        return True

    def _record_unchanged_markers(self) -> None:
        if self.seen_unchanged:
            self.session.execute(
                update(HarvestItem).where(col(HarvestItem.id).in_(self.seen_unchanged)).values(last_job_id=self.job.id)
            )
            self.seen_unchanged = []
        self._commit_with_heartbeat()

    def _commit_with_heartbeat(self) -> None:
        """Commit with a heartbeat and the counts so far, so a crashed job can be told from a slow one."""
        self.job.heartbeat, self.job.counts = utcnow(), dict(self.counts)
        self.session.add(self.job)
        self.session.commit()
        self.last_heartbeat = time.monotonic()

    def _import_changed(self, harvester: Harvester, items: list[RemoteItem], total: int) -> None:
        known = {r.remote_id: r.content_sha256 for r in self.records.values() if r.dataset_id}
        processes = os.cpu_count() or 1
        pool = validation_pool(processes) if len(items) >= PROCESS_POOL_FROM and processes > 1 else None

        def validate(path: Path, name: str, schema: str | dict[str, Any] | None) -> PreparedFile:
            if pool is not None:
                try:
                    return pool.submit(prepare_file, path, name, schema).result()
                except BrokenProcessPool:  # no process could start here: validate in this one
                    pass
            return prepare_file(path, name, schema)

        def prepare(item: RemoteItem) -> PreparedItem:
            return prepare_item(harvester, item, known.get(item.remote_id), harvester.source, validate)

        threads = FETCH_THREADS if harvester.concurrent_fetch else 1
        if pool is not None:
            # A large harvest makes much short-lived cyclic garbage; with the long-lived objects (modules,
            # caches) set aside, the collector no longer rescans them all again and again.
            gc.collect()
            gc.freeze()
        try:
            with ThreadPoolExecutor(threads, thread_name_prefix="harvest-fetch") as fetchers:
                ahead = iter(items)
                pending = deque(fetchers.submit(prepare, item) for item in islice(ahead, 2 * BATCH))
                batch: list[PreparedItem] = []
                syncing: Future[None] | None = None
                while pending:
                    batch.append(pending.popleft().result())
                    if (following := next(ahead, None)) is not None:
                        pending.append(fetchers.submit(prepare, following))
                    if len(batch) >= BATCH or not pending:
                        self._write_batch(batch, total)
                        batch = []
                        if pool is not None and (syncing is None or syncing.done()):
                            # What is committed goes into the search index meanwhile, off this process
                            # (should the pool be broken, the job's last sync does it all).
                            with suppress(BrokenProcessPool):
                                syncing = pool.submit(search_index.sync_after_commit)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
                gc.unfreeze()

    def _write_batch(self, batch: list[PreparedItem], total: int) -> None:
        """Write prepared items in one transaction; when the catalogue refuses one, each in its own."""
        file_store().sync()  # the batch's files and reports, on disk before any row refers to them
        before = self._state()
        try:
            self._write(batch)
        except (CatalogError, ValueError):
            self._rollback(before)
            for prepared in batch:
                before = self._state()
                try:
                    self._write([prepared])
                except (CatalogError, ValueError) as exc:
                    self._rollback(before)
                    prepared.outcome = ImportRefused(prepared.item.remote_id, str(exc))
                    self._write([prepared])
        for _ in batch:
            self._advance(total)

    def _state(self) -> tuple[dict[str, int], dict[str, HarvestItem], dict[str, dict[str, str]]]:
        return dict(self.counts), dict(self.records), {k: dict(v) for k, v in self.placer.placed.items()}

    def _rollback(self, state: tuple[dict[str, int], dict[str, HarvestItem], dict[str, dict[str, str]]]) -> None:
        """Roll the transaction back and what this run noted in it (counts, item records, placements)."""
        self.session.rollback()
        self.counts, self.records, self.placer.placed = state

    def _write(self, batch: list[PreparedItem]) -> None:
        """Import the batch's changed items through the one import path, record every item, and commit."""
        homes: dict[str, Organization] = {}
        for prepared in batch:
            if prepared.outcome is None and prepared.fetched is not None:
                record = self.records.get(prepared.item.remote_id)
                try:
                    homes[prepared.item.remote_id] = self.placer.place(
                        prepared.item.remote_id, prepared.fetched.organization, new=not (record and record.dataset_id)
                    )
                except NotPlaced as unplaced:
                    prepared.outcome = unplaced
        changed = [p for p in batch if p.outcome is None]
        wanted = [self._dataset_import(prepared, homes[prepared.item.remote_id]) for prepared in changed]
        made = imports.import_datasets(self.session, items=wanted, actor=self.actor)
        for prepared, item, dataset in zip(changed, wanted, made, strict=True):
            assert prepared.fetched is not None
            if not (item.files or item.urls):
                prepared.fetched.warnings.append(NO_DATA_WARNING)
            elif not item.submit:
                prepared.fetched.warnings.append(DRAFT_WARNING)
            record = self._record(prepared.item.remote_id)
            self.counts["created" if item.existing is None else "updated"] += 1
            record.dataset_id, record.content_sha256 = dataset.id, prepared.content
            self._imported(record, prepared)
        for prepared in batch:
            if isinstance(prepared.outcome, ItemUnchanged):
                self._back_at_source(self._record(prepared.item.remote_id))
                self.counts["unchanged"] += 1
                self._imported(self._record(prepared.item.remote_id), prepared)
            elif isinstance(prepared.outcome, ItemFailed):
                record = self._record(prepared.item.remote_id)
                record.status, record.errors = "error", [prepared.outcome.record()]
                self.counts["errors"] += 1
                if isinstance(prepared.outcome, NotPlaced):
                    self.counts["unplaced"] += 1
                self._remember(record)
        self.counts["seen"] += len(batch)
        if self.placer.settings is not None:
            with_placed(self.source, self.placer.placed)
            self.session.add(self.source)
        self._commit_with_heartbeat()

    def _dataset_import(self, prepared: PreparedItem, organization: Organization) -> imports.DatasetImport:
        fetched = prepared.fetched
        assert fetched is not None
        record = self.records.get(prepared.item.remote_id)
        existing = self.session.get(Dataset, record.dataset_id) if record and record.dataset_id else None
        valid = all(ready.outcome is None or ready.outcome.valid for _, ready in prepared.files)
        inferred = fetched.metadata.get("extras", {}).get("metadata_inferred") == "true"
        data = DatasetCreate(organization=organization.slug, **fetched.metadata)
        # Two items may map to one slug (one title, identifiers ending alike): the later one gets a suffix of
        # its own, the same on every run; once created, a dataset keeps its slug.
        own = hashlib.sha256(f"{self.source.id}:{prepared.item.remote_id}".encode()).hexdigest()[:8]
        return imports.DatasetImport(
            data=data,
            existing=existing,
            unique_slug=f"{data.slug[:111].rstrip('-')}-{own}",
            files=[
                IncomingFile(name, io.BytesIO(), fetched.schemas.get(name), ready) for name, ready in prepared.files
            ],
            urls=fetched.urls,
            links=fetched.links,
            notes=self._notes,
            schema=self.source.default_schema,
            submit=valid,
            publish=valid and self.source.publish == "auto" and not inferred,  # a trusted source, real metadata
        )

    def _record(self, remote_id: str) -> HarvestItem:
        return self.records.get(remote_id) or HarvestItem(source_id=self.source.id or 0, remote_id=remote_id)

    def _remember(self, record: HarvestItem) -> None:
        """Keep the item's record, marked as seen by this job, and its errors in the job's history (in the
        batch's transaction); an item without errors adds no row."""
        record.last_job_id = self.job.id
        self.records[record.remote_id] = record
        self.session.add(record)
        self.session.add_all(
            HarvestItemError(
                job_id=self.job.id or 0,
                remote_id=record.remote_id,
                status=record.status,
                stage=error.get("stage", ""),
                message=error.get("message", ""),
            )
            for error in record.errors
        )

    def _imported(self, record: HarvestItem, prepared: PreparedItem) -> None:
        """Note on the item's record that it is now what the source offers."""
        assert prepared.fetched is not None
        record.marker, record.status = prepared.item.marker, "ok"
        record.errors = [
            {"stage": "fetch", "remote_id": record.remote_id, "message": w} for w in prepared.fetched.warnings
        ]
        self._remember(record)

    def _back_at_source(self, record: HarvestItem) -> None:
        dataset = self.session.get(Dataset, record.dataset_id) if record.dataset_id else None
        if dataset is not None and dataset.removed_at_source:
            dataset.removed_at_source = False  # back at the source, as it was
            self.session.add(dataset)

    def _vanished(self, present: set[str]) -> None:
        job = self.job
        for record in list(self.records.values()):
            if record.remote_id in present or record.status == "removed" or record.dataset_id is None:
                continue
            dataset = self.session.get(Dataset, record.dataset_id)
            assert dataset is not None
            dataset.removed_at_source = True
            self.session.add(dataset)
            record.status, record.last_job_id = "removed", job.id
            self.session.add(record)
            reason = f"removed at source {self.source.url} (harvest job {job.id})"
            activity.record(
                self.session,
                actor=self.actor,
                action="dataset.removed_at_source",
                object_type="dataset",
                object_id=dataset.id,
                dataset_id=dataset.id,
                detail={"remote_id": record.remote_id, "reason": reason},
            )
            self.session.commit()
            current = datasets.current_release(self.session, dataset)
            if self.source.on_removed == "withdraw" and current is not None:
                releases.transition(
                    self.session,
                    release_id=current.id or 0,
                    action=Action.withdraw,
                    actor=self.actor,
                    note=reason,
                )
                self.session.commit()
            self.counts["removed"] += 1
