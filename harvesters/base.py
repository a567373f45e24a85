"""The harvest workflow every source type shares: gather → fetch → import, one item at a time.

A harvester subclass only lists remote items with a change marker (gather) and turns one item
into metadata and files (fetch). This class owns the job and item records, the comparison that
makes an unchanged re-harvest a no-op, the release workflow, and the rule that an item gone from
the source is flagged (and, per source setting, withdrawn), never deleted.
"""

import hashlib
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
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
from catalog.services import activity, datasets, releases, search_index, users
from catalog.services.files import IncomingFile
from catalog.settings import get_settings
from catalog.workflow import Action
from harvesters.http import FetchError, SafeClient

HARVESTER_ACCOUNT = "harvester"
HEARTBEAT_SECONDS = 10.0


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
    return existing or users.create_user(session, username=HARVESTER_ACCOUNT, role=Role.admin,
                                         full_name="Terbuka harvester")


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
    current: dict[str, Any] = {"tags": sorted(t.name for t in dataset.tags),
                               "themes": sorted(t.slug for t in dataset.themes)}
    changes = {}
    for key, value in wanted.model_dump(exclude_unset=True).items():
        if key in current:
            if sorted(value or []) != current[key]:
                changes[key] = value
        elif value != getattr(dataset, key):
            changes[key] = value
    return DatasetUpdate(**changes) if changes else None


