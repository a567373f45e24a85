"""An OPD's Satu Data compliance and its page of datasets, counted by the database.

The same figures as ``figures.compliance(organization, figures.dataset_statuses(...))`` (the rules of
``catalog.services.quality``: on time within 1.1 × the update frequency, valid when every checked file of
the current release passed, eight metadata items), computed with aggregate SQL so that an OPD with ten
thousand datasets costs one query for its figures and one for a page of its list.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, false, func, or_, true
from sqlmodel import Session, col, select

from catalog.models import (
    Dataset,
    DatasetTag,
    DatasetTheme,
    Organization,
    Release,
    ReleaseState,
    Resource,
    UpdateFrequency,
    utcnow,
)
from catalog.services.quality import FREQUENCY_DAYS, WEIGHTS
from catalog.web.figures import Compliance

METADATA_ITEMS = 8  # the criteria of catalog.services.quality._metadata
WHITESPACE = " \t\r\n"
COLLECTION_METHOD = "Cara Pengumpulan Data"


@dataclass(frozen=True)
class Listed:
    """One line of an OPD's dataset list."""

    slug: str
    title: str
    published_at: datetime | None
    next_due: datetime | None
    on_time: bool


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _on_time(now: datetime) -> Any:
    """True when the current release is within 1.1 × its frequency (irregular ones are always on time)."""
    published_at = col(Release.published_at)
    whens: list[Any] = [
        (col(Dataset.update_frequency) == frequency, published_at >= now - timedelta(days=days) * 1.1)
        for frequency, days in FREQUENCY_DAYS.items()
    ]
    return and_(published_at.is_not(None), case(*whens, else_=true()))


def _metadata_points() -> Any:
    """How many of the eight Satu Data metadata items the dataset has (``quality._metadata``)."""
    method = col(Dataset.extras)[COLLECTION_METHOD].as_string()
    present = [
        func.length(func.trim(Dataset.description, WHITESPACE)) >= 30,
        Dataset.update_frequency != UpdateFrequency.tidak_tentu,
        col(Dataset.temporal_start).is_not(None),
        func.coalesce(func.json_array_length(Dataset.spatial_coverage), 0) > 0,
        or_(func.coalesce(Dataset.contact_email, "") != "", func.coalesce(Dataset.contact_name, "") != ""),
        exists().where(col(DatasetTag.dataset_id) == Dataset.id),
        exists().where(col(DatasetTheme.dataset_id) == Dataset.id),
        func.coalesce(method, "") != "",
    ]
    return sum((_flag(item) for item in present[1:]), _flag(present[0]))


def _statuses(organization_id: int, now: datetime) -> Any:
    """One row per published dataset of the OPD: its current release's date and its compliance flags."""
    current = (
        select(Release.dataset_id, func.max(Release.number).label("number"))
        .join(Dataset, col(Dataset.id) == Release.dataset_id)
        .where(Release.state == ReleaseState.published, Dataset.organization_id == organization_id)
        .group_by(col(Release.dataset_id))
        .subquery()
    )
    # Per current release, by the index on resource.release_id (a join to every release's grouped
    # resources can turn into a nested loop over all of them when the planner's statistics are stale).
    on_release = col(Resource.release_id) == Release.id
    checked = exists().where(on_release, col(Resource.validation_valid).is_not(None))
    failed = exists().where(on_release, col(Resource.validation_valid) == false())
    return (
        select(  # type: ignore[call-overload]
            col(Dataset.id).label("id"),
            col(Dataset.slug).label("slug"),
            col(Dataset.title).label("title"),
            col(Dataset.update_frequency).label("frequency"),
            col(Dataset.is_priority).label("priority"),
            col(Release.published_at).label("published_at"),
            _flag(_on_time(now)).label("on_time"),
            _flag(checked).label("checked"),
            _flag(and_(checked, ~failed)).label("valid"),
            _metadata_points().label("metadata"),
        )
        .join(current, current.c.dataset_id == Dataset.id)
        .join(Release, and_(col(Release.dataset_id) == Dataset.id, col(Release.number) == current.c.number))
        .where(Dataset.organization_id == organization_id)
        .subquery()
    )


def metadata_share(points: int) -> float:
    """A dataset's metadata share as the quality score gives it (its points rounded to a tenth)."""
    weight = WEIGHTS["metadata"]
    return round(weight * points / METADATA_ITEMS, 1) / weight


def opd_compliance(session: Session, organization: Organization, *, now: datetime | None = None) -> Compliance:
    """The OPD's compliance figures over its published datasets, in one aggregate query (grouped by how much
    metadata the datasets have: at most nine groups)."""
    rows = _statuses(organization.id or 0, now or utcnow())
    groups = session.exec(
        select(  # type: ignore[call-overload]
            rows.c.metadata,
            func.count(),
            func.sum(rows.c.on_time),
            func.sum(rows.c.valid),
            func.sum(rows.c.checked),
            func.sum(_flag(rows.c.priority)),
            func.sum(_flag(and_(rows.c.priority, rows.c.on_time == 1))),
        )
        .select_from(rows)
        .group_by(rows.c.metadata)
    ).all()
    totals = [sum(int(group[i]) for group in groups) for i in range(1, 7)]
    datasets, on_time, valid, checked, priority, priority_on_time = totals
    metadata = sum(metadata_share(int(group[0])) * int(group[1]) for group in groups)
    return Compliance(
        organization=organization,
        datasets=datasets,
        published=datasets,
        on_time=on_time,
        overdue=datasets - on_time,
        valid=valid,
        checked=checked,
        metadata_share=metadata / datasets if datasets else None,
        priority=priority,
        priority_on_time=priority_on_time,
    )


def opd_datasets(
    session: Session, organization: Organization, *, page: int, per_page: int = 20, now: datetime | None = None
) -> list[Listed]:
    """One page of the OPD's published datasets by title, with their last and next update: the page's
    datasets first (a top-N sort of the OPD's titles), then the current releases of those only."""
    published = col(Dataset.id).in_(select(Release.dataset_id).where(Release.state == ReleaseState.published))
    found = session.exec(
        select(Dataset.id, Dataset.slug, Dataset.title, Dataset.update_frequency)
        .where(Dataset.organization_id == organization.id, published)
        .order_by(col(Dataset.title), col(Dataset.id))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    dates: dict[int, datetime | None] = {}
    for dataset_id, published_at in session.exec(  # ascending numbers: the newest wins
        select(Release.dataset_id, Release.published_at)
        .where(col(Release.dataset_id).in_([row[0] for row in found]), Release.state == ReleaseState.published)
        .order_by(col(Release.number))
    ).all():
        dates[dataset_id] = published_at
    now = now or utcnow()
    listed = []
    for key, slug, title, frequency in found:
        published_at = dates.get(key or 0)
        days = FREQUENCY_DAYS.get(UpdateFrequency(frequency))
        due = published_at + timedelta(days=days) if published_at and days else None
        on_time = published_at is not None and (days is None or now - published_at <= timedelta(days=days) * 1.1)
        listed.append(Listed(slug, title, published_at, due, on_time))
    return listed
