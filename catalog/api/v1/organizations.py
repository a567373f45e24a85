"""Organizations (OPDs)."""

from fastapi import APIRouter, status

from catalog import permissions
from catalog.api.deps import CurrentUser, SessionDep
from catalog.api.openapi import answers
from catalog.models import OrganizationCreate, OrganizationPublic, OrganizationUpdate
from catalog.services import organizations

router = APIRouter(prefix="/organizations", tags=["organizations"])
PUBLIC = [permissions.route_rule(permissions.PUBLIC)]
ADMIN = [permissions.route_rule(permissions.ADMIN)]


@router.get("", response_model=list[OrganizationPublic], dependencies=PUBLIC)
def list_organizations(session: SessionDep) -> list[OrganizationPublic]:
    """List the OPDs with their number of datasets."""
    return organizations.list_organizations(session)


@router.get("/{slug}", response_model=OrganizationPublic, dependencies=PUBLIC)
def get_organization(slug: str, session: SessionDep) -> OrganizationPublic:
    """Get one OPD by its slug."""
    return organizations.to_public(organizations.get_organization(session, slug=slug))


@router.post(
    "",
    response_model=OrganizationPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=ADMIN,
    responses=answers(409),
)
def create_organization(data: OrganizationCreate, session: SessionDep, user: CurrentUser) -> OrganizationPublic:
    """Create an OPD (admin only)."""
    return organizations.to_public(organizations.create_organization(session, data=data, actor=user))


@router.patch("/{slug}", response_model=OrganizationPublic, dependencies=ADMIN)
def update_organization(
    slug: str, data: OrganizationUpdate, session: SessionDep, user: CurrentUser
) -> OrganizationPublic:
    """Edit an OPD (admin only)."""
    return organizations.to_public(organizations.update_organization(session, slug=slug, data=data, actor=user))
