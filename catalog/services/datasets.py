"""Datasets: their editable metadata, visibility and listings."""

from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import joinedload, selectinload
from sqlmodel import Session, col, func, select

from catalog import permissions
from catalog.errors import Conflict, Invalid, NotFound
from catalog.models import (
    Dataset,
    DatasetCreate,
    DatasetPublic,
    DatasetTag,
    DatasetTheme,
    DatasetUpdate,
    License,
    Organization,
    Page,
    Release,
    ReleaseState,
    Resource,
    Tag,
    Theme,
    User,
    utcnow,
)
from catalog.services import activity, public_cache, search_index
from catalog.services.organizations import get_organization
from catalog.settings import get_settings

SORTS: dict[str, Any] = {
    "title": col(Dataset.title).asc(),
    "-title": col(Dataset.title).desc(),
    "modified": col(Dataset.modified).asc(),
    "-modified": col(Dataset.modified).desc(),
}


def current_release_numbers() -> Any:
    return (
        select(Release.dataset_id, func.max(Release.number).label("number"))
        .where(Release.state == ReleaseState.published)
        .group_by(col(Release.dataset_id))
        .subquery()
    )


def current_release(session: Session, dataset: Dataset) -> Release | None:
    """The dataset's current version: its newest published release."""
    return session.exec(
        select(Release)
        .where(Release.dataset_id == dataset.id, Release.state == ReleaseState.published)
        .order_by(col(Release.number).desc())
    ).first()


def get_dataset(session: Session, *, slug: str, actor: User | None = None) -> Dataset:
    dataset = session.exec(select(Dataset).where(Dataset.slug == slug)).first()
    if dataset is None or (
        current_release(session, dataset) is None and not permissions.may_see_unpublished(actor, dataset)
    ):
        raise NotFound(f"no dataset {slug!r}", code="dataset_not_found")
    return dataset


def dataset_public(session: Session, *, slug: str, actor: User | None = None) -> DatasetPublic:
    """A dataset's document with its current release number, in three queries; anonymous readers' answers
    are kept a moment (``public_cache``)."""
    if actor is None:
        return public_cache.cached(("dataset", slug), lambda: _dataset_public(session, slug, None))
    return _dataset_public(session, slug, actor)


def _dataset_public(session: Session, slug: str, actor: User | None) -> DatasetPublic:
    current = (
        select(func.max(Release.number))
        .where(Release.dataset_id == Dataset.id, Release.state == ReleaseState.published)
        .scalar_subquery()
    )
    # Tags and themes by their own IN queries: a join through their link tables makes SQLite scan them whole.
    eager = (joinedload(Dataset.organization), selectinload(Dataset.tags), selectinload(Dataset.themes))  # type: ignore[arg-type]
    row = session.execute(select(Dataset, current).where(Dataset.slug == slug).options(*eager)).unique().first()
    if row is None or (row[1] is None and not permissions.may_see_unpublished(actor, row[0])):
        raise NotFound(f"no dataset {slug!r}", code="dataset_not_found")
    return to_public(row[0], current=row[1])


def to_public(dataset: Dataset, *, current: int | None) -> DatasetPublic:
    return DatasetPublic.model_validate(
        dataset,
        update={
            "organization": dataset.organization.slug,
            "organization_name": dataset.organization.name,
            "tags": sorted(t.name for t in dataset.tags),
            "themes": sorted(t.slug for t in dataset.themes),
            "current_release": current,
            "url": f"{get_settings().base_url}/api/v1/datasets/{dataset.slug}",
        },
    )


