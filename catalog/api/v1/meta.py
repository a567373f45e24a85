"""Reference lists and the signed-in user."""

from fastapi import APIRouter
from sqlmodel import col, select

from catalog import permissions
from catalog.api.deps import CurrentUser, SessionDep
from catalog.models import License, Tag, Theme, UpdateFrequency, UserPublic

router = APIRouter(tags=["reference"])
PUBLIC = [permissions.route_rule(permissions.PUBLIC)]


@router.get("/licenses", response_model=list[License], dependencies=PUBLIC)
def list_licenses(session: SessionDep) -> list[License]:
    """List the licenses a dataset may carry."""
    return list(session.exec(select(License).order_by(col(License.id))).all())


@router.get("/themes", response_model=list[Theme], dependencies=PUBLIC)
def list_themes(session: SessionDep) -> list[Theme]:
    """List the themes (topics) datasets are grouped in."""
    return list(session.exec(select(Theme).order_by(col(Theme.slug))).all())


@router.get("/tags", response_model=list[str], dependencies=PUBLIC)
def list_tags(session: SessionDep) -> list[str]:
    """List all tags in use."""
    return list(session.exec(select(Tag.name).order_by(col(Tag.name))).all())


@router.get("/frequencies", response_model=list[str], dependencies=PUBLIC)
def list_frequencies() -> list[str]:
    """List the Satu Data update frequencies."""
    return [f.value for f in UpdateFrequency]


@router.get("/me", response_model=UserPublic, dependencies=[permissions.route_rule(permissions.SIGNED_IN)])
def me(user: CurrentUser) -> UserPublic:
    """Who the API token belongs to."""
    return UserPublic.model_validate(
        user, update={"organization": user.organization.slug if user.organization else None}
    )
