"""Staff pages: signing in, a steward's datasets and releases, and the walidata's review of a release."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select

from catalog.api.deps import RowId, SessionDep
from catalog.errors import CatalogError
from catalog.models import DatasetCreate, DatasetUpdate, License, Release, Role, Theme, UpdateFrequency, User
from catalog.services import datasets, releases
from catalog.services.files import IncomingFile
from catalog.services.users import verify_password
from catalog.services.validation import release_validation
from catalog.web import auth
from catalog.web.auth import CsrfChecked, PortalUser, SignedIn
from catalog.web.diff import diff_releases
from catalog.web.i18n import _
from catalog.web.labels import frequency_names, state_names
from catalog.web.review import error_groups, metadata_checklist
from catalog.web.templating import render, use_request_locale
from catalog.workflow import Action

router = APIRouter(include_in_schema=False, dependencies=[Depends(use_request_locale)])
SATU_DATA_EXTRAS = (
    "Cara Pengumpulan Data",
    "Metode Pengumpulan Data",
    "Periode Pelaksanaan Pengumpulan Data",
    "Cakupan Wilayah",
)


def staff_page(request: Request, template: str, title: str, **context: Any) -> HTMLResponse:
    """A staff page: not indexed, with the browser's CSRF token in its forms."""
    token = request.cookies.get(auth.CSRF_COOKIE) or auth.new_csrf_token()
    response = render(
        request, template, title=f"{title} — Terbuka", description=title, states=state_names(), csrf=token, **context
    )
    if request.cookies.get(auth.CSRF_COOKIE) != token:
        auth.set_csrf_cookie(request, response, token)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "no-store"
    return response


def back_to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


@router.get("/masuk", response_class=HTMLResponse)
def login_form(request: Request, user: PortalUser, lanjut: str = "/kelola") -> Response:
    """The sign-in form for stewards, the walidata and the pembina."""
    if user is not None:
        return back_to("/kelola")
    return staff_page(request, "login.html", _("Sign in"), next_path=_local(lanjut), error=None)


def _local(path: str) -> str:
    """Only a path of this site: never send a signed-in user elsewhere."""
    return path if path.startswith("/") and not path.startswith("//") else "/kelola"


@router.post("/masuk", dependencies=[CsrfChecked])
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    lanjut: Annotated[str, Form()] = "/kelola",
) -> Response:
    """Check the password; start a session."""
    try:
        user = verify_password(session, username=username.strip(), password=password)
    except CatalogError:
        refused = staff_page(
            request, "login.html", _("Sign in"), next_path=_local(lanjut), error=_("Wrong user name or password.")
        )
        refused.status_code = 401
        return refused
    response = back_to(_local(lanjut))
    auth.start_session(request, response, user)
    return response


@router.post("/keluar", dependencies=[CsrfChecked])
def logout(request: Request) -> Response:
    """End the session."""
    response = back_to("/")
    auth.end_session(request, response)
    return response


