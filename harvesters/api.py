"""/api/v1/harvest: sources and jobs."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from catalog import permissions
from catalog.api.deps import CurrentUser, PageNumber, RowId, RowIdQuery, SessionDep
from catalog.api.openapi import answers
from catalog.models import HarvestItem, HarvestJob, HarvestSource
from harvesters import portal, sources
from harvesters.portal import PortalMapping, PortalSettings

# Harvest sources and jobs are the walidata's and the admin's.
router = APIRouter(
    prefix="/harvest", tags=["harvest"], dependencies=[permissions.route_rule(permissions.HARVEST_MANAGER)]
)


class SourceCreate(BaseModel):
    organization: str
    type: str
    url: str
    publish: Literal["auto", "review"] = "review"
    on_removed: Literal["flag", "withdraw"] = "flag"
    filters: dict[str, str] = {}
    default_schema: str | None = None
    schedule: str | None = None
    portal: PortalSettings | None = None  # the source covers a whole portal: its organizations go to their OPDs


@router.get("/sources", response_model=list[HarvestSource])
def list_sources(session: SessionDep) -> list[HarvestSource]:
    """List the harvest sources."""
    return sources.list_sources(session)


@router.post("/sources", response_model=HarvestSource, status_code=status.HTTP_201_CREATED, responses=answers(404))
def create_source(body: SourceCreate, session: SessionDep, user: CurrentUser) -> HarvestSource:
    """Register a source (CKAN, DCAT, Data Package or file drop) for an OPD, with an optional schedule."""
    return sources.add_source(session, actor=user, **body.model_dump(exclude={"portal"}), portal=body.portal)


@router.get("/sources/{source_id}", response_model=HarvestSource)
def get_source(source_id: RowId, session: SessionDep) -> HarvestSource:
    """Get one harvest source."""
    return sources.get_source(session, source_id=source_id)


@router.get("/sources/{source_id}/portal", response_model=PortalMapping, responses=answers(404, 422))
def get_portal(source_id: RowId, session: SessionDep) -> PortalMapping:
    """A whole-portal source's settings, which OPD each remote organization went to (and how), and the
    datasets it could not place, with why."""
    return portal.mapping(session, sources.get_source(session, source_id=source_id))


@router.put("/sources/{source_id}/portal", response_model=PortalMapping, responses=answers(403, 404, 422))
def put_portal(source_id: RowId, body: PortalSettings, session: SessionDep, user: CurrentUser) -> PortalMapping:
    """Make the source cover a whole portal, or change how it maps organizations and groups; the next run
    places the datasets it could not place before."""
    source = sources.set_portal(session, source_id=source_id, portal=body, actor=user)
    return portal.mapping(session, source)


@router.delete("/sources/{source_id}/portal", response_model=HarvestSource, responses=answers(403, 404))
def delete_portal(source_id: RowId, session: SessionDep, user: CurrentUser) -> HarvestSource:
    """File the source's new datasets under its own OPD again."""
    return sources.set_portal(session, source_id=source_id, portal=None, actor=user)


@router.post(
    "/sources/{source_id}/run", response_model=HarvestJob, status_code=status.HTTP_202_ACCEPTED, responses=answers(409)
)
def run_source(source_id: RowId, session: SessionDep) -> HarvestJob:
    """Queue a harvest of the source for the worker; follow it at /harvest/jobs/{id}."""
    from harvesters.tasks import enqueue

    job = enqueue(sources.queue_run(session, source_id=source_id))
    session.refresh(job)
    return job


@router.get("/jobs/{job_id}", response_model=HarvestJob)
def get_job(job_id: RowId, session: SessionDep) -> HarvestJob:
    """One harvest job: status, counts so far, heartbeat, error."""
    return sources.get_job(session, job_id=job_id)


@router.get("/sources/{source_id}/items", response_model=list[HarvestItem])
def list_items(
    source_id: RowId,
    session: SessionDep,
    status: Annotated[Literal["new", "ok", "error", "removed"] | None, Query()] = None,
    job: RowIdQuery | None = None,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[HarvestItem]:
    """A source's items: what each remote dataset became, and the errors of those that failed (by stage)."""
    return sources.list_items(
        session, source_id=source_id, status=status, job_id=job, limit=per_page, offset=(page - 1) * per_page
    )


@router.get("/jobs", response_model=list[HarvestJob])
def list_jobs(session: SessionDep, source: RowIdQuery | None = None) -> list[HarvestJob]:
    """The latest harvest jobs, of one source or all."""
    return sources.list_jobs(session, source_id=source)
