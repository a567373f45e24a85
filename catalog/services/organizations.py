"""OPDs: the organizations that produce data."""

from sqlmodel import Session, col, func, select

from catalog import permissions
from catalog.errors import Conflict, NotFound
from catalog.models import (
    Dataset,
    Organization,
    OrganizationCreate,
    OrganizationPublic,
    OrganizationUpdate,
    User,
)
from catalog.services import activity, search_index

ADMIN_ONLY = "only an admin manages organizations"


def get_organization(session: Session, *, slug: str) -> Organization:
    organization = session.exec(select(Organization).where(Organization.slug == slug)).first()
    if organization is None:
        raise NotFound(f"no organization {slug!r}", code="organization_not_found")
    return organization


def list_organizations(session: Session) -> list[OrganizationPublic]:
    counts = dict(
        session.exec(select(Dataset.organization_id, func.count()).group_by(col(Dataset.organization_id))).all()
    )
    organizations = session.exec(select(Organization).order_by(col(Organization.name))).all()
    return [to_public(o, dataset_count=counts.get(o.id or 0, 0)) for o in organizations]


def to_public(organization: Organization, *, dataset_count: int = 0) -> OrganizationPublic:
    return OrganizationPublic.model_validate(organization, update={"dataset_count": dataset_count})


def create_organization(session: Session, *, data: OrganizationCreate, actor: User | None) -> Organization:
    permissions.require_admin(actor, refusal=ADMIN_ONLY)
    if session.exec(select(Organization).where(Organization.slug == data.slug)).first():
        raise Conflict(f"organization {data.slug!r} already exists", code="duplicate_slug")
    organization = Organization.model_validate(data)
    session.add(organization)
    session.flush()
    activity.record(
        session,
        actor=actor,
        action="organization.create",
        object_type="organization",
        object_id=organization.id,
        detail=data.model_dump(),
    )
    return organization


def update_organization(session: Session, *, slug: str, data: OrganizationUpdate, actor: User | None) -> Organization:
    permissions.require_admin(actor, refusal=ADMIN_ONLY)
    organization = get_organization(session, slug=slug)
    changes = data.model_dump(exclude_unset=True)
    for key, value in changes.items():
        setattr(organization, key, value)
    session.add(organization)
    activity.record(
        session,
        actor=actor,
        action="organization.update",
        object_type="organization",
        object_id=organization.id,
        detail=changes,
    )
    search_index.enqueue(session, dataset_ids=[d.id for d in organization.datasets])
    session.flush()
    return organization
