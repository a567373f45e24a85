"""The figures the portal shows: downloads, and per OPD the Satu Data compliance the walidata reports yearly."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, func, select

from catalog.models import Dataset, Organization, Release, ReleaseState, Resource, utcnow
from catalog.services.quality import FREQUENCY_DAYS, _metadata, _timeliness

DOWNLOADS_TTL = 60.0  # seconds a process reuses the home page's download count
_downloads: tuple[float, int] | None = None


def total_downloads(session: Session) -> int:
    """Downloads of the files of published (and withdrawn) releases; a headline figure, so recounted once a
    minute rather than on every view of the home page."""
    global _downloads
    if _downloads is not None and time.monotonic() - _downloads[0] < DOWNLOADS_TTL:
        return _downloads[1]
    query = (
        select(func.coalesce(func.sum(Resource.downloads), 0))
        .join(Release)
        .where(col(Release.state).in_([ReleaseState.published, ReleaseState.withdrawn]))
    )
    _downloads = (time.monotonic(), int(session.exec(query).one()))
    return _downloads[1]


@dataclass(frozen=True)
class DatasetStatus:
    dataset: Dataset
    release: Release | None  # the current (newest published) release
    on_time: bool
    next_due: datetime | None
    valid: bool | None
    metadata_share: float


@dataclass(frozen=True)
class Compliance:
    organization: Organization
    datasets: int
    published: int
    on_time: int
    overdue: int
    valid: int
    checked: int
    metadata_share: float | None
    priority: int
    priority_on_time: int

    @property
    def valid_share(self) -> float | None:
        return self.valid / self.checked if self.checked else None

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.datasets if self.datasets else None


def next_update_due(dataset: Dataset, release: Release | None) -> datetime | None:
    days = FREQUENCY_DAYS.get(dataset.update_frequency)
    if release is None or release.published_at is None or days is None:
        return None
    return release.published_at + timedelta(days=days)


def dataset_statuses(
    session: Session, *, organization_id: int | None = None, published_only: bool = True, now: datetime | None = None
) -> list[DatasetStatus]:
    """Every dataset (of one OPD) with its current release and whether it is on time, valid and described."""
    now = now or utcnow()
    query = select(Dataset).options(
        selectinload(Dataset.organization),  # type: ignore[arg-type]
        selectinload(Dataset.tags),  # type: ignore[arg-type]
        selectinload(Dataset.themes),  # type: ignore[arg-type]
    )
    if organization_id is not None:
        query = query.where(Dataset.organization_id == organization_id)
    datasets = session.exec(query.order_by(col(Dataset.title))).all()
    releases = select(Release).where(Release.state == ReleaseState.published)
    if organization_id is not None:  # by the OPD's dataset ids: the index on dataset_id, not a scan by state
        releases = releases.where(col(Release.dataset_id).in_([d.id for d in datasets]))
    current = {
        r.dataset_id: r  # ascending numbers: the newest wins
        for r in session.exec(
            releases.options(selectinload(Release.resources)).order_by(col(Release.number))  # type: ignore[arg-type]
        ).all()
    }
    statuses = []
    for dataset in datasets:
        release = current.get(dataset.id or 0)
        if release is None and published_only:
            continue
        timeliness = _timeliness(dataset, release, now)
        checked = [r.validation_valid for r in release.resources if r.validation_valid is not None] if release else []
        metadata = _metadata(dataset)
        statuses.append(
            DatasetStatus(
                dataset=dataset,
                release=release,
                on_time=timeliness["points"] == timeliness["max"],
                next_due=next_update_due(dataset, release),
                valid=all(checked) if checked else None,
                metadata_share=metadata["points"] / metadata["max"],
            )
        )
    return statuses


def compliance(organization: Organization, statuses: list[DatasetStatus]) -> Compliance:
    checked = [s.valid for s in statuses if s.valid is not None]
    priority = [s for s in statuses if s.dataset.is_priority]
    return Compliance(
        organization=organization,
        datasets=len(statuses),
        published=sum(1 for s in statuses if s.release is not None),
        on_time=sum(1 for s in statuses if s.on_time),
        overdue=sum(1 for s in statuses if not s.on_time),
        valid=sum(1 for v in checked if v),
        checked=len(checked),
        metadata_share=sum(s.metadata_share for s in statuses) / len(statuses) if statuses else None,
        priority=len(priority),
        priority_on_time=sum(1 for s in priority if s.on_time),
    )
