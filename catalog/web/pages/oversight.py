"""The walidata's pages: the review queue, harvest sources with their last jobs, and compliance per OPD."""

import csv
import io

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from catalog.api.deps import SessionDep
from catalog.models import HarvestItem, HarvestJob, HarvestSource, Organization
from catalog.services import releases
from catalog.web import figures
from catalog.web.auth import SignedIn
from catalog.web.i18n import _
from catalog.web.pages.manage import staff_page
from catalog.web.templating import use_request_locale
from harvesters import portal

router = APIRouter(prefix="/kelola", include_in_schema=False, dependencies=[Depends(use_request_locale)])
JOBS_SHOWN = 5
ITEM_ERRORS_SHOWN = 20


@router.get("/tinjauan", response_class=HTMLResponse)
def review_queue(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    """Releases waiting for review, oldest first."""
    queue = releases.pending_review(session, actor=user)
    return staff_page(request, "manage/queue.html", _("Review queue"), user=user, queue=queue)


def compliance_rows(session: Session) -> list[figures.Compliance]:
    """Every OPD's figures, counting datasets that were never published as not on time."""
    statuses = figures.dataset_statuses(session, published_only=False)
    by_organization: dict[int, list[figures.DatasetStatus]] = {}
    for status in statuses:
        by_organization.setdefault(status.dataset.organization_id, []).append(status)
    organizations = session.exec(select(Organization).order_by(col(Organization.name))).all()
    return [figures.compliance(o, by_organization.get(o.id or 0, [])) for o in organizations]


@router.get("/kepatuhan", response_class=HTMLResponse)
def compliance_dashboard(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    """Per OPD: datasets on time vs overdue, share valid, metadata completeness, Data Prioritas."""
    releases.pending_review(session, actor=user)  # reviewers only, as for the queue
    return staff_page(
        request, "manage/compliance.html", _("Satu Data compliance"), user=user, rows=compliance_rows(session)
    )


@router.get("/kepatuhan.csv")
def compliance_csv(session: SessionDep, user: SignedIn) -> Response:
    """The compliance figures as CSV, for the yearly Satu Data evaluation."""
    releases.pending_review(session, actor=user)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "opd",
            "nama",
            "dataset",
            "terbit",
            "tepat_waktu",
            "terlambat",
            "valid",
            "diperiksa",
            "kelengkapan_metadata",
            "data_prioritas",
            "data_prioritas_tepat_waktu",
        ]
    )
    for row in compliance_rows(session):
        writer.writerow(
            [
                row.organization.slug,
                row.organization.name,
                row.datasets,
                row.published,
                row.on_time,
                row.overdue,
                row.valid,
                row.checked,
                "" if row.metadata_share is None else f"{row.metadata_share:.3f}",
                row.priority,
                row.priority_on_time,
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="kepatuhan-satu-data.csv"'},
    )


@router.get("/panen", response_class=HTMLResponse)
def harvest_sources(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    """Harvest sources, their last jobs, the items that failed, and for a source that covers a whole portal
    which OPD each remote organization went to."""
    releases.pending_review(session, actor=user)
    sources = session.exec(select(HarvestSource).order_by(col(HarvestSource.id))).all()
    names = {o.id: o.name for o in session.exec(select(Organization)).all()}
    jobs = {
        source.id: session.exec(
            select(HarvestJob)
            .where(HarvestJob.source_id == source.id)
            .order_by(col(HarvestJob.id).desc())
            .limit(JOBS_SHOWN)
        ).all()
        for source in sources
    }
    failed = {
        source.id: session.exec(
            select(HarvestItem)
            .where(HarvestItem.source_id == source.id, HarvestItem.status == "error")
            .order_by(col(HarvestItem.remote_id))
            .limit(ITEM_ERRORS_SHOWN)
        ).all()
        for source in sources
    }
    portals = {source.id: portal.mapping(session, source) for source in sources if portal.settings_of(source)}
    return staff_page(
        request,
        "manage/harvest.html",
        _("Harvest sources"),
        user=user,
        sources=sources,
        names=names,
        jobs=jobs,
        failed=failed,
        portals=portals,
    )
