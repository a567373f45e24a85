"""The harvest workflow every source type shares: gather → fetch → import.

A harvester subclass only lists remote items with a change marker (gather) and turns one item
into metadata and files (fetch); items are fetched a few at a time and written in batches. This
class owns the job and item records, the comparison that makes an unchanged re-harvest a no-op,
the release workflow, and the rule that an item gone from the source is flagged (and, per source
setting, withdrawn), never deleted.
"""

import gc
import hashlib
import io
import os
import tempfile
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from catalog.errors import CatalogError
from catalog.models import (
    Dataset,
    DatasetCreate,
    DatasetUpdate,
    HarvestItem,
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
from harvesters.http import FetchError, SafeClient
from harvesters.processes import validation_pool

HARVESTER_ACCOUNT = "harvester"
HEARTBEAT_SECONDS = 10.0
BATCH = 64  # changed items written per transaction
FETCH_THREADS = 4  # items fetched at once (each host still gets at most SafeClient's per-host limit)
DRAFT_WARNING = "validation errors: the release stays a draft for the walidata"
NO_DATA_WARNING = "no file or link to publish: the dataset's metadata is imported and waits for its data"
PROCESS_POOL_FROM = 200  # changed items from which files are validated by a process per core


@dataclass(frozen=True)
class RemoteItem:
    remote_id: str
    marker: str


@dataclass
class FetchedItem:
    """One remote dataset mapped to Terbuka: metadata fields of DatasetCreate and files on disk."""

    metadata: dict[str, Any]
    files: list[tuple[str, Path]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    schemas: dict[str, str | dict[str, Any]] = field(default_factory=dict)  # file name → its own Table Schema


class Harvester(ABC):
    concurrent_fetch = False  # True when fetch() may run in several threads at once
    reads_local_paths = False  # True when a source may be a folder or file on this server, not only http(s)

    def __init__(self, source: HarvestSource, client: SafeClient, workdir: Path) -> None:
        self.source = source
        self.client = client
        self.workdir = workdir
        self.known: dict[str, str] = {}  # remote id → marker of the items imported before
        self.since: datetime | None = None  # when the last finished job started: for incremental queries

    @abstractmethod
    def gather(self) -> list[RemoteItem]:
        """Every item the source offers now, with a marker that changes when the item changes."""

    @abstractmethod
    def fetch(self, item: RemoteItem) -> FetchedItem:
        """The item's metadata and downloaded files; raise FetchError for what cannot be had."""


def harvester_account(session: Session) -> User:
    existing = session.exec(select(User).where(User.username == HARVESTER_ACCOUNT)).first()
    return existing or users.create_user(
        session, username=HARVESTER_ACCOUNT, role=Role.admin, full_name="Terbuka harvester"
    )


def _content_sha256(fetched: FetchedItem) -> str:
    digest = hashlib.sha256(repr(sorted(fetched.metadata.items())).encode())
    for name, path in fetched.files:
        digest.update(name.encode())
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    for url in fetched.urls:
        digest.update(url.encode())
    if fetched.schemas:
        digest.update(repr(sorted(fetched.schemas.items())).encode())
    return digest.hexdigest()


def _metadata_changes(dataset: Dataset, wanted: DatasetUpdate) -> DatasetUpdate | None:
    """The part of the harvested metadata that differs from the dataset's, or None."""
    current: dict[str, Any] = {
        "tags": sorted(t.name for t in dataset.tags),
        "themes": sorted(t.slug for t in dataset.themes),
    }
    changes = {}
    for key, value in wanted.model_dump(exclude_unset=True).items():
        if key in current:
            if sorted(value or []) != current[key]:
                changes[key] = value
        elif value != getattr(dataset, key):
            changes[key] = value
    return DatasetUpdate(**changes) if changes else None


@dataclass
class Prepared:
    """One changed item made ready away from the database: fetched, hashed, its files stored and validated."""

    item: RemoteItem
    fetched: FetchedItem | None = None
    content: str = ""
    files: list[tuple[str, PreparedFile]] = field(default_factory=list)
    error: dict[str, str] | None = None  # stage, remote_id, message


def _prepare(
    harvester: Harvester,
    item: RemoteItem,
    known_content: str | None,
    source: HarvestSource,
    validate: Callable[[Path, str, str | dict[str, Any] | None], PreparedFile],
) -> Prepared:
    """Fetch an item and, unless its content is the one imported before, store and validate its files."""
    prepared = Prepared(item)
    stage = "fetch"
    fetched: FetchedItem | None = None
    try:
        fetched = prepared.fetched = harvester.fetch(item)
        fetched.urls = harvester.client.public_links(fetched.urls, fetched.warnings)
        stage = "import"
        prepared.content = _content_sha256(fetched)
        if prepared.content != known_content:
            prepared.files = [
                (name, validate(path, name, fetched.schemas.get(name) or source.default_schema))
                for name, path in fetched.files
            ]
    except (FetchError, CatalogError, ValueError) as exc:
        prepared.error = {"stage": stage, "remote_id": item.remote_id, "message": str(exc)}
    finally:
        for _, path in fetched.files if fetched else []:
            path.unlink(missing_ok=True)
    return prepared


class HarvestRun:
    """One job over one source; the job must already be claimed (status running).

    Changed items are fetched by a few threads (a harvester that cannot share itself between threads
    says so with ``concurrent_fetch = False``) and, in a large run, their files validated by a process
    per core, while this thread writes what is ready in batches of ``BATCH`` items per transaction. A
    batch the catalogue refuses is rolled back and written again one item per transaction, so one bad
    item still costs only itself.
    """

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
        self.records: dict[str, HarvestItem] = {}
        self.seen_unchanged: list[int] = []
        self.beat = time.monotonic()
        self.done = 0

    def run(self) -> HarvestJob:
        job = self.job
        settings = get_settings()
        client: SafeClient | None = None
        try:
            client = SafeClient(allowed_hosts=settings.harvest_allowed_hosts, max_bytes=settings.max_upload_bytes)
            with tempfile.TemporaryDirectory(prefix="terbuka-harvest-") as tmp:
                harvester = self.harvester_class(self.source, client, Path(tmp))
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
                changed = [item for item in items if not self._unchanged(item, len(items))]
                self._flush_unchanged()
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

    def _unchanged(self, item: RemoteItem, total: int) -> bool:
        """Count an item whose change marker is the one imported before; it needs no fetch."""
        record = self.records.get(item.remote_id)
        if not (record and record.dataset_id and record.marker == item.marker and record.status == "ok"):
            return False
        self.counts["seen"] += 1
        self.counts["unchanged"] += 1
        self.seen_unchanged.append(record.id or 0)
        if len(self.seen_unchanged) >= 1000 or time.monotonic() - self.beat > HEARTBEAT_SECONDS:
            self._flush_unchanged()
        self._advance(total)
        return True

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

        def prepare(item: RemoteItem) -> Prepared:
            return _prepare(harvester, item, known.get(item.remote_id), self.source, validate)

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
                batch: list[Prepared] = []
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

    def _write_batch(self, batch: list[Prepared], total: int) -> None:
        """Write prepared items in one transaction; when the catalogue refuses one, each in its own."""
        counts, fresh = dict(self.counts), [p.item.remote_id for p in batch if p.item.remote_id not in self.records]
        file_store().sync()  # the batch's files and reports, on disk before any row refers to them
        try:
            new = [self._is_new(p) for p in batch]  # before importing makes them known
            self._import_new([p for p, is_new in zip(batch, new, strict=True) if is_new])
            for prepared, is_new in zip(batch, new, strict=True):
                if not is_new:
                    self._settle(prepared, commit=False)
            self._beat()
        except (CatalogError, ValueError):
            self.session.rollback()
            self.counts = counts
            for remote_id in fresh:  # their records were never written
                self.records.pop(remote_id, None)
            for prepared in batch:
                self._settle(prepared, commit=True)
        for _ in batch:
            self._advance(total)

    def _is_new(self, prepared: Prepared) -> bool:
        record = self.records.get(prepared.item.remote_id)
        return prepared.error is None and prepared.fetched is not None and not (record and record.dataset_id)

    def _record(self, remote_id: str) -> HarvestItem:
        return self.records.get(remote_id) or HarvestItem(source_id=self.source.id or 0, remote_id=remote_id)

    def _keep(self, record: HarvestItem) -> None:
        record.last_job_id = self.job.id
        self.records[record.remote_id] = record
        self.session.add(record)

    def _imported(self, record: HarvestItem, prepared: Prepared) -> None:
        """Note on the item's record that it is now what the source offers."""
        assert prepared.fetched is not None
        record.marker, record.status = prepared.item.marker, "ok"
        record.errors = [
            {"stage": "fetch", "remote_id": record.remote_id, "message": w} for w in prepared.fetched.warnings
        ]
        self._keep(record)

    def _new_data(self, fetched: FetchedItem) -> DatasetCreate:
        organization = self.session.get(Organization, self.source.organization_id)
        assert organization is not None
        return DatasetCreate(organization=organization.slug, **fetched.metadata)

    def _publishes(self, fetched: FetchedItem) -> bool:
        """Whether a valid release of this item is approved at once: a trusted source, metadata not inferred."""
        return self.source.publish == "auto" and fetched.metadata.get("extras", {}).get("metadata_inferred") != "true"

    @staticmethod
    def _files(prepared: Prepared) -> list[IncomingFile]:
        assert prepared.fetched is not None
        return [
            IncomingFile(name, io.BytesIO(), prepared.fetched.schemas.get(name), ready)
            for name, ready in prepared.files
        ]

    def _new_dataset(self, prepared: Prepared) -> imports.NewDataset:
        fetched = prepared.fetched
        assert fetched is not None
        valid = all(ready.outcome is None or ready.outcome.valid for _, ready in prepared.files)
        return imports.NewDataset(
            data=self._new_data(fetched),
            files=self._files(prepared),
            urls=fetched.urls,
            notes=self._notes,
            schema=self.source.default_schema,
            submit=valid,
            publish=valid and self._publishes(fetched),
        )

    def _import_new(self, batch: list[Prepared]) -> None:
        """Items never imported before, as new datasets with a first release, in a few statements."""
        if not batch:
            return
        items = [self._new_dataset(prepared) for prepared in batch]
        made = imports.import_new(self.session, items=items, actor=self.actor)
        for prepared, item, dataset in zip(batch, items, made, strict=True):
            assert prepared.fetched is not None
            if not (item.files or item.urls):
                prepared.fetched.warnings.append(NO_DATA_WARNING)
            elif not item.submit:
                prepared.fetched.warnings.append(DRAFT_WARNING)
            record = self._record(prepared.item.remote_id)
            record.dataset_id, record.content_sha256 = dataset.id, prepared.content
            self.counts["seen"] += 1
            self.counts["created"] += 1
            self._imported(record, prepared)

    def _settle(self, prepared: Prepared, *, commit: bool) -> None:
        """Record one prepared item and import it if it changed; with ``commit``, in its own transaction."""
        item, fetched = prepared.item, prepared.fetched
        self.counts["seen"] += 1
        record = self._record(item.remote_id)
        error = prepared.error
        if error is None and fetched is not None:
            try:
                if record.dataset_id and prepared.content == record.content_sha256:
                    self.counts["unchanged"] += 1
                    dataset = self.session.get(Dataset, record.dataset_id)
                    if dataset is not None and dataset.removed_at_source:
                        dataset.removed_at_source = False  # back at the source, as it was
                        self.session.add(dataset)
                else:
                    self._import(record, prepared, commit=commit)
                    self.counts["updated" if record.content_sha256 else "created"] += 1
                    record.content_sha256 = prepared.content
                self._imported(record, prepared)
            except (CatalogError, ValueError) as exc:
                if not commit:
                    raise
                self.session.rollback()
                error = {"stage": "import", "remote_id": item.remote_id, "message": str(exc)}
        if error is not None:
            record = self.session.exec(
                select(HarvestItem).where(
                    HarvestItem.source_id == self.source.id, HarvestItem.remote_id == item.remote_id
                )
            ).first() or (HarvestItem(source_id=self.source.id or 0, remote_id=item.remote_id))
            record.status, record.errors = "error", [error]
            self.counts["errors"] += 1
            self._keep(record)
        if commit:
            self._beat()

    def _flush_unchanged(self) -> None:
        if self.seen_unchanged:
            self.session.execute(
                update(HarvestItem).where(col(HarvestItem.id).in_(self.seen_unchanged)).values(last_job_id=self.job.id)
            )
            self.seen_unchanged = []
        self._beat()

    def _beat(self) -> None:
        """Commit with a heartbeat, so a crashed job can be told from a slow one."""
        self.job.heartbeat, self.job.counts = utcnow(), dict(self.counts)
        self.session.add(self.job)
        self.session.commit()
        self.beat = time.monotonic()

    def _import(self, record: HarvestItem, prepared: Prepared, *, commit: bool) -> None:
        fetched = prepared.fetched
        assert fetched is not None
        dataset = self.session.get(Dataset, record.dataset_id) if record.dataset_id else None
        if dataset is None:
            dataset = datasets.create_dataset(
                self.session, actor=self.actor, commit=commit, data=self._new_data(fetched)
            )
        else:
            wanted = {key: value for key, value in fetched.metadata.items() if key != "slug"}
            changes = _metadata_changes(dataset, DatasetUpdate(**wanted))
            if changes is not None:  # a file-only change leaves the dataset (and its activity log) alone
                dataset = datasets.update_dataset(
                    self.session, slug=dataset.slug, actor=self.actor, data=changes, sync_search=False, commit=commit
                )
            if dataset.removed_at_source:
                dataset.removed_at_source = False
                self.session.add(dataset)
        record.dataset_id = dataset.id
        if not (prepared.files or fetched.urls):
            fetched.warnings.append(NO_DATA_WARNING)
            return
        release = releases.create_release(
            self.session,
            dataset_slug=dataset.slug,
            actor=self.actor,
            files=self._files(prepared),
            urls=fetched.urls,
            notes=self._notes,
            schema=self.source.default_schema,
            commit=commit,
        )
        if any(r.validation_valid is False for r in release.resources):
            fetched.warnings.append(DRAFT_WARNING)
            return
        releases.transition(
            self.session, release_id=release.id or 0, action=Action.submit, actor=self.actor, commit=commit
        )
        if self._publishes(fetched):
            releases.transition(
                self.session,
                release_id=release.id or 0,
                action=Action.approve,
                actor=self.actor,
                sync_search=False,
                commit=commit,
            )

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
                    sync_search=False,
                )
            self.counts["removed"] += 1
