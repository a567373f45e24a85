"""Reading the published catalogue in bulk: each dataset with its current (newest published) release.

Every interoperability format is built from these records, so only published data ever leaves by them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, func, select

from catalog.errors import NotFound
from catalog.models import (
    Dataset,
    DatasetTag,
    DatasetTheme,
    License,
    Organization,
    Release,
    ReleaseState,
    Resource,
    Tag,
    Theme,
)
from catalog.services.datasets import current_release_numbers
from catalog.settings import get_settings

LOAD_BATCH = 500  # datasets read per query


@dataclass(frozen=True)
class Published:
    """A dataset whose newest published release is ``release`` (its resources loaded)."""

    dataset: Dataset
    release: Release
    license: License | None = None  # the dataset's, when loaded with it (``find``)

    @property
    def organization(self) -> Organization:
        return self.dataset.organization

    @property
    def published_at(self) -> datetime:
        return self.release.published_at or self.release.created


def public_base() -> str:
    return get_settings().base_url.rstrip("/")


def dataset_page(slug: str) -> str:
    """The dataset's public address: its landing page and, by content negotiation, its DCAT description."""
    return f"{public_base()}/dataset/{slug}"


def download_url(release: Release, resource: Resource) -> str:
    if resource.sha256 is None and resource.url:
        return resource.url
    return f"{public_base()}/api/v1/releases/{release.id}/resources/{resource.id}/download"


def published_query() -> Any:
    """Dataset ids and current release numbers of every dataset with a published release."""
    current = current_release_numbers()
    return select(Dataset.id, current.c.number).join(current, current.c.dataset_id == Dataset.id)


def load(session: Session, dataset_ids: Sequence[int]) -> list[Published]:
    """The published records of these datasets, in the order given; ids without a published release are left out."""
    found: dict[int, Published] = {}
    for start in range(0, len(dataset_ids), LOAD_BATCH):
        ids = list(dataset_ids[start : start + LOAD_BATCH])
        datasets = {
            d.id: d
            for d in session.exec(
                select(Dataset)
                .where(col(Dataset.id).in_(ids))
                .options(
                    selectinload(Dataset.organization),  # type: ignore[arg-type]
                    selectinload(Dataset.tags),  # type: ignore[arg-type]
                    selectinload(Dataset.themes),  # type: ignore[arg-type]
                )
            ).all()
        }
        latest: dict[int, Release] = {}
        for release in session.exec(  # ascending numbers: the last one wins
            select(Release)
            .where(col(Release.dataset_id).in_(ids), Release.state == ReleaseState.published)
            .options(selectinload(Release.resources))  # type: ignore[arg-type]
            .order_by(col(Release.number))
        ).all():
            latest[release.dataset_id] = release
        for dataset_id, release in latest.items():
            found[dataset_id] = Published(datasets[dataset_id], release)
    return [found[i] for i in dataset_ids if i in found]


def all_published_ids(session: Session, *, organization_id: int | None = None) -> list[int]:
    query = published_query()
    if organization_id is not None:
        query = query.where(Dataset.organization_id == organization_id)
    return [row[0] for row in session.exec(query.order_by(col(Dataset.id))).all()]


# One dataset's record by statements built once (building one costs more than SQLite takes to answer it):
# the dataset with its OPD, its licence and its newest published release, if any; then that release's
# resources, and the dataset's tags and themes, each by its own IN query (a join through their link
# tables makes SQLite scan them whole).
_NEWEST_NUMBER = (
    select(func.max(Release.number))
    .where(col(Release.dataset_id) == Dataset.id, Release.state == ReleaseState.published)
    .correlate(Dataset)
    .scalar_subquery()
)
_DATASET = (
    select(Dataset, Organization, License, Release)
    .join(Organization)
    .outerjoin(License)
    .outerjoin(Release, and_(col(Release.dataset_id) == Dataset.id, col(Release.number) == _NEWEST_NUMBER))
)
_BY_NAME = _DATASET.where(col(Dataset.slug) == bindparam("key"))
_BY_NAME_OR_ID = _DATASET.where(or_(col(Dataset.slug) == bindparam("key"), col(Dataset.id) == bindparam("number")))
_RESOURCES = (
    select(Resource)
    .where(col(Resource.release_id) == bindparam("release_id"))
    .order_by(col(Resource.position), col(Resource.id))
)
_TAGS = select(Tag).where(col(Tag.id).in_(select(DatasetTag.tag_id).where(DatasetTag.dataset_id == bindparam("id"))))
_THEMES = select(Theme).where(
    col(Theme.id).in_(select(DatasetTheme.theme_id).where(DatasetTheme.dataset_id == bindparam("id")))
)


def find(session: Session, id_or_name: str) -> Published:
    """A published dataset by its slug or else its number, as CKAN finds a package by name or id; in four
    small queries (the dataset with its OPD, licence and newest published release; that release's
    resources; the dataset's tags; its themes)."""
    key = id_or_name.strip()
    if key.isdigit() and len(key) < 10:
        rows = session.execute(_BY_NAME_OR_ID, {"key": key, "number": int(key)}).all()
    else:
        rows = session.execute(_BY_NAME, {"key": key}).all()
    found = next((row for row in rows if row[0].slug == key), None) or next(iter(rows), None)
    if found is None or found[3] is None:
        raise NotFound(f"no published dataset {id_or_name!r}", code="dataset_not_found")
    dataset, organization, license_, release = found
    set_committed_value(dataset, "organization", organization)
    set_committed_value(dataset, "tags", session.execute(_TAGS, {"id": dataset.id}).scalars().all())
    set_committed_value(dataset, "themes", session.execute(_THEMES, {"id": dataset.id}).scalars().all())
    resources = session.execute(_RESOURCES, {"release_id": release.id}).scalars().all()
    set_committed_value(release, "resources", resources)
    return Published(dataset, release, license_)


def licenses(session: Session) -> dict[str, License]:
    return {license_.id: license_ for license_ in session.exec(select(License)).all()}


def license_of(session: Session, record: Published) -> dict[str, License]:
    """The record's licence, keyed as ``licenses`` keys them."""
    found = record.license or session.get(License, record.dataset.license_id)
    return {} if found is None else {found.id: found}


def newest_first(records: Iterable[Published]) -> list[Published]:
    return sorted(records, key=lambda record: record.published_at, reverse=True)
