"""DCAT-AP 3.0: the catalogue (Hydra-paged) and each dataset, in Turtle, RDF/XML and JSON-LD."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from catalog import permissions
from catalog.api.deps import PageNumber, SessionDep
from catalog.interop import catalogue, dcat, published

router = APIRouter(tags=["dcat"], dependencies=[permissions.route_rule(permissions.PUBLIC)])
PAGE_SIZE = 100


def _catalog(request: Request, session: SessionDep, extension: str, page: int, per_page: int) -> Response:
    total, modified = catalogue.summary(session)
    last_page = max(1, -(-total // per_page))
    base = f"{published.public_base()}/catalog.{extension}"

    def page_url(number: int) -> str:
        return f"{base}?page={number}" + (f"&per_page={per_page}" if per_page != PAGE_SIZE else "")

    records = catalogue.page(session, number=page, size=per_page)
    licenses = published.licenses(session)
    body, media_type = dcat.document(
        extension,
        lambda graph: dcat.catalog_page(
            graph,
            records,
            licenses,
            page=page,
            last_page=last_page,
            total=total,
            page_url=page_url,
            modified=modified,
        ),
    )
    return Response(body, media_type=media_type)


PerPage = Annotated[int, Query(ge=1, le=1000)]


@router.get("/catalog.ttl", response_class=Response)
def catalog_turtle(
    request: Request, session: SessionDep, page: PageNumber = 1, per_page: PerPage = PAGE_SIZE
) -> Response:
    """The DCAT-AP catalogue in Turtle, paged with Hydra (page, per_page ≤ 1000)."""
    return _catalog(request, session, "ttl", page, per_page)


@router.get("/catalog.rdf", response_class=Response)
def catalog_rdfxml(
    request: Request, session: SessionDep, page: PageNumber = 1, per_page: PerPage = PAGE_SIZE
) -> Response:
    """The DCAT-AP catalogue in RDF/XML, paged with Hydra (page, per_page ≤ 1000)."""
    return _catalog(request, session, "rdf", page, per_page)


@router.get("/catalog.jsonld", response_class=Response)
def catalog_jsonld(
    request: Request, session: SessionDep, page: PageNumber = 1, per_page: PerPage = PAGE_SIZE
) -> Response:
    """The DCAT-AP catalogue in JSON-LD, paged with Hydra (page, per_page ≤ 1000)."""
    return _catalog(request, session, "jsonld", page, per_page)


def _dataset(session: SessionDep, slug: str, extension: str) -> Response:
    record = published.find(session, slug)
    licenses = published.license_of(session, record)
    body, media_type = dcat.document(extension, lambda graph: dcat.dataset_description(graph, record, licenses))
    return Response(body, media_type=media_type)


@router.get("/dataset/{slug}.ttl", response_class=Response)
def dataset_turtle(slug: str, session: SessionDep) -> Response:
    """A published dataset in DCAT-AP, Turtle."""
    return _dataset(session, slug, "ttl")


@router.get("/dataset/{slug}.rdf", response_class=Response)
def dataset_rdfxml(slug: str, session: SessionDep) -> Response:
    """A published dataset in DCAT-AP, RDF/XML."""
    return _dataset(session, slug, "rdf")


@router.get("/dataset/{slug}.jsonld", response_class=Response)
def dataset_jsonld(slug: str, session: SessionDep) -> Response:
    """A published dataset in DCAT-AP, JSON-LD."""
    return _dataset(session, slug, "jsonld")
