"""The API's documentation pages (Swagger UI at /docs, ReDoc at /redoc), their scripts, styles and icon
served from this application: no request leaves the host (the Content-Security-Policy allows none)."""

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from catalog import permissions

# Swagger UI's and ReDoc's own builds, as the fastapi-offline package ships them.
ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/api-docs-assets"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"


def install_documentation(app: FastAPI) -> None:
    """Serve the documentation pages and their assets; create the app with ``docs_url=None, redoc_url=None``."""
    public = [permissions.route_rule(permissions.PUBLIC)]
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} — dokumentasi"
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="api-docs-assets")
    permissions.declare(app.routes[-1], permissions.PUBLIC)

    @app.get("/docs", include_in_schema=False, dependencies=public)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False, dependencies=public)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False, dependencies=public)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
