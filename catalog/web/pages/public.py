"""The public pages: home, search, dataset, release and OPD pages, readable without JavaScript."""

from typing import Annotated, Any, Literal
from xml.sax.saxutils import escape

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

from catalog import permissions
from catalog.api.deps import PageNumber, SessionDep
from catalog.api.v1 import search as search_api
from catalog.errors import NotFound
from catalog.services import datasets, organizations, releases
from catalog.settings import get_settings
from catalog.web import figures, opd_figures
from catalog.web.dataset_view import dataset_context, release_context
from catalog.web.i18n import _
from catalog.web.labels import facet_labels
from catalog.web.templating import render, use_request_locale

# Citizens' pages: anyone may read them (they show published data only).
router = APIRouter(
    include_in_schema=False,
    dependencies=[permissions.route_rule(permissions.PUBLIC), Depends(use_request_locale)],
)
Values = Annotated[list[str] | None, Query()]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    """Home: the search box, the catalogue's counts, newest and most downloaded datasets, themes and OPDs."""
    newest = search_api.search(sort="newest", per_page=6)
    popular = search_api.search(sort="downloads", per_page=6)
    return render(
        request,
        "home.html",
        title=_("Terbuka — Open data of Kota Pontianak"),
        description=_("Find, preview and download the open data of Kota Pontianak's departments (Satu Data)."),
        total=newest["total"],
        downloads=figures.total_downloads(session),
        organization_counts=newest["facets"].get("organization", {}),
        themes=newest["facets"].get("theme", {}),
        newest=newest["hits"],
        popular=popular["hits"],
        labels=facet_labels(session),
    )


@router.get("/cari", response_class=HTMLResponse)
def search_page(
    request: Request,
    session: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    organization: Values = None,
    theme: Values = None,
    tag: Values = None,
    format: Values = None,
    license: Values = None,
    frequency: Values = None,
    year: Values = None,
    kecamatan: Values = None,
    validation_status: Values = None,
    sort: Literal["relevance", "newest", "title", "downloads"] = "relevance",
    page: PageNumber = 1,
) -> HTMLResponse:
    """Search results with highlights, facets as filters with counts, sort and paging; the URL is shareable."""
    chosen = {
        "organization": organization or [],
        "theme": theme or [],
        "tag": tag or [],
        "format": format or [],
        "license": license or [],
        "frequency": frequency or [],
        "year": year or [],
        "kecamatan": kecamatan or [],
        "validation_status": validation_status or [],
    }
    result = search_api.search(
        q=q,
        organization=organization,
        theme=theme,
        tag=tag,
        format=format,
        license=license,
        frequency=frequency,
        year=year,
        kecamatan=kecamatan,
        validation_status=validation_status,
        sort=sort,
        page=page,
        per_page=20,
    )
    pages = max(1, -(-result["total"] // 20))
    title = _("Search: %(q)s", q=q) if q else _("All datasets")
    return render(
        request,
        "search.html",
        title=f"{title} — Terbuka",
        description=_("%(n)s datasets of Kota Pontianak match.", n=result["total"]),
        canonical_query={
            "q": q,
            **chosen,
            "sort": None if sort == "relevance" else sort,
            "page": page if page > 1 else None,
        },
        q=q,
        result=result,
        chosen=chosen,
        active=[(name, value) for name, values in chosen.items() for value in values],
        sort=sort,
        page=page,
        pages=pages,
        labels=facet_labels(session),
    )


@router.get("/dataset/{slug}", response_class=HTMLResponse)
def dataset_page(
    request: Request,
    slug: str,
    session: SessionDep,
    urut: Annotated[str | None, Query(max_length=200)] = None,
    turun: bool = False,
    hal: PageNumber = 1,
    kolom: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """A dataset: its description, license, update rhythm, quality, files, preview, chart, history and API use."""
    dataset = datasets.get_dataset(session, slug=slug, actor=None)
    context = dataset_context(session, dataset, sort=urut, descending=turun, page=hal, chart_column=kolom)
    return render(
        request,
        "dataset.html",
        title=f"{dataset.title} — {dataset.organization.abbreviation or dataset.organization.name} — Terbuka",
        description=context["summary"],
        og_type="article",
        **context,
    )


@router.get("/dataset/{slug}/rilis/{number}", response_class=HTMLResponse)
def release_page(request: Request, slug: str, number: int, session: SessionDep) -> HTMLResponse:
    """One release of a dataset: its notes, files, validation and what changed since the release before."""
    history = releases.list_releases(session, dataset_slug=slug, actor=None)
    release = next((r for r in history if r.number == number), None)
    if release is None:
        raise NotFound(f"no release {number} of {slug!r}", code="release_not_found")
    context = release_context(release, history)
    return render(
        request,
        "release.html",
        title=_("%(title)s, release %(n)s — Terbuka", title=release.dataset.title, n=number),
        description=_("Release %(n)s of %(title)s: its files and what changed.", n=number, title=release.dataset.title),
        **context,
    )


@router.get("/opd", response_class=HTMLResponse)
def organizations_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Every OPD that publishes data, with how many datasets it has published."""
    counts = search_api.search(per_page=1)["facets"].get("organization", {})
    return render(
        request,
        "organizations.html",
        title=_("Departments (OPD) — Terbuka"),
        description=_("The departments of Kota Pontianak that publish open data."),
        organizations=organizations.list_organizations(session),
        counts=counts,
    )


@router.get("/opd/{slug}", response_class=HTMLResponse)
def organization_page(request: Request, slug: str, session: SessionDep, page: PageNumber = 1) -> HTMLResponse:
    """An OPD: its published datasets and how it keeps to Satu Data (on time, valid, described)."""
    organization = organizations.get_organization(session, slug=slug)
    compliance = opd_figures.opd_compliance(session, organization)  # published datasets only
    pages = max(1, -(-compliance.datasets // 20))
    return render(
        request,
        "organization.html",
        title=f"{organization.name} — Terbuka",
        description=_("Open data published by %(name)s, Kota Pontianak.", name=organization.name),
        canonical_query={"page": page if page > 1 else None},
        organization=organization,
        listing=opd_figures.opd_datasets(session, organization, page=page),
        total=compliance.datasets,
        page=page,
        pages=pages,
        compliance=compliance,
    )


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots() -> str:
    """Crawlers may read everything public; the sitemap lists the datasets."""
    return f"User-agent: *\nAllow: /\nDisallow: /api/\nSitemap: {get_settings().base_url}/sitemap.xml\n"


def sitemap_urls(session: SessionDep) -> list[str]:
    base = get_settings().base_url
    urls = [f"{base}/", f"{base}/cari", f"{base}/opd"]
    urls += [f"{base}/opd/{o.slug}" for o in organizations.list_organizations(session)]
    page = 1
    while True:
        listing = datasets.list_datasets(session, sort="title", page=page, per_page=100)
        urls += [f"{base}/dataset/{d.slug}" for d in listing.items]
        if page * 100 >= listing.total:
            return urls
        page += 1


@router.get("/sitemap.xml")
def sitemap(session: SessionDep) -> Any:
    """Every public page's URL, for search engines."""
    body = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in sitemap_urls(session))
    xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>'
    return PlainTextResponse(xml, media_type="application/xml")
