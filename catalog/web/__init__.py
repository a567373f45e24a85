"""The web portal: server-rendered pages over the same services as the API, and their static files."""

import inspect
from collections.abc import Awaitable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog import permissions
from catalog.errors import CatalogError
from catalog.web.i18n import _
from catalog.web.pages import manage, oversight, public
from catalog.web.templating import render

STATIC = Path(__file__).parent / "static"


def is_page(request: Request) -> bool:
    """Pages answer errors in HTML; the API (and anything asking for JSON) keeps its JSON errors."""
    path = request.url.path
    return not path.startswith(("/api/", "/static/", "/docs", "/openapi", "/healthz"))


def _error_page(request: Request, status: int) -> Response:
    messages = {
        404: (_("Page not found"), _("There is no page at this address. Try searching for a dataset.")),
        403: (_("Not allowed"), _("You may not see this page.")),
    }
    heading, text = messages.get(status, (_("Something went wrong"), _("The page could not be shown.")))
    return render(
        request,
        "error.html",
        title=f"{heading} — Terbuka",
        description=text,
        heading=heading,
        text=text,
        status_code=status,
    )


async def _delegate(answer: Response | Awaitable[Response]) -> Response:
    return await answer if inspect.isawaitable(answer) else answer


def install_portal(app: FastAPI) -> None:
    """Mount the pages and the static files; errors on pages become HTML pages, API errors stay JSON."""
    app.include_router(public.router)
    for staff in (manage.router, oversight.router):
        for route in staff.routes:  # each page checks the session itself (catalog/web/auth.py)
            permissions.declare(route, permissions.PORTAL_SESSION)
        app.include_router(staff)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    permissions.declare(app.routes[-1], permissions.PUBLIC)
    api_catalog_error = app.exception_handlers[CatalogError]
    api_http_error = app.exception_handlers[StarletteHTTPException]

    async def catalog_error(request: Request, exc: Exception) -> Response:
        if is_page(request) and isinstance(exc, CatalogError):
            if exc.status == 401:  # a staff page without a session: sign in, then come back
                return RedirectResponse(f"/masuk?lanjut={quote(request.url.path)}", status_code=303)
            return _error_page(request, exc.status)
        return await _delegate(api_catalog_error(request, exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        if is_page(request) and isinstance(exc, StarletteHTTPException) and exc.status_code in (404, 405):
            return _error_page(request, 404)
        return await _delegate(api_http_error(request, exc))

    app.add_exception_handler(CatalogError, catalog_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
