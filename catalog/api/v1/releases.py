"""Releases, their files and the review workflow."""

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel
from sqlmodel import Session

from catalog import permissions
from catalog.api.deps import CurrentUser, OptionalUser, RowId, SessionDep
from catalog.api.openapi import answers
from catalog.errors import Invalid
from catalog.models import ReleasePublic, ResourcePublic, User
from catalog.services import download_counts, public_cache, releases
from catalog.services.files import MEDIA_TYPES, IncomingFile, file_store
from catalog.services.validation import ReleaseValidation, release_validation, report_path
from catalog.workflow import Action

router = APIRouter(tags=["releases"])
FILE = {"schema": {"type": "string", "format": "binary"}}
REPORT = {"schema": {"type": "object", "description": "a frictionless report (report/types.py's shape)"}}
DOWNLOAD_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The file, as an attachment (its media type, or application/octet-stream)",
        "content": {media_type: FILE for media_type in [*MEDIA_TYPES.values(), "application/octet-stream"]},
    },
    206: {"description": "The requested byte range", "content": {"application/octet-stream": FILE}},
    304: {"description": "Not modified (If-None-Match)"},
    307: {"description": "A link resource: the redirect to its URL"},
}
PUBLIC = [permissions.route_rule(permissions.PUBLIC)]
SIGNED_IN = [permissions.route_rule(permissions.SIGNED_IN)]


class TransitionNote(BaseModel):
    note: str | None = None


def _schema_field(schema: str | None) -> str | dict[str, Any] | None:
    """A schema form field is a registry name ("name" or "name/version") or an inline JSON Table Schema."""
    if schema is None or not schema.strip():
        return None
    if schema.lstrip().startswith("{"):
        try:
            parsed = json.loads(schema)
        except json.JSONDecodeError as exc:
            raise Invalid(f"schema is not valid JSON: {exc}", code="invalid_schema") from exc
        if not isinstance(parsed, dict):
            raise Invalid("schema must be a JSON object", code="invalid_schema")
        return parsed
    return schema.strip()


@router.post(
    "/datasets/{slug}/releases",
    response_model=ReleasePublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=SIGNED_IN,
    responses=answers(409, 413),
)
def create_release(
    slug: str,
    session: SessionDep,
    user: CurrentUser,
    files: Annotated[list[UploadFile], File(description="resource files")] = [],  # noqa: B006
    urls: Annotated[list[str], Form(description="remote resource URLs")] = [],  # noqa: B006
    notes: Annotated[str, Form()] = "",
    table_schema: Annotated[
        str | None, Form(alias="schema", description="registry schema name or inline Table Schema")
    ] = None,
) -> ReleasePublic:
    """Open a draft release with uploaded files (multipart) and/or remote URLs."""
    incoming = [IncomingFile(f.filename or "berkas", f.file) for f in files]
    release = releases.create_release(
        session,
        dataset_slug=slug,
        actor=user,
        notes=notes,
        files=incoming,
        urls=urls,
        schema=_schema_field(table_schema),
    )
    return releases.to_public(session, release)


@router.get("/releases/{release_id}", response_model=ReleasePublic, dependencies=PUBLIC)
def get_release(release_id: RowId, session: SessionDep, user: OptionalUser) -> ReleasePublic:
    """Get one release with its resources (withdrawn releases stay reachable here)."""
    return releases.to_public(session, releases.get_release(session, release_id=release_id, actor=user))


@router.get(
    "/review-queue", response_model=list[ReleasePublic], dependencies=[permissions.route_rule(permissions.REVIEWER)]
)
def review_queue(session: SessionDep, user: CurrentUser) -> list[ReleasePublic]:
    """Releases waiting for the walidata's (or the pembina's) review."""
    return [releases.to_public(session, r) for r in releases.pending_review(session, actor=user)]


class ReleaseNotes(BaseModel):
    notes: str


@router.patch("/releases/{release_id}", response_model=ReleasePublic, dependencies=SIGNED_IN, responses=answers(409))
def update_release(release_id: RowId, body: ReleaseNotes, session: SessionDep, user: CurrentUser) -> ReleasePublic:
    """Edit a draft release's notes."""
    release = releases.update_release_notes(session, release_id=release_id, notes=body.notes, actor=user)
    return releases.to_public(session, release)


