"""schema.org ``Dataset`` JSON-LD of a published dataset (the document the portal embeds in its page)."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from catalog import permissions
from catalog.api.deps import SessionDep
from catalog.interop import published, schemaorg

router = APIRouter(tags=["dcat"], dependencies=[permissions.route_rule(permissions.PUBLIC)])


@router.get("/dataset/{slug}.schema.json", response_class=JSONResponse)
def dataset_schema_org(slug: str, session: SessionDep) -> JSONResponse:
    """A published dataset as schema.org Dataset JSON-LD."""
    record = published.find(session, slug)
    return JSONResponse(
        schemaorg.dataset_jsonld(record, published.license_of(session, record)),
        media_type="application/ld+json",
    )
