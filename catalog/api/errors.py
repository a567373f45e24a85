"""Every error leaves as JSON with a stable code and a human message, never a stack trace."""

import inspect
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalog.errors import STORAGE_FULL_MESSAGE, CatalogError, StorageFull, is_storage_full
from search import SearchError

log = logging.getLogger("terbuka")

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "invalid",
    429: "too_many_requests",
    507: "storage_full",
}


def error_body(code: str, message: str, detail: object = None) -> dict[str, object]:
    body: dict[str, object] = {"error": {"code": code, "message": message}}
    if detail is not None:
        body["error"]["detail"] = detail  # type: ignore[index]
    return body


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CatalogError)
    async def _catalog_error(_request: Request, exc: CatalogError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.detail), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"), "message": err.get("msg", "")}
            for err in exc.errors()
        ]
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
        return JSONResponse(error_body("invalid_request", f"invalid request: {summary}", problems), status_code=422)

    async def _storage_full(request: Request) -> Response:
        # Answered as the domain error is, so that a portal page shows its own error page.
        answer = request.app.exception_handlers[CatalogError](request, StorageFull(STORAGE_FULL_MESSAGE))
        return await answer if inspect.isawaitable(answer) else answer

    @app.exception_handler(OSError)
    async def _disk_full(request: Request, exc: OSError) -> Response:
        # A full disk while a request body is spooled, a file validated or stored: nothing was kept.
        if not is_storage_full(exc):
            raise exc
        log.error("storage full on %s %s: %s", request.method, request.url.path, exc)
        return await _storage_full(request)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and is_storage_full(exc):  # the body could not be spooled to disk
            log.error("storage full while reading the body of %s %s", request.method, request.url.path)
            return await _storage_full(request)
        code = HTTP_CODES.get(exc.status_code, "http_error")
        message = str(exc.detail)
        if exc.status_code == 400 and request.headers.get("content-type", "").startswith("multipart/"):
            code = "malformed_multipart"
        elif message == "There was an error parsing the body":
            code = "unreadable_body"
            message = "the request body could not be read: send UTF-8 JSON or well-formed multipart/form-data"
        return JSONResponse(
            error_body(code, message), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(SearchError)
    async def _search_error(_request: Request, exc: SearchError) -> JSONResponse:
        return JSONResponse(error_body("invalid_search", str(exc)), status_code=422)

    @app.exception_handler(DataError)
    async def _bad_value(_request: Request, _exc: DataError) -> JSONResponse:
        # The database refused a value the route could not bound (a NUL byte, an out-of-range number).
        return JSONResponse(error_body("invalid_value", "a value in the request is not acceptable"), status_code=422)

    @app.exception_handler(StaleDataError)
    async def _concurrent_change(_request: Request, _exc: StaleDataError) -> JSONResponse:
        # Another request changed the same release between this one's read and its write.
        message = "the release was changed by another request at the same moment; reload it and try again"
        return JSONResponse(error_body("concurrent_change", message), status_code=409)

    @app.exception_handler(OperationalError)
    @app.exception_handler(PoolTimeout)
    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # Fail fast while the database is away; the pool's pre-ping reconnects once it is back.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
        return JSONResponse(
            error_body("database_unavailable", "the catalogue database is not answering; try again in a moment"),
            status_code=503,
            headers={"Retry-After": "5"},
        )


class UnexpectedErrors:
    """Answer an unexpected error with a logged JSON 500 and keep the connection.

    Starlette's own last-resort handler re-raises after answering, and uvicorn then closes the kept-alive
    connection under the client's next request; this middleware, just inside it, answers and stops there.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:  # half a response is out: only closing the connection tells the client
                raise
            response = JSONResponse(
                error_body("internal_error", "an unexpected error occurred; it has been logged"), status_code=500
            )
            await response(scope, receive, send)