@router.post(
    "/releases/{release_id}/resources",
    response_model=ResourcePublic,
    status_code=status.HTTP_201_CREATED,
    dependencies=SIGNED_IN,
    responses=answers(409, 413),
)
def add_resource(
    release_id: RowId,
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File()],
    table_schema: Annotated[str | None, Form(alias="schema")] = None,
) -> ResourcePublic:
    """Add a file to a draft release."""
    resource = releases.add_resource(
        session,
        release_id=release_id,
        incoming=IncomingFile(file.filename or "berkas", file.file),
        actor=user,
        schema=_schema_field(table_schema),
    )
    return releases.resource_public(resource.release, resource)


@router.delete(
    "/releases/{release_id}/resources/{resource_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=SIGNED_IN,
    responses=answers(409),
)
def remove_resource(release_id: RowId, resource_id: RowId, session: SessionDep, user: CurrentUser) -> Response:
    """Remove a file from a draft release."""
    releases.remove_resource(session, release_id=release_id, resource_id=resource_id, actor=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# Every workflow step answers the release, or 409 when its state refuses the step.
WORKFLOW_STEP: dict[str, Any] = {"response_model": ReleasePublic, "dependencies": SIGNED_IN, "responses": answers(409)}


def _move(session: Session, release_id: int, action: Action, user: User, body: TransitionNote | None) -> ReleasePublic:
    release = releases.transition(
        session, release_id=release_id, action=action, actor=user, note=body.note if body else None
    )
    return releases.to_public(session, release)


@router.post(
    "/releases/{release_id}/submit", response_model=ReleasePublic, dependencies=SIGNED_IN, responses=answers(409)
)
def submit_release(
    release_id: RowId, session: SessionDep, user: CurrentUser, body: TransitionNote | None = None
) -> ReleasePublic:
    """Submit a draft release for review (produsen of its OPD)."""
    return _move(session, release_id, Action.submit, user, body)


@router.post(
    "/releases/{release_id}/approve", response_model=ReleasePublic, dependencies=SIGNED_IN, responses=answers(409)
)
def approve_release(
    release_id: RowId, session: SessionDep, user: CurrentUser, body: TransitionNote | None = None
) -> ReleasePublic:
    """Approve and publish a submitted release (walidata); errors need a justification."""
    return _move(session, release_id, Action.approve, user, body)


@router.post(
    "/releases/{release_id}/return", response_model=ReleasePublic, dependencies=SIGNED_IN, responses=answers(409)
)
def return_release(
    release_id: RowId, session: SessionDep, user: CurrentUser, body: TransitionNote | None = None
) -> ReleasePublic:
    """Return a submitted release to its producer with a note (walidata, pembina)."""
    return _move(session, release_id, Action.return_, user, body)


@router.post(
    "/releases/{release_id}/reopen", response_model=ReleasePublic, dependencies=SIGNED_IN, responses=answers(409)
)
def reopen_release(
    release_id: RowId, session: SessionDep, user: CurrentUser, body: TransitionNote | None = None
) -> ReleasePublic:
    """Reopen a returned release as a draft (produsen)."""
    return _move(session, release_id, Action.reopen, user, body)


@router.post(
    "/releases/{release_id}/withdraw", response_model=ReleasePublic, dependencies=SIGNED_IN, responses=answers(409)
)
def withdraw_release(
    release_id: RowId, session: SessionDep, user: CurrentUser, body: TransitionNote | None = None
) -> ReleasePublic:
    """Withdraw a published release with a reason (walidata); it stays downloadable."""
    return _move(session, release_id, Action.withdraw, user, body)


@router.post(
    "/releases/{release_id}/endorse", response_model=ReleasePublic, dependencies=SIGNED_IN, responses=answers(409)
)
def endorse_release(
    release_id: RowId, session: SessionDep, user: CurrentUser, body: TransitionNote | None = None
) -> ReleasePublic:
    """Endorse a submitted Data Prioritas release (pembina)."""
    return _move(session, release_id, Action.endorse, user, body)


@router.get("/releases/{release_id}/validation", response_model=ReleaseValidation, dependencies=PUBLIC)
def get_validation(release_id: RowId, session: SessionDep, user: OptionalUser) -> ReleaseValidation:
    """Validation results of a release: per resource, counts per error type and the first errors."""
    return release_validation(releases.get_release(session, release_id=release_id, actor=user))


@router.get(
    "/releases/{release_id}/resources/{resource_id}/report",
    response_class=FileResponse,
    dependencies=PUBLIC,
    responses={200: {"description": "The frictionless validation report", "content": {"application/json": REPORT}}},
)
def get_report(release_id: RowId, resource_id: RowId, session: SessionDep, user: OptionalUser) -> FileResponse:
    """Download a resource's full validation report (frictionless report format)."""
    resource = releases.get_resource(session, release_id=release_id, resource_id=resource_id, actor=user)
    caching = _caching(permissions.may_cache_publicly(resource.release))
    return FileResponse(report_path(resource), media_type="application/json", headers=caching)


@router.get(
    "/releases/{release_id}/resources/{resource_id}/download",
    response_model=None,
    response_class=FileResponse,
    dependencies=PUBLIC,
    responses=DOWNLOAD_ANSWERS,
)
async def download(
    release_id: RowId, resource_id: RowId, request: Request, session: SessionDep, user: OptionalUser
) -> Response:
    """Download a resource file of a release (supports Range and ETag)."""
    served: ServedFile | None = public_cache.peek(("download", release_id, resource_id)) if user is None else None
    if served is None:
        served = await run_in_threadpool(_served_file, session, release_id, resource_id, user)
    if served.sha256 is None:
        return RedirectResponse(
            served.url or "", status_code=status.HTTP_307_TEMPORARY_REDIRECT, headers=_caching(served.public)
        )
    etag = f'"{served.sha256}"'
    cache = {"ETag": etag, **_caching(served.public)}
    if request.headers.get("if-none-match") in (etag, "*"):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=cache)
    # A download is counted once: not again for each later piece of a resumed or ranged transfer.
    if request.headers.get("range", "bytes=0-").startswith("bytes=0-"):
        download_counts.count(resource_id)
    media_type = downloaded_media_type(served.media_type)
    headers = {**cache, "X-Content-Type-Options": "nosniff"}
    path = str(file_store().path_for(served.sha256))
    if "range" not in request.headers:
        body = _small_files[path] if path in _small_files else await run_in_threadpool(_small_file, served.sha256)
        if body is not None:
            name = quote(served.name)
            disposition = f"filename*=utf-8''{name}" if name != served.name else f'filename="{served.name}"'
            headers |= {"Content-Disposition": f"attachment; {disposition}", "Accept-Ranges": "bytes"}
            return Response(body, media_type=media_type, headers=headers)
    stored = await run_in_threadpool(file_store().open, served.sha256)  # 404 when the file is missing
    return FileResponse(stored, media_type=media_type, filename=served.name, headers=headers)


