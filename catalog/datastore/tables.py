"""Which datastore tables are published, and the names they are queried by.

Only tables of published releases answer queries: a draft's, a returned or a withdrawn release's data is
never queryable, whoever asks (staff read unpublished files through the release API instead). A table is
named by its resource id exactly as ``package_show`` gives it (``"42"``) and by readable aliases:
``"<dataset slug>@<release number>/<resource>"`` always, ``"<dataset slug>/<resource>"`` while its release
is the dataset's current one, and ``"<dataset slug>"`` when the current release has one table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from catalog.datastore.columns import Column
from catalog.datastore.engine import parquet_path
from catalog.errors import NotFound
from catalog.models import Dataset, DatastoreTable, Release, ReleaseState, Resource
from catalog.services.datasets import current_release

READY = "ready"


@dataclass(frozen=True)
class PublishedTable:
    resource_id: int
    release_id: int
    release_number: int
    dataset_slug: str
    resource_name: str
    rows: int
    columns: list[Column]
    is_current: bool
    sole_current: bool = False

    @property
    def path(self) -> Path:
        return parquet_path(self.resource_id)

    @property
    def stem(self) -> str:
        base = self.resource_name.rsplit(".", 1)[0] if "." in self.resource_name else self.resource_name
        return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or str(self.resource_id)

    @property
    def alias(self) -> str:
        return f"{self.dataset_slug}@{self.release_number}/{self.stem}"

    @property
    def names(self) -> list[str]:
        """Every name the table answers to in SQL, the resource id first."""
        names = [str(self.resource_id), self.alias]
        if self.is_current:
            names.append(f"{self.dataset_slug}/{self.stem}")
        if self.sole_current:
            names.append(self.dataset_slug)
        return names

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def describe(self) -> dict[str, object]:
        return {
            "resource_id": str(self.resource_id),
            "release_id": self.release_id,
            "dataset": self.dataset_slug,
            "release": self.release_number,
            "name": self.resource_name,
            "alias": self.alias,
            "names": self.names,
            "rows": self.rows,
            "current": self.is_current,
        }


def queryable(release: Release) -> bool:
    """The datastore rule: only published data answers queries (withdrawn data no longer does)."""
    return release.state == ReleaseState.published


def _published_rows(
    session: Session, *, dataset_id: int | None = None, resource_id: int | None = None
) -> list[tuple[DatastoreTable, Resource, Release, Dataset]]:
    query = (
        select(DatastoreTable, Resource, Release, Dataset)
        .join(Resource, col(Resource.id) == DatastoreTable.resource_id)
        .join(Release, col(Release.id) == DatastoreTable.release_id)
        .join(Dataset, col(Dataset.id) == DatastoreTable.dataset_id)
        .where(DatastoreTable.status == READY, Release.state == ReleaseState.published)
        .order_by(col(Dataset.slug), col(Release.number), col(Resource.position))
    )
    if dataset_id is not None:
        query = query.where(DatastoreTable.dataset_id == dataset_id)
    if resource_id is not None:
        query = query.where(DatastoreTable.resource_id == resource_id)
    return [tuple(row) for row in session.exec(query).all()]  # type: ignore[misc]


def _tables(rows: list[tuple[DatastoreTable, Resource, Release, Dataset]]) -> list[PublishedTable]:
    newest: dict[int, int] = {}
    for _table, _resource, release, dataset in rows:
        newest[dataset.id or 0] = max(newest.get(dataset.id or 0, 0), release.number)
    in_current: dict[int, int] = {}
    for _table, _resource, release, dataset in rows:
        if newest[dataset.id or 0] == release.number:
            in_current[dataset.id or 0] = in_current.get(dataset.id or 0, 0) + 1
    return [
        PublishedTable(
            resource_id=resource.id or 0,
            release_id=release.id or 0,
            release_number=release.number,
            dataset_slug=dataset.slug,
            resource_name=resource.name,
            rows=table.rows or 0,
            columns=[Column.from_description(c) for c in table.fields],
            is_current=newest[dataset.id or 0] == release.number,
            sole_current=newest[dataset.id or 0] == release.number and in_current[dataset.id or 0] == 1,
        )
        for table, resource, release, dataset in rows
    ]


def published_tables(session: Session) -> list[PublishedTable]:
    """Every table that answers queries, with its names."""
    return _tables(_published_rows(session))


def _dataset_tables(session: Session, dataset_id: int) -> list[PublishedTable]:
    return _tables(_published_rows(session, dataset_id=dataset_id))


def get_table(session: Session, *, resource_id: int) -> PublishedTable:
    """A resource's published table; 404 when it is not published, not tabular or not loaded yet."""
    rows = _published_rows(session, resource_id=resource_id)
    if not rows:
        loading = session.exec(select(DatastoreTable).where(DatastoreTable.resource_id == resource_id)).first()
        release = session.get(Release, loading.release_id) if loading else None
        if loading is not None and release is not None and queryable(release) and loading.status != READY:
            raise NotFound(
                f"resource {resource_id} is not in the datastore yet ({loading.status})", code="datastore_not_ready"
            )
        raise NotFound(f"no datastore table for resource {resource_id}", code="datastore_table_not_found")
    dataset_id = rows[0][3].id or 0
    return next(t for t in _dataset_tables(session, dataset_id) if t.resource_id == resource_id)


def current_table(session: Session, *, slug: str, resource: str | None = None) -> PublishedTable:
    """A table of the dataset's current release: the one named ``resource`` (id, file name or stem), else the first."""
    dataset = session.exec(select(Dataset).where(Dataset.slug == slug)).first()
    release = current_release(session, dataset) if dataset is not None else None
    if dataset is None or release is None:
        raise NotFound(f"no dataset {slug!r}", code="dataset_not_found")
    tables = [t for t in _dataset_tables(session, dataset.id or 0) if t.release_id == release.id]
    if resource is not None:
        tables = [t for t in tables if resource in (str(t.resource_id), t.resource_name, t.stem)]
    if not tables:
        raise NotFound(
            f"dataset {slug!r} has no {'such ' if resource else ''}table in its current release",
            code="datastore_table_not_found",
        )
    return tables[0]


def release_tables(session: Session, *, dataset_id: int, release_id: int) -> list[PublishedTable]:
    """The loaded tables of one published release of a dataset, in file order (none while it is not loaded)."""
    return [t for t in _dataset_tables(session, dataset_id) if t.release_id == release_id]