class HarvestRun:
    """One job over one source; the job must already be claimed (status running)."""

    def __init__(self, session: Session, job: HarvestJob, harvester_class: type[Harvester],
                 progress: Callable[[int, int], None] | None = None) -> None:
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

    def run(self) -> HarvestJob:
        job = self.job
        settings = get_settings()
        client = SafeClient(allowed_hosts=settings.harvest_allowed_hosts, max_bytes=settings.max_upload_bytes)
        try:
            with tempfile.TemporaryDirectory(prefix="terbuka-harvest-") as tmp:
                harvester = self.harvester_class(self.source, client, Path(tmp))
                self.records = {r.remote_id: r for r in self.session.exec(
                    select(HarvestItem).where(HarvestItem.source_id == self.source.id)).all()}
                harvester.known = {r.remote_id: r.marker or "" for r in self.records.values()
                                   if r.status == "ok" and r.dataset_id}
                harvester.since = self.session.exec(
                    select(HarvestJob.started).where(HarvestJob.source_id == self.source.id,
                                                     HarvestJob.status == "finished")
                    .order_by(col(HarvestJob.started).desc())).first()
                items = harvester.gather()
                for number, item in enumerate(items, start=1):
                    self._one(harvester, item)
                    if self.progress:
                        self.progress(number, len(items))
                self._flush_unchanged()
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
            client.close()
            search_index.sync_after_commit()  # what this job published or withdrew, in one batch
        job.counts, job.finished = dict(self.counts), utcnow()
        self.session.add(job)
        self.session.commit()
        return job

    def _record(self, remote_id: str) -> HarvestItem:
        return self.records.get(remote_id) or HarvestItem(source_id=self.source.id or 0, remote_id=remote_id)

    def _one(self, harvester: Harvester, item: RemoteItem) -> None:
        self.counts["seen"] += 1
        record = self._record(item.remote_id)
        if record.dataset_id and record.marker == item.marker and record.status == "ok":
            self.counts["unchanged"] += 1
            self.seen_unchanged.append(record.id or 0)
            if len(self.seen_unchanged) >= 1000 or time.monotonic() - self.beat > HEARTBEAT_SECONDS:
                self._flush_unchanged()
            return
        stage = "fetch"
        fetched: FetchedItem | None = None
        try:
            fetched = harvester.fetch(item)
            stage = "import"
            content = _content_sha256(fetched)
            if record.dataset_id and content == record.content_sha256:
                self.counts["unchanged"] += 1
                dataset = self.session.get(Dataset, record.dataset_id)
                if dataset is not None and dataset.removed_at_source:
                    dataset.removed_at_source = False  # back at the source, as it was
                    self.session.add(dataset)
            else:
                self._import(record, fetched)
                self.counts["updated" if record.content_sha256 else "created"] += 1
                record.content_sha256 = content
            record.marker, record.status = item.marker, "ok"
            record.errors = [{"stage": "fetch", "remote_id": item.remote_id, "message": w} for w in fetched.warnings]
        except (FetchError, CatalogError, ValueError) as exc:
            self.session.rollback()
            record = self.session.exec(select(HarvestItem).where(
                HarvestItem.source_id == self.source.id, HarvestItem.remote_id == item.remote_id)).first() or (
                HarvestItem(source_id=self.source.id or 0, remote_id=item.remote_id))
            record.status = "error"
            record.errors = [{"stage": stage, "remote_id": item.remote_id, "message": str(exc)}]
            self.counts["errors"] += 1
        finally:
            for _, path in fetched.files if fetched else []:
                path.unlink(missing_ok=True)
        record.last_job_id = self.job.id
        self.records[item.remote_id] = record
        self.session.add(record)
        self._beat()

    def _flush_unchanged(self) -> None:
        if self.seen_unchanged:
            self.session.execute(update(HarvestItem).where(col(HarvestItem.id).in_(self.seen_unchanged))
                                 .values(last_job_id=self.job.id))
            self.seen_unchanged = []
        self._beat()

    def _beat(self) -> None:
        """Commit with a heartbeat, so a crashed job can be told from a slow one."""
        self.job.heartbeat, self.job.counts = utcnow(), dict(self.counts)
        self.session.add(self.job)
        self.session.commit()
        self.beat = time.monotonic()

    def _import(self, record: HarvestItem, fetched: FetchedItem) -> None:
        organization = self.session.get(Organization, self.source.organization_id)
        assert organization is not None
        metadata = dict(fetched.metadata)
        slug = metadata.pop("slug")
        tags, themes = metadata.pop("tags", []), metadata.pop("themes", [])
        dataset = self.session.get(Dataset, record.dataset_id) if record.dataset_id else None
        if dataset is None:
            dataset = datasets.create_dataset(self.session, actor=self.actor, data=DatasetCreate(
                slug=slug, organization=organization.slug, tags=tags, themes=themes, **metadata))
        else:
            changes = _metadata_changes(dataset, DatasetUpdate(tags=tags, themes=themes, **metadata))
            if changes is not None:  # a file-only change leaves the dataset (and its activity log) alone
                dataset = datasets.update_dataset(self.session, slug=dataset.slug, actor=self.actor, data=changes,
                                                  sync_search=False)
            if dataset.removed_at_source:
                dataset.removed_at_source = False
                self.session.add(dataset)
        record.dataset_id = dataset.id
        files = []
        for name, path in fetched.files:
            files.append(IncomingFile(name, path.open("rb"), fetched.schemas.get(name)))
        try:
            release = releases.create_release(
                self.session, dataset_slug=dataset.slug, actor=self.actor, files=files, urls=fetched.urls,
                notes=f"Dipanen dari {self.source.url}", schema=self.source.default_schema,
            )
        finally:
            for incoming in files:
                incoming.stream.close()
        if any(r.validation_valid is False for r in release.resources):
            fetched.warnings.append("validation errors: the release stays a draft for the walidata")
            return
        releases.transition(self.session, release_id=release.id or 0, action=Action.submit, actor=self.actor)
        if self.source.publish == "auto" and fetched.metadata.get("extras", {}).get("metadata_inferred") != "true":
            releases.transition(self.session, release_id=release.id or 0, action=Action.approve, actor=self.actor,
                                sync_search=False)

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
            activity.record(self.session, actor=self.actor, action="dataset.removed_at_source",
                            object_type="dataset", object_id=dataset.id, dataset_id=dataset.id,
                            detail={"remote_id": record.remote_id, "reason": reason})
            self.session.commit()
            current = datasets.current_release(self.session, dataset)
            if self.source.on_removed == "withdraw" and current is not None:
                releases.transition(self.session, release_id=current.id or 0, action=Action.withdraw,
                                    actor=self.actor, note=reason, sync_search=False)
            self.counts["removed"] += 1