def list_datasets(
    session: Session,
    *,
    organization: str | None = None,
    tag: str | None = None,
    theme: str | None = None,
    license: str | None = None,
    format: str | None = None,
    sort: str = "-modified",
    page: int = 1,
    per_page: int = 20,
    include_unpublished: bool = False,
    actor: User | None = None,
) -> Page[DatasetPublic]:
    """Published datasets; with ``include_unpublished``, also the unpublished ones the actor may see."""
    if sort not in SORTS:
        raise Invalid(f"sort must be one of {', '.join(SORTS)}", code="invalid_sort")
    current = current_release_numbers()
    query = select(Dataset, current.c.number)
    if include_unpublished:
        permissions.require_list_unpublished(actor)
        query = query.outerjoin(current, current.c.dataset_id == Dataset.id).where(
            or_(current.c.number.is_not(None), permissions.unpublished_datasets_visible_to(actor))
        )
    else:
        query = query.join(current, current.c.dataset_id == Dataset.id)
    if organization:
        query = query.join(Organization).where(Organization.slug == organization)
    if tag:
        query = query.where(col(Dataset.id).in_(select(DatasetTag.dataset_id).join(Tag).where(Tag.name == tag.lower())))
    if theme:
        query = query.where(col(Dataset.id).in_(select(DatasetTheme.dataset_id).join(Theme).where(Theme.slug == theme)))
    if license:
        query = query.where(Dataset.license_id == license)
    if format:
        query = query.where(
            col(Dataset.id).in_(
                select(Release.dataset_id)
                .join(Resource)
                .where(Release.state == ReleaseState.published, Resource.format == format.upper())
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.options(
            selectinload(Dataset.organization),  # type: ignore[arg-type]
            selectinload(Dataset.tags),  # type: ignore[arg-type]
            selectinload(Dataset.themes),  # type: ignore[arg-type]
        )
        .order_by(SORTS[sort], col(Dataset.id))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(
        items=[to_public(dataset, current=number) for dataset, number in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


def tag_names(names: list[str]) -> list[str]:
    """Tags as stored: trimmed, lower case, each once, sorted."""
    return sorted({n.strip().lower() for n in names if n.strip()})


def tags_named(session: Session, names: list[str]) -> dict[str, Tag]:
    """The tags of these names, new ones created (not yet added: they go in with their dataset)."""
    wanted = tag_names(names)
    found = {t.name: t for t in session.exec(select(Tag).where(col(Tag.name).in_(wanted))).all()}
    return {name: found.get(name) or Tag(name=name) for name in wanted}


def themes_named(session: Session, slugs: list[str]) -> dict[str, Theme]:
    themes = {t.slug: t for t in session.exec(select(Theme).where(col(Theme.slug).in_(slugs))).all()}
    unknown = set(slugs) - set(themes)
    if unknown:
        raise Invalid(f"unknown themes: {', '.join(sorted(unknown))}", code="unknown_theme")
    return themes


def check_license(session: Session, license_id: str) -> None:
    if session.get(License, license_id) is None:
        raise Invalid(f"unknown license {license_id!r}", code="unknown_license")


def new_dataset(
    data: DatasetCreate, organization: Organization, tags: dict[str, Tag], themes: dict[str, Theme]
) -> Dataset:
    """The dataset ``data`` describes, its tags and themes taken from ``tags`` and ``themes`` (not yet added)."""
    assert organization.id is not None
    # Not through ``dataset.organization``: that would also grow the organization's list of datasets,
    # which every later flush then looks through. The organization is found again by its id.
    dataset = Dataset(**data.model_dump(exclude={"organization", "tags", "themes"}), organization_id=organization.id)
    dataset.tags = [tags[name] for name in tag_names(data.tags)]
    dataset.themes = [themes[slug] for slug in sorted(set(data.themes))]
    return dataset


def record_created(session: Session, dataset: Dataset, data: DatasetCreate, actor: User | None) -> None:
    activity.record(
        session,
        actor=actor,
        action="dataset.create",
        object_type="dataset",
        object_id=dataset.id,
        dataset_id=dataset.id,
        detail=data.model_dump(mode="json"),
    )


def create_dataset(session: Session, *, data: DatasetCreate, actor: User | None) -> Dataset:
    """A new dataset, flushed."""
    organization = get_organization(session, slug=data.organization)
    permissions.require_create_dataset_in(actor, organization)
    if session.exec(select(Dataset).where(Dataset.slug == data.slug)).first():
        raise Conflict(f"a dataset with slug {data.slug!r} already exists", code="duplicate_slug")
    check_license(session, data.license_id)
    dataset = new_dataset(data, organization, tags_named(session, data.tags), themes_named(session, data.themes))
    session.add(dataset)
    session.flush()
    record_created(session, dataset, data, actor)
    return dataset


def update_dataset(
    session: Session,
    *,
    slug: str,
    data: DatasetUpdate,
    actor: User | None,
) -> Dataset:
    """Edit the metadata; published releases keep the snapshot they were published with. The search index
    follows through the outbox, applied once the edge commits."""
    dataset = get_dataset(session, slug=slug, actor=actor)
    changes = data.model_dump(exclude_unset=True)
    priority = changes.pop("is_priority", dataset.is_priority)
    if changes or priority == dataset.is_priority:
        permissions.require_edit_dataset(actor, dataset)
    if priority != dataset.is_priority:
        decide_priority(session, dataset, priority=priority, actor=actor)
    if "license_id" in changes:
        check_license(session, changes["license_id"])
    if "tags" in changes:
        dataset.tags = list(tags_named(session, changes.pop("tags") or []).values())
    if "themes" in changes:
        dataset.themes = list(themes_named(session, changes.pop("themes") or []).values())
    for key, value in changes.items():
        setattr(dataset, key, value)
    dataset.modified = utcnow()
    session.add(dataset)
    activity.record(
        session,
        actor=actor,
        action="dataset.update",
        object_type="dataset",
        object_id=dataset.id,
        dataset_id=dataset.id,
        detail=data.model_dump(mode="json", exclude_unset=True),
    )
    search_index.enqueue(session, dataset_ids=[dataset.id])
    session.flush()
    return dataset


def decide_priority(session: Session, dataset: Dataset, *, priority: bool, actor: User | None) -> None:
    """Make a dataset Data Prioritas or not: the reviewers' decision, logged, and never while a release waits
    for review (the release keeps what it was submitted as)."""
    permissions.require_decide_priority(actor)
    waiting = session.exec(
        select(Release.number).where(Release.dataset_id == dataset.id, Release.state == ReleaseState.submitted)
    ).first()
    if waiting is not None:
        raise Conflict(
            f"release {waiting} of this dataset waits for review: decide on Data Prioritas before it is submitted "
            "or after it is reviewed",
            code="review_pending",
        )
    activity.record(
        session,
        actor=actor,
        action="dataset.priority",
        object_type="dataset",
        object_id=dataset.id,
        dataset_id=dataset.id,
        detail={"from": dataset.is_priority, "to": priority},
    )
    dataset.is_priority = priority


def metadata_snapshot(dataset: Dataset) -> dict[str, Any]:
    """The metadata a release freezes when it is submitted."""
    snapshot = to_public(dataset, current=None).model_dump(
        mode="json", exclude={"id", "current_release", "url", "created"}
    )
    snapshot["organization_abbreviation"] = dataset.organization.abbreviation
    return snapshot
