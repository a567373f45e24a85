"""Datasets and their metadata."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from catalog import permissions
from catalog.api.deps import CurrentUser, OptionalUser, PageNumber, SessionDep
from catalog.api.openapi import answers
from catalog.models import ActivityPublic, DatasetCreate, DatasetPublic, DatasetUpdate, Page, ReleasePublic
from catalog.services import activity, datasets, public_cache, quality, releases

router = APIRouter(prefix="/datasets", tags=["datasets"])
PUBLIC = [permissions.route_rule(permissions.PUBLIC)]
SIGNED_IN = [permissions.route_rule(permissions.SIGNED_IN)]


@router.get("", response_model=Page[DatasetPublic], dependencies=PUBLIC, responses=answers(401))
@public_cache.shared
def list_datasets(
    session: SessionDep,
    user: OptionalUser,
    organization: str | None = None,
    tag: str | None = None,
    theme: str | None = None,
    license: str | None = None,
    format: str | None = None,
    sort: Literal["title", "-title", "modified", "-modified"] = "-modified",
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    include_unpublished: bool = False,
) -> Page[DatasetPublic]:
    """List published datasets, filtered and paged, with the total count."""
    return datasets.list_datasets(
        session,
        organization=organization,
        tag=tag,
        theme=theme,
        license=license,
        format=format,
        sort=sort,
        page=page,
        per_page=per_page,
        include_unpublished=include_unpublished,
        actor=user,
    )


@router.get("/{slug}", response_model=DatasetPublic, dependencies=PUBLIC)
@public_cache.shared
def get_dataset(slug: str, session: SessionDep, user: OptionalUser) -> DatasetPublic:
    """Get a dataset's metadata and its current release number."""
    return datasets.dataset_public(session, slug=slug, actor=user)


@router.post(
    "",
    response_model=DatasetPublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=SIGNED_IN,
    responses=answers(404, 409),
)
def create_dataset(data: DatasetCreate, session: SessionDep, user: CurrentUser) -> DatasetPublic:
    """Create a dataset for an OPD (its produsen, the walidata or an admin)."""
    return datasets.to_public(datasets.create_dataset(session, data=data, actor=user), current=None)


@router.patch("/{slug}", response_model=DatasetPublic, dependencies=SIGNED_IN, responses=answers(409))
def update_dataset(slug: str, data: DatasetUpdate, session: SessionDep, user: CurrentUser) -> DatasetPublic:
    """Edit a dataset's metadata; published releases keep their snapshot."""
    dataset = datasets.update_dataset(session, slug=slug, data=data, actor=user)
    current = datasets.current_release(session, dataset)
    return datasets.to_public(dataset, current=current.number if current else None)


@router.get("/{slug}/releases", response_model=list[ReleasePublic], dependencies=PUBLIC)
def list_releases(slug: str, session: SessionDep, user: OptionalUser) -> list[ReleasePublic]:
    """List a dataset's releases, newest first (drafts only for its staff)."""
    return [releases.to_public(session, r) for r in releases.list_releases(session, dataset_slug=slug, actor=user)]


@router.get("/{slug}/quality", response_model=quality.QualityScore, dependencies=PUBLIC)
def dataset_quality(slug: str, session: SessionDep, user: OptionalUser) -> quality.QualityScore:
    """The dataset's quality score (0-100) with the points and reason for each criterion."""
    return quality.quality_score(session, dataset=datasets.get_dataset(session, slug=slug, actor=user))


@router.get("/{slug}/activity", response_model=Page[ActivityPublic], dependencies=PUBLIC)
def dataset_activity(
    slug: str,
    session: SessionDep,
    user: OptionalUser,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page[ActivityPublic]:
    """The audit log of a dataset: who changed what, when."""
    dataset = datasets.get_dataset(session, slug=slug, actor=user)
    entries = activity.list_activity(
        session,
        dataset_id=dataset.id,
        page=page,
        per_page=per_page,
        actions=None if permissions.may_see_whole_activity(user, dataset) else permissions.PUBLIC_ACTIVITY,
    )
    return Page(
        items=[ActivityPublic.model_validate(e, update={"actor": e.actor_name}) for e in entries.items],
        total=entries.total,
        page=page,
        per_page=per_page,
    )