# Files of at most 256 KiB, kept in memory by their path (256 of them, 64 MiB at most): stored files are
# named by their sha256, so what is kept never goes stale. Larger files and ranges stream from disk.
SMALL_FILE = 256 * 1024
_small_files: dict[str, bytes | None] = {}


def _small_file(sha256: str) -> bytes | None:
    """The stored file's bytes when it is small (read once), else None."""
    path = file_store().open(sha256)
    with open(path, "rb") as file:
        body = file.read(SMALL_FILE + 1)
    if len(_small_files) >= 256:
        _small_files.clear()
    _small_files[str(path)] = kept = body if len(body) <= SMALL_FILE else None
    return kept


@dataclass(frozen=True)
class ServedFile:
    sha256: str | None
    url: str | None
    media_type: str
    name: str
    public: bool  # shared caches may keep it


def _served_file(session: Session, release_id: int, resource_id: int, user: User | None) -> ServedFile:
    """What a download serves; for anonymous readers kept a moment (``public_cache``)."""

    def look_up() -> ServedFile:
        resource = releases.get_resource(session, release_id=release_id, resource_id=resource_id, actor=user)
        public = permissions.may_cache_publicly(resource.release)
        return ServedFile(resource.sha256, resource.url, resource.media_type, resource.name, public)

    return public_cache.cached(("download", release_id, resource_id), look_up) if user is None else look_up()


# Types a browser would run or render in this site's origin: an uploaded page or image with scripts.
ACTIVE_MEDIA_TYPES = {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"}
ACTIVE_MEDIA_TYPES |= {"text/javascript", "application/javascript", "application/x-javascript"}


def downloaded_media_type(media_type: str) -> str:
    """What a file is served as: anything a browser would execute in this origin goes out as plain bytes."""
    return "application/octet-stream" if media_type.split(";")[0].strip().lower() in ACTIVE_MEDIA_TYPES else media_type


def _caching(public: bool) -> dict[str, str]:
    if public:
        return {"Cache-Control": "public, max-age=31536000, immutable"}
    return {"Cache-Control": "private, no-store"}
