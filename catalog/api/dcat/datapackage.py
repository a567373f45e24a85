"""Frictionless Data Package of a dataset's current release: the descriptor, and a zip with its files."""

import tempfile
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse

from catalog import permissions
from catalog.api.deps import SessionDep
from catalog.interop import datapackage, published

router = APIRouter(tags=["dcat"], dependencies=[permissions.route_rule(permissions.PUBLIC)])
CHUNK = 1024 * 1024


@router.get("/dataset/{slug}/datapackage.json", response_class=JSONResponse)
def datapackage_json(slug: str, session: SessionDep) -> JSONResponse:
    """The Data Package descriptor of a published dataset, Table Schemas inlined, paths to the downloads."""
    record = published.find(session, slug)
    return JSONResponse(datapackage.package(record, published.license_of(session, record)))


@router.get("/dataset/{slug}/datapackage.zip", response_class=StreamingResponse)
def datapackage_zip(slug: str, session: SessionDep) -> StreamingResponse:
    """The Data Package with its data files, as one zip."""
    record = published.find(session, slug)
    spool = tempfile.SpooledTemporaryFile(max_size=16 * CHUNK)  # noqa: SIM115  (closed by the stream below)
    datapackage.write_zip(record, published.license_of(session, record), spool)
    spool.seek(0)

    def chunks() -> Iterator[bytes]:
        with spool:
            while block := spool.read(CHUNK):
                yield block

    return StreamingResponse(
        chunks(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{record.dataset.slug}.zip"'},
    )
