"""DCAT-US (Project Open Data v1.1) ``/data.json`` of the published catalogue."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from catalog import permissions
from catalog.api.deps import SessionDep
from catalog.interop import catalogue, datajson, published

router = APIRouter(tags=["dcat"], dependencies=[permissions.route_rule(permissions.PUBLIC)])


@router.get("/data.json", response_class=JSONResponse)
def data_json(session: SessionDep) -> JSONResponse:
    """The whole published catalogue as a Project Open Data v1.1 data.json."""
    records = catalogue.page(session, number=1, size=max(1, catalogue.summary(session)[0]))
    return JSONResponse(datajson.catalog(records, published.licenses(session)))
