"""Releases, their files and the review workflow."""

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel

from catalog.api.deps import CurrentUser, OptionalUser, RowId, SessionDep
from catalog.errors import Invalid
from catalog.models import ReleasePublic, ResourcePublic
from catalog.services import releases
from catalog.services.files import IncomingFile, file_store
from catalog.services.validation import ReleaseValidation, release_validation, report_path
from catalog.workflow import Action

router = APIRouter(tags=["releases"])


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


@router.post("/datasets/{slug}/releases", response_model=ReleasePublic, status_code=status.HTTP_201_CREATED)
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


@router.get("/releases/{release_id}", response_model=ReleasePublic)
def get_release(release_id: RowId, session: SessionDep, user: OptionalUser) -> ReleasePublic:
    """Get one release with its resources (withdrawn releases stay reachable here)."""
    return releases.to_public(session, releases.get_release(session, release_id=release_id, actor=user))


@router.get("/review-queue", response_model=list[ReleasePublic])
def review_queue(session: SessionDep, user: CurrentUser) -> list[ReleasePublic]:
    """Releases waiting for the walidata's (or the pembina's) review."""
    return [releases.to_public(session, r) for r in releases.pending_review(session, actor=user)]


class ReleaseNotes(BaseModel):
    notes: str


@router.patch("/releases/{release_id}", response_model=ReleasePublic)
def update_release(release_id: RowId, body: ReleaseNotes, session: SessionDep, user: CurrentUser) -> ReleasePublic:
    """Edit a draft release's notes."""
    release = releases.update_release_notes(session, release_id=release_id, notes=body.notes, actor=user)
    return releases.to_public(session, release)


@router.post("/releases/{release_id}/resources", response_model=ResourcePublic, status_code=status.HTTP_201_CREATED)
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


@router.delete("/releases/{release_id}/resources/{resource_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_resource(release_id: RowId, resource_id: RowId, session: SessionDep, user: CurrentUser) -> Response:
    """Remove a file from a draft release."""
    releases.remove_resource(session, release_id=release_id, resource_id=resource_id, actor=user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _transition(action: Action, summary: str) -> None:
    def move(
        release_id: RowId, session: SessionDep, user: CurrentUser, body: TransitionNote | None = None
    ) -> ReleasePublic:
        release = releases.transition(
            session, release_id=release_id, action=action, actor=user, note=body.note if body else None
        )
        return releases.to_public(session, release)

    move.__doc__ = summary
    router.add_api_route(
        f"/releases/{{release_id}}/{action.value}",
        move,
        methods=["POST"],
        response_model=ReleasePublic,
        name=f"{action.value}_release",
        summary=summary,
    )


_transition(Action.submit, "Submit a draft release for review (produsen of its OPD).")
_transition(Action.approve, "Approve and publish a submitted release (walidata); errors need a justification.")
_transition(Action.return_, "Return a submitted release to its producer with a note (walidata, pembina).")
_transition(Action.reopen, "Reopen a returned release as a draft (produsen).")
_transition(Action.withdraw, "Withdraw a published release with a reason (walidata); it stays downloadable.")
_transition(Action.endorse, "Endorse a submitted Data Prioritas release (pembina).")


@router.get("/releases/{release_id}/validation", response_model=ReleaseValidation)
def get_validation(release_id: RowId, session: SessionDep, user: OptionalUser) -> ReleaseValidation:
    """Validation results of a release: per resource, counts per error type and the first errors."""
    return release_validation(releases.get_release(session, release_id=release_id, actor=user))


@router.get("/releases/{release_id}/resources/{resource_id}/report")
def get_report(release_id: RowId, resource_id: RowId, session: SessionDep, user: OptionalUser) -> FileResponse:
    """Download a resource's full validation report (frictionless report format)."""
    resource = releases.get_resource(session, release_id=release_id, resource_id=resource_id, actor=user)
    return FileResponse(report_path(resource), media_type="application/json")


@router.get("/releases/{release_id}/resources/{resource_id}/download", response_model=None)
def download(
    release_id: RowId, resource_id: RowId, request: Request, session: SessionDep, user: OptionalUser
) -> Response:
    """Download a resource file of a release (supports Range and ETag)."""
    resource = releases.get_resource(session, release_id=release_id, resource_id=resource_id, actor=user)
    if resource.sha256 is None:
        return RedirectResponse(resource.url or "", status_code=status.HTTP_307_TEMPORARY_REDIRECT)
    etag = f'"{resource.sha256}"'
    cache = {"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if request.headers.get("if-none-match") in (etag, "*"):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=cache)
    # A download is counted once: not again for each later piece of a resumed or ranged transfer.
    if request.headers.get("range", "bytes=0-").startswith("bytes=0-"):
        releases.count_download(session, resource_id=resource_id)
    return FileResponse(
        file_store().open(resource.sha256), media_type=resource.media_type, filename=resource.name, headers=cache
    )
