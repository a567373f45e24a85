"""Reading the published catalogue in bulk: each dataset with its current (newest published) release.

Every interoperability format is built from these records, so only published data ever leaves by them.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import joinedload, selectinload
from sqlmodel import Session, col, select

from catalog.errors import NotFound
from catalog.models import Dataset, License, Organization, Release, ReleaseState, Resource
from catalog.services.datasets import current_release_numbers
from catalog.settings import get_settings

LOAD_BATCH = 500  # datasets read per query


@dataclass(frozen=True)
class Published:
    """A dataset whose newest published release is ``release`` (its resources loaded)."""

    dataset: Dataset
    release: Release

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


def find(session: Session, id_or_name: str) -> Published:
    """A published dataset by its slug or else its number, as CKAN finds a package by name or id; in four
    queries (the dataset with its OPD, its tags, its themes; its newest published release with its resources)."""
    key = id_or_name.strip()
    by_slug = col(Dataset.slug) == key
    by_id = or_(by_slug, col(Dataset.id) == int(key)) if key.isdigit() and len(key) < 10 else by_slug
    candidates = (
        session.execute(
            select(Dataset)
            .where(by_id)
            .options(
                joinedload(Dataset.organization),  # type: ignore[arg-type]
                selectinload(Dataset.tags),  # type: ignore[arg-type]
                selectinload(Dataset.themes),  # type: ignore[arg-type]
            )
        )
        .unique()
        .scalars()
        .all()
    )
    dataset = next((d for d in candidates if d.slug == key), None) or next(iter(candidates), None)
    release = (
        dataset
        and session.exec(
            select(Release)
            .where(Release.dataset_id == dataset.id, Release.state == ReleaseState.published)
            .options(joinedload(Release.resources))  # type: ignore[arg-type]
            .order_by(col(Release.number).desc())
            .limit(1)
        )
        .unique()
        .first()
    )
    if dataset is None or release is None:
        raise NotFound(f"no published dataset {id_or_name!r}", code="dataset_not_found")
    return Published(dataset, release)


def licenses(session: Session) -> dict[str, License]:
    return {license_.id: license_ for license_ in session.exec(select(License)).all()}


def newest_first(records: Iterable[Published]) -> list[Published]:
    return sorted(records, key=lambda record: record.published_at, reverse=True)
