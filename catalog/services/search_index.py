"""Keeping the search index in step with the catalogue through an outbox.

Every change that can alter what search shows writes an outbox row in the same transaction; the
rows are applied right after the commit (and by the worker, for any that failed), so the index
can lag behind the catalogue but never miss a change.
"""

import logging
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, select

from catalog.db import after_commit, gathered_rows, get_engine
from catalog.models import Dataset, Release, ReleaseState, Resource, SearchOutbox, utcnow
from catalog.services import public_cache
from catalog.settings import get_settings
from schemas.wilayah import KOTA_PONTIANAK, children, regions
from search import SearchBackend, get_backend

log = logging.getLogger("terbuka.search")
DOCUMENT_BATCH = 500  # datasets read per query when building search documents


@lru_cache
def search_backend() -> SearchBackend:
    settings = get_settings()
    return get_backend(settings.meili_url, settings.meili_key, settings.data_dir / "search.db")


def enqueue(session: Session, *, dataset_ids: Iterable[int | None]) -> None:
    """Record in the current transaction that these datasets must be re-indexed; the rows are applied once
    the edge commits (``catalog.db.commit``), or by the worker."""
    gathered = gathered_rows(session, SearchOutbox)
    for dataset_id in dataset_ids:
        if dataset_id is None:
            continue
        if gathered is None:
            session.add(SearchOutbox(dataset_id=dataset_id))
        else:
            gathered.append({"dataset_id": dataset_id, "created": utcnow(), "processed": None})
    after_commit(session, sync_after_commit, key="search")


def kecamatan_of(codes: list[str]) -> list[str]:
    """The kecamatan of Kota Pontianak a spatial coverage names: those of its codes, or all six for the
    provinsi or the kota itself."""
    kecamatan = {region.kemendagri: region.name for region in children(KOTA_PONTIANAK)}
    names = {kecamatan[code[:8]] for code in codes if code[:8] in kecamatan}
    if any(code in (regions()[KOTA_PONTIANAK].parent, KOTA_PONTIANAK) for code in codes):
        names.update(kecamatan.values())
    return sorted(names)


def _document(dataset: Dataset, release: Release | None, downloads: int) -> dict[str, Any] | None:
    """The search document of a dataset whose latest published release is ``release``; None when there is none."""
    if release is None or release.published_at is None:
        return None
    years: list[int] = []
    if dataset.temporal_start:
        end = dataset.temporal_end or dataset.temporal_start
        years = list(range(dataset.temporal_start.year, end.year + 1))
    checked = [r.validation_valid for r in release.resources if r.validation_valid is not None]
    status = "unknown" if not checked else ("valid" if all(checked) else "invalid")
    return {
        "id": str(dataset.id),
        "slug": dataset.slug,
        "title": dataset.title,
        "description": dataset.description,
        "organization": dataset.organization.slug,
        "organization_name": dataset.organization.name,
        "organization_abbreviation": dataset.organization.abbreviation or "",
        "tags": sorted(t.name for t in dataset.tags),
        "themes": sorted(t.slug for t in dataset.themes),
        "formats": sorted({r.format for r in release.resources if r.format}),
        "license": dataset.license_id,
        "frequency": dataset.update_frequency.value,
        "years": years,
        "kecamatan": kecamatan_of(dataset.spatial_coverage),
        "is_priority": dataset.is_priority,
        "validation_status": status,
        "published_at": release.published_at.isoformat(),
        "modified": dataset.modified.isoformat(),
        "downloads": downloads,
    }


def documents(session: Session, dataset_ids: list[int]) -> dict[int, dict[str, Any] | None]:
    """The search documents of these datasets, in a handful of queries; None for those search must not show."""
    found: dict[int, dict[str, Any] | None] = {}
    for start in range(0, len(dataset_ids), DOCUMENT_BATCH):
        ids = dataset_ids[start : start + DOCUMENT_BATCH]
        datasets = session.exec(
            select(Dataset)
            .where(col(Dataset.id).in_(ids))
            .options(
                selectinload(Dataset.organization),  # type: ignore[arg-type]
                selectinload(Dataset.tags),  # type: ignore[arg-type]
                selectinload(Dataset.themes),  # type: ignore[arg-type]
            )
        ).all()
        latest = {
            r.dataset_id: r
            for r in session.exec(  # ascending numbers: the last one wins
                select(Release)
                .where(col(Release.dataset_id).in_(ids), Release.state == ReleaseState.published)
                .options(selectinload(Release.resources))  # type: ignore[arg-type]
                .order_by(col(Release.number))
            ).all()
        }
        downloads = dict(
            session.exec(
                select(Release.dataset_id, func.coalesce(func.sum(Resource.downloads), 0))
                .join(Resource)
                .where(col(Release.dataset_id).in_(ids))
                .group_by(col(Release.dataset_id))
            ).all()
        )
        found.update(
            {d.id or 0: _document(d, latest.get(d.id or 0), int(downloads.get(d.id or 0, 0))) for d in datasets}
        )
    return found


def apply_outbox(session: Session, *, backend: SearchBackend | None = None, limit: int = 500) -> int:
    """Apply pending outbox rows to the index and mark them processed (flushed: the caller commits each
    round); returns how many datasets were synced (the index is not even opened when nothing is pending)."""
    pending = session.exec(
        select(SearchOutbox).where(col(SearchOutbox.processed).is_(None)).order_by(col(SearchOutbox.id)).limit(limit)
    ).all()
    if not pending:
        return 0
    backend = backend or search_backend()
    ids = sorted({row.dataset_id for row in pending})
    found = documents(session, ids)
    ready = [document for dataset_id in ids if (document := found.get(dataset_id)) is not None]
    gone = [str(dataset_id) for dataset_id in ids if found.get(dataset_id) is None]
    if ready:
        backend.index(ready)
    if gone:
        backend.delete(gone)
    session.execute(
        update(SearchOutbox).where(col(SearchOutbox.id).in_([row.id for row in pending])).values(processed=utcnow())
    )
    return len(ids)


def sync_after_commit() -> None:
    """Apply the outbox now; on failure the rows stay pending for the worker."""
    try:
        with Session(get_engine()) as session:
            while apply_outbox(session):
                session.commit()
    except Exception:
        log.exception("search index sync failed; the worker will retry")


def reindex(
    session: Session, *, backend: SearchBackend | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rebuild the whole index from the catalogue."""
    backend = backend or search_backend()
    ids = [i for i in session.exec(select(Dataset.id).order_by(col(Dataset.id))).all() if i is not None]
    found = documents(session, ids)
    ready = [document for i in ids if (document := found[i]) is not None]
    backend.reindex(ready, progress=progress)
    public_cache.clear()  # no catalogue write tells the kept search answers
    return len(ready)
