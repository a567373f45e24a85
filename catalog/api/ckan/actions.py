"""The CKAN action endpoint: CKAN's envelope, errors and status codes around Terbuka's services.

Every answer is ``{"help": URL, "success": bool, "result" | "error"}``. Errors carry CKAN's ``__type``
("Not Found Error" 404, "Authorization Error" 403, "Validation Error" 409, "Search Query Error" 409,
"Bad request" 400), which ckanapi turns back into its exceptions. Tokens come as CKAN clients send them:
``Authorization: TOKEN`` (with or without ``Bearer``) or ``X-CKAN-API-Key: TOKEN``.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from catalog import permissions
from catalog.api.ckan.params import BadRequest, Params, read_params
from catalog.db import get_engine
from catalog.errors import (
    STORAGE_FULL_MESSAGE,
    CatalogError,
    Forbidden,
    NotFound,
    StorageFull,
    Unauthorized,
    is_storage_full,
)
from catalog.interop.ckan_search import SearchQueryError
from catalog.interop.published import public_base
from catalog.models import User
from catalog.services import search_index
from catalog.services.users import token_for

log = logging.getLogger("terbuka.ckan")
router = APIRouter(tags=["ckan"])


@dataclass
class Call:
    """What an action gets: the session (committed by the endpoint), the caller and the parameters."""

    session: Session
    user: User | None
    params: Params


@dataclass(frozen=True)
class Action:
    function: Callable[[Call], Any]
    writes: bool


ACTIONS: dict[str, Action] = {}


def action(name: str, *, writes: bool = False) -> Callable[[Callable[[Call], Any]], Callable[[Call], Any]]:
    """Register a function as the CKAN action ``name``; its docstring is what help_show returns."""

    def register(function: Callable[[Call], Any]) -> Callable[[Call], Any]:
        ACTIONS[name] = Action(function, writes)
        return function

    return register


def help_url(name: str) -> str:
    return f"{public_base()}/api/3/action/help_show?name={name}"


def envelope(name: str, status: int, *, result: Any = None, error: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"help": help_url(name), "success": error is None}
    if error is None:
        body["result"] = result
    else:
        body["error"] = error
    return JSONResponse(body, status_code=status)


STORAGE_FULL = {"__type": "Storage Full", "message": STORAGE_FULL_MESSAGE}


def ckan_error(exc: CatalogError) -> tuple[int, dict[str, Any]]:
    """A Terbuka error as CKAN reports the same failure."""
    if isinstance(exc, StorageFull):
        return 507, STORAGE_FULL
    if isinstance(exc, NotFound):
        return 404, {"__type": "Not Found Error", "message": f"Not found: {exc.message}"}
    if isinstance(exc, Unauthorized | Forbidden):
        return 403, {"__type": "Authorization Error", "message": f"Access denied: {exc.message}"}
    if isinstance(exc, SearchQueryError):
        return 409, {"__type": "Search Query Error", "message": f"Search Query is invalid: {exc.message}"}
    fields = exc.detail if isinstance(exc.detail, dict) else {exc.code: [exc.message]}
    return 409, {"__type": "Validation Error", "message": exc.message, **fields}


def caller(session: Session, request: Request, *, writes: bool) -> User | None:
    """The token's user; a read-only token is refused by every write action (CKAN's 403)."""
    token = request.headers.get("x-ckan-api-key") or request.headers.get("authorization") or ""
    scheme, _, rest = token.strip().partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else token.strip()
    if not token:
        return None
    record = token_for(session, token=token)
    if writes and record.read_only:
        raise Forbidden(
            "this API token may only read: create a token without --read-only to write", code="token_read_only"
        )
    return record.user


def run(name: str, request: Request, params: Params) -> JSONResponse:
    """One action in one transaction: committed when it succeeds, rolled back when it fails."""
    found = ACTIONS.get(name)
    if found is None:
        return envelope(name, 400, error={"__type": "Bad request", "message": f"Action name not known: {name}"})
    if found.writes and request.method != "POST":
        return envelope(name, 400, error={"__type": "Bad request", "message": "Please use POST for this action"})
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            result = found.function(Call(session, caller(session, request, writes=found.writes), params))
            session.commit()
        except CatalogError as exc:
            session.rollback()
            status, error = ckan_error(exc)
            return envelope(name, status, error=error)
        except Exception as exc:
            session.rollback()
            if is_storage_full(exc):  # nothing of the call was kept
                log.error("storage full in CKAN action %s: %s", name, exc)
                return envelope(name, 507, error=STORAGE_FULL)
            log.exception("CKAN action %s failed", name)
            return envelope(name, 500, error={"__type": "Internal Server Error", "message": "Internal Server Error"})
    if found.writes:
        search_index.sync_after_commit()
    return envelope(name, 200, result=result)


async def call_action(name: str, request: Request) -> JSONResponse:
    try:
        params = await read_params(request)
    except BadRequest as exc:
        return envelope(name, 400, error={"__type": "Bad request", "message": f"Bad request - {exc}"})
    except Exception as exc:
        if not is_storage_full(exc):  # the upload could not be spooled to disk
            raise
        log.error("storage full while reading CKAN action %s: %s", name, exc)
        return envelope(name, 507, error=STORAGE_FULL)
    return await run_in_threadpool(run, name, request, params)


@router.get("/api/3/action/{name}", response_class=JSONResponse, operation_id="ckan_action_get")
@router.post("/api/3/action/{name}", response_class=JSONResponse, operation_id="ckan_action_post")
async def action_v3(name: str, request: Request) -> JSONResponse:
    """Call a CKAN action: package_search, package_show, organization_list, package_create… (GET or POST)."""
    return await call_action(name, request)


@router.get("/api/action/{name}", response_class=JSONResponse, operation_id="ckan_unversioned_action_get")
@router.post("/api/action/{name}", response_class=JSONResponse, operation_id="ckan_unversioned_action_post")
async def action_unversioned(name: str, request: Request) -> JSONResponse:
    """Call a CKAN action at CKAN's unversioned address, the one ckanapi uses."""
    return await call_action(name, request)


@router.get("/api/3")
@router.get("/api")
def api_version() -> dict[str, int]:
    """The CKAN API version this endpoint speaks."""
    return {"version": 3}


# Anyone may call an action; each action asks the object rules about its caller (CKAN's token headers).
for _route in router.routes:
    permissions.declare(
        _route, permissions.CKAN_ACTION if "/action/" in getattr(_route, "path", "") else permissions.PUBLIC
    )
