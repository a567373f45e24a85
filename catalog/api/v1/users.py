"""Accounts (admin only)."""

from fastapi import APIRouter, status
from pydantic import BaseModel

from catalog import permissions
from catalog.api.deps import CurrentUser, SessionDep
from catalog.api.openapi import answers
from catalog.models import Role, User, UserPublic
from catalog.services import users

router = APIRouter(prefix="/users", tags=["users"], dependencies=[permissions.route_rule(permissions.ADMIN)])


class UserCreate(BaseModel):
    username: str
    role: Role
    organization: str | None = None
    full_name: str = ""
    email: str | None = None


class UserUpdate(BaseModel):
    role: Role | None = None
    organization: str | None = None
    is_active: bool | None = None


def _public(user: User) -> UserPublic:
    return UserPublic.model_validate(
        user, update={"organization": user.organization.slug if user.organization else None}
    )


@router.get("", response_model=list[UserPublic])
def list_users(session: SessionDep, user: CurrentUser) -> list[UserPublic]:
    """List all accounts."""
    return [_public(u) for u in users.list_users(session, actor=user)]


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED, responses=answers(404, 409))
def create_user(body: UserCreate, session: SessionDep, user: CurrentUser) -> UserPublic:
    """Create an account; give it a token with `terbuka token create`."""
    created = users.create_user(
        session,
        username=body.username,
        role=body.role,
        organization_slug=body.organization,
        full_name=body.full_name,
        email=body.email,
        actor=user,
    )
    return _public(created)


@router.patch("/{username}", response_model=UserPublic)
def update_user(username: str, body: UserUpdate, session: SessionDep, user: CurrentUser) -> UserPublic:
    """Change an account's role or OPD, or deactivate it (its tokens stop working)."""
    updated = users.update_user(
        session,
        username=username,
        actor=user,
        role=body.role,
        organization_slug=body.organization,
        is_active=body.is_active,
    )
    return _public(updated)
