"""The composition root: builds the FastAPI application."""

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from catalog import permissions
from catalog.api.ckan import actions as ckan_actions
from catalog.api.ckan import datastore as ckan_datastore  # noqa: F401  (registers CKAN's DataStore actions)
from catalog.api.ckan import read as ckan_read  # noqa: F401  (registers CKAN's read actions)
from catalog.api.ckan import write as ckan_write  # noqa: F401  (registers CKAN's write actions)
from catalog.api.datastore import routes as datastore_routes
from catalog.api.dcat import datajson, datapackage, feeds, schemaorg
from catalog.api.dcat import rdf as dcat_rdf
from catalog.api.dcat.negotiation import DatasetNegotiation
from catalog.api.docs import install_documentation
from catalog.api.errors import UnexpectedErrors, install_error_handlers
from catalog.api.headers import SecurityHeaders
from catalog.api.kept_answers import KeptAnswers
from catalog.api.limits import BodySizeLimit
from catalog.api.openapi import install_openapi
from catalog.api.ratelimit import RateLimit
from catalog.api.v1 import datasets, meta, organizations, releases, schemas, search, users
from catalog.services import search_index
from catalog.services.files import file_store
from catalog.settings import get_settings
from catalog.web import install_portal
from harvesters import api as harvest_api

DESCRIPTION = """Terbuka: the open-data catalogue of Kota Pontianak (Satu Data Indonesia).

Reading is open to everyone. Writing needs an API token: `Authorization: Bearer <token>`
(`terbuka token create USER`). Errors are JSON: `{"error": {"code": "...", "message": "..."}}`.
"""


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # Index changes a process committed but died before applying are applied now, off the start-up path.
    threading.Thread(target=search_index.sync_after_commit, name="outbox-at-start", daemon=True).start()
    # What start-up made (modules, the app, its routes: some 200,000 objects) lives as long as the process.
    # Frozen, it is no longer walked by each full garbage collection, which would otherwise stop every
    # request in flight for about 100 ms a few times a minute under load.
    if not gc.get_freeze_count():  # once per process (tests start many apps in one)
        gc.collect()
        gc.freeze()
    yield


def create_app() -> FastAPI:
    settings = get_settings()
    file_store().sweep_scratch()  # what processes that are gone left (their TMPDIR: see `terbuka serve`)
    app = FastAPI(
        title="Terbuka API", version="1", description=DESCRIPTION, docs_url=None, redoc_url=None, lifespan=_lifespan
    )
    install_error_handlers(app)
    install_documentation(app)
    install_openapi(app)
    v1 = APIRouter(prefix="/api/v1")
    for module in (organizations, datasets, releases, schemas, search, users, meta):
        v1.include_router(module.router)
    v1.include_router(harvest_api.router)
    v1.include_router(datastore_routes.router)
    app.include_router(v1)
    app.include_router(ckan_actions.router)
    for document in (schemaorg, datapackage, dcat_rdf, datajson, feeds):  # schema.json before the .jsonld route
        app.include_router(document.router)

    @app.get("/healthz", include_in_schema=False, dependencies=[permissions.route_rule(permissions.PUBLIC)])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    install_portal(app)

    for route in app.routes:  # the OpenAPI document FastAPI serves
        if getattr(route, "path", None) == app.openapi_url:
            permissions.declare(route, permissions.PUBLIC)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    app.add_middleware(UnexpectedErrors)  # around the routes; inside the rate limit and the security headers
    app.add_middleware(KeptAnswers)  # inside the rate limit: a kept answer is a request like any other
    app.add_middleware(
        RateLimit, per_minute=settings.rate_limit_per_minute, writes_per_minute=settings.rate_limit_writes_per_minute
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(DatasetNegotiation)
    return app