@router.get("/kelola", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    """A steward's datasets with their open releases; links to the walidata's work."""
    organization = user.organization.slug if user.role == Role.produsen and user.organization else None
    listing = datasets.list_datasets(
        session, organization=organization, include_unpublished=True, sort="title", per_page=100, actor=user
    )
    open_releases = {
        item.slug: [
            r
            for r in releases.list_releases(session, dataset_slug=item.slug, actor=user)
            if r.state.value in ("draft", "submitted", "returned")
        ]
        for item in listing.items
    }
    return staff_page(
        request, "manage/dashboard.html", _("My work"), user=user, listing=listing, open_releases=open_releases
    )


def _dataset_form_context(session: Session, user: User) -> dict[str, Any]:
    return {
        "licenses": session.exec(select(License)).all(),
        "themes": session.exec(select(Theme)).all(),
        "frequencies": frequency_names(),
        "extras_names": SATU_DATA_EXTRAS,
        "user": user,
    }


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


@router.get("/kelola/dataset-baru", response_class=HTMLResponse)
def new_dataset_form(request: Request, session: SessionDep, user: SignedIn) -> HTMLResponse:
    """The form for a new dataset with its Satu Data metadata."""
    return staff_page(
        request,
        "manage/new_dataset.html",
        _("New dataset"),
        values=DatasetForm().model_dump(),
        errors=[],
        **_dataset_form_context(session, user),
    )


class DatasetForm(BaseModel):
    """The new-dataset form as typed (all text: the checks are DatasetCreate's)."""

    slug: str = ""
    title: str = ""
    organization: str = ""
    description: str = ""
    license_id: str = "cc-by-4.0"
    update_frequency: str = "tidak tentu"
    temporal_start: str = ""
    temporal_end: str = ""
    spatial_coverage: str = ""
    contact_name: str = ""
    contact_email: str = ""
    is_priority: str = ""
    tags: str = ""
    themes: list[str] = []
    extras: list[str] = []

    def to_create(self, user: User) -> DatasetCreate:
        own = user.organization.slug if user.role == Role.produsen and user.organization else None
        return DatasetCreate(
            slug=self.slug.strip(),
            organization=own or self.organization,
            title=self.title.strip(),
            description=self.description,
            license_id=self.license_id,
            update_frequency=UpdateFrequency(self.update_frequency),
            temporal_start=date.fromisoformat(self.temporal_start) if self.temporal_start else None,
            temporal_end=date.fromisoformat(self.temporal_end) if self.temporal_end else None,
            spatial_coverage=_split(self.spatial_coverage),
            contact_name=self.contact_name.strip() or None,
            contact_email=self.contact_email.strip() or None,
            is_priority=self.is_priority == "1",
            tags=_split(self.tags),
            themes=self.themes,
            extras={
                name: value.strip() for name, value in zip(SATU_DATA_EXTRAS, self.extras, strict=False) if value.strip()
            },
        )


@router.post("/kelola/dataset-baru", dependencies=[CsrfChecked])
def create_dataset(
    request: Request, session: SessionDep, user: SignedIn, form: Annotated[DatasetForm, Form()]
) -> Response:
    """Create the dataset; on a mistake, the form again with what was typed and what is wrong."""
    try:
        dataset = datasets.create_dataset(session, data=form.to_create(user), actor=user)
    except (ValidationError, ValueError, CatalogError) as exc:
        session.rollback()
        response = staff_page(
            request,
            "manage/new_dataset.html",
            _("New dataset"),
            values=form.model_dump(),
            errors=_problems(exc),
            **_dataset_form_context(session, user),
        )
        response.status_code = 422
        return response
    return back_to(f"/kelola/dataset/{dataset.slug}")


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        return [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    if isinstance(exc, CatalogError):
        return [exc.message]
    return [str(exc)]


@router.get("/kelola/dataset/{slug}", response_class=HTMLResponse)
def dataset_admin(request: Request, slug: str, session: SessionDep, user: SignedIn) -> HTMLResponse:
    """A dataset as its staff see it: every release, and the form for a new one."""
    dataset = datasets.get_dataset(session, slug=slug, actor=user)
    return staff_page(
        request,
        "manage/dataset.html",
        dataset.title,
        dataset=dataset,
        history=releases.list_releases(session, dataset_slug=slug, actor=user),
        extras_names=SATU_DATA_EXTRAS,
        frequencies=frequency_names(),
        user=user,
    )


@router.post("/kelola/dataset/{slug}/rilis", dependencies=[CsrfChecked])
def create_release(
    request: Request,
    slug: str,
    session: SessionDep,
    user: SignedIn,
    files: Annotated[list[UploadFile], File()],
    notes: Annotated[str, Form()] = "",
    table_schema: Annotated[str, Form(alias="schema")] = "",
    update_frequency: Annotated[str, Form()] = "",
    extras: Annotated[list[str], Form()] = [],  # noqa: B006
) -> Response:
    """Upload the files of a new release with its Satu Data metadata; the release opens as a draft."""
    dataset = datasets.get_dataset(session, slug=slug, actor=user)
    changes = dict(dataset.extras)
    for name, value in zip(SATU_DATA_EXTRAS, extras, strict=False):
        if value.strip():
            changes[name] = value.strip()
    frequency = UpdateFrequency(update_frequency) if update_frequency else dataset.update_frequency
    if changes != dataset.extras or frequency != dataset.update_frequency:
        datasets.update_dataset(
            session, slug=slug, data=DatasetUpdate(extras=changes, update_frequency=frequency), actor=user
        )
    release = releases.create_release(
        session,
        dataset_slug=slug,
        actor=user,
        notes=notes,
        files=[IncomingFile(f.filename or "berkas", f.file) for f in files if f.filename],
        schema=table_schema.strip() or None,
    )
    return back_to(f"/kelola/rilis/{release.id}")


def release_page(
    request: Request, session: Session, release: Release, user: User, error: str | None = None
) -> HTMLResponse:
    history = releases.list_releases(session, dataset_slug=release.dataset.slug, actor=user)
    published = [r for r in history if r.number < release.number and r.state.value in ("published", "withdrawn")]
    previous = max(published, key=lambda r: r.number) if published else None
    response = staff_page(
        request,
        "manage/release.html",
        _("%(title)s, release %(n)s", title=release.dataset.title, n=release.number),
        release=release,
        dataset=release.dataset,
        user=user,
        validation=release_validation(release),
        groups={r.id: error_groups(r) for r in release.resources},
        checklist=metadata_checklist(release.dataset),
        previous=previous,
        diff=diff_releases(release, previous) if previous else None,
        error=error,
    )
    if error:
        response.status_code = 409
    return response


@router.get("/kelola/rilis/{release_id}", response_class=HTMLResponse)
def release_admin(request: Request, release_id: RowId, session: SessionDep, user: SignedIn) -> HTMLResponse:
    """A release for its steward and reviewers: the validation report by error type, the change since the
    last published release, the metadata checklist, and the moves the workflow allows."""
    release = releases.get_release(session, release_id=release_id, actor=user)
    return release_page(request, session, release, user)


@router.post("/kelola/rilis/{release_id}/berkas", dependencies=[CsrfChecked])
def add_file(
    request: Request,
    release_id: RowId,
    session: SessionDep,
    user: SignedIn,
    file: Annotated[UploadFile, File()],
    replaces: Annotated[int | None, Form()] = None,
    table_schema: Annotated[str, Form(alias="schema")] = "",
) -> Response:
    """Add a (corrected) file to a draft, taking out the file it replaces."""
    try:
        if replaces:
            releases.remove_resource(session, release_id=release_id, resource_id=replaces, actor=user)
        releases.add_resource(
            session,
            release_id=release_id,
            incoming=IncomingFile(file.filename or "berkas", file.file),
            actor=user,
            schema=table_schema.strip() or None,
        )
    except CatalogError as exc:
        session.rollback()
        release = releases.get_release(session, release_id=release_id, actor=user)
        return release_page(request, session, release, user, error=exc.message)
    return back_to(f"/kelola/rilis/{release_id}")


@router.post("/kelola/rilis/{release_id}/{action}", dependencies=[CsrfChecked])
def move_release(
    request: Request,
    release_id: RowId,
    action: Action,
    session: SessionDep,
    user: SignedIn,
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Submit, approve, return, endorse or reopen a release, with a note where the workflow asks for one."""
    try:
        releases.transition(session, release_id=release_id, action=action, actor=user, note=note.strip() or None)
    except CatalogError as exc:
        session.rollback()
        release = releases.get_release(session, release_id=release_id, actor=user)
        return release_page(request, session, release, user, error=exc.message)
    if action in (Action.approve, Action.return_):
        return back_to("/kelola/tinjauan")
    return back_to(f"/kelola/rilis/{release_id}")
