"""Counts and lists over the published catalogue: organizations, themes and tags with their published datasets."""

from typing import Any

from sqlmodel import Session, col, func, select

from catalog.errors import NotFound
from catalog.interop.published import Published, load, published_query
from catalog.models import Dataset, DatasetTag, DatasetTheme, Organization, Release, ReleaseState, Resource, Tag, Theme


def published_ids() -> Any:
    return published_query().subquery()


def organization_counts(session: Session) -> dict[int, int]:
    ids = published_ids()
    rows = session.exec(
        select(Dataset.organization_id, func.count())
        .join(ids, ids.c.id == Dataset.id)
        .group_by(col(Dataset.organization_id))
    ).all()
    return {organization_id: int(count) for organization_id, count in rows}


def theme_counts(session: Session) -> dict[int, int]:
    ids = published_ids()
    rows = session.exec(
        select(DatasetTheme.theme_id, func.count())
        .join(ids, ids.c.id == DatasetTheme.dataset_id)
        .group_by(col(DatasetTheme.theme_id))
    ).all()
    return {theme_id: int(count) for theme_id, count in rows}


def organizations(session: Session) -> list[Organization]:
    return list(session.exec(select(Organization).order_by(col(Organization.slug))).all())


def themes(session: Session) -> list[Theme]:
    return list(session.exec(select(Theme).order_by(col(Theme.slug))).all())


def organization(session: Session, id_or_name: str) -> Organization:
    found = session.exec(select(Organization).where(Organization.slug == id_or_name)).first()
    if found is None and id_or_name.isdigit() and len(id_or_name) < 10:
        found = session.get(Organization, int(id_or_name))
    if found is None:
        raise NotFound(f"no organization {id_or_name!r}", code="organization_not_found")
    return found


def theme(session: Session, id_or_name: str) -> Theme:
    found = session.exec(select(Theme).where(Theme.slug == id_or_name)).first()
    if found is None and id_or_name.isdigit() and len(id_or_name) < 10:
        found = session.get(Theme, int(id_or_name))
    if found is None:
        raise NotFound(f"no group {id_or_name!r}", code="group_not_found")
    return found


def datasets_of_organization(session: Session, organization_id: int, limit: int) -> list[Published]:
    query = published_query().where(Dataset.organization_id == organization_id)
    return load(session, [row[0] for row in session.exec(query.order_by(col(Dataset.slug)).limit(limit)).all()])


def datasets_of_theme(session: Session, theme_id: int, limit: int) -> list[Published]:
    query = published_query().where(
        col(Dataset.id).in_(select(DatasetTheme.dataset_id).where(DatasetTheme.theme_id == theme_id))
    )
    return load(session, [row[0] for row in session.exec(query.order_by(col(Dataset.slug)).limit(limit)).all()])


def tag_names(session: Session, *, prefix: str = "") -> list[str]:
    """Tags used by at least one published dataset."""
    ids = published_ids()
    query = select(Tag.name).join(DatasetTag).join(ids, ids.c.id == DatasetTag.dataset_id).distinct()
    if prefix:
        query = query.where(col(Tag.name).startswith(prefix.lower()))
    return list(session.exec(query.order_by(col(Tag.name))).all())


def package_names(session: Session, *, limit: int | None, offset: int) -> list[str]:
    ids = published_ids()
    query = select(Dataset.slug).join(ids, ids.c.id == Dataset.id).order_by(col(Dataset.slug)).offset(offset)
    return list(session.exec(query.limit(limit) if limit is not None else query).all())


def recently_modified(session: Session, *, limit: int, offset: int) -> list[Published]:
    query = published_query().order_by(col(Dataset.modified).desc(), col(Dataset.id)).offset(offset).limit(limit)
    return load(session, [row[0] for row in session.exec(query).all()])


def public_resource(session: Session, resource_id: str) -> tuple[Release, Resource]:
    """A resource of a published release (or a withdrawn one: its address keeps working)."""
    resource = session.get(Resource, int(resource_id)) if resource_id.isdigit() and len(resource_id) < 10 else None
    if resource is None or resource.release.state not in (ReleaseState.published, ReleaseState.withdrawn):
        raise NotFound(f"no resource {resource_id!r}", code="resource_not_found")
    return resource.release, resource
