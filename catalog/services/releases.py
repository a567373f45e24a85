"""Releases: numbered, immutable once published, moved through the workflow."""

from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from catalog import permissions, workflow
from catalog.errors import Conflict, NotFound
from catalog.models import (
    Dataset,
    Release,
    ReleasePublic,
    ReleaseState,
    Resource,
    ResourcePublic,
    User,
    utcnow,
)
from catalog.services import activity, search_index
from catalog.services.datasets import get_dataset, metadata_snapshot
from catalog.services.files import IncomingFile, format_of, media_type_of, safe_name
from catalog.services.links import LinkDescription, check_link
from catalog.services.validation import apply_outcome, check_schema_reference, receive_file
from catalog.settings import get_settings

SEARCH_ACTIONS = {workflow.Action.approve, workflow.Action.withdraw}  # the moves that change what search shows


def get_release(session: Session, *, release_id: int, actor: User | None = None) -> Release:
    """A release the actor may see."""
    release = session.get(Release, release_id)
    if release is None or not permissions.may_see_release(actor, release):
        raise NotFound(f"no release {release_id}", code="release_not_found")
    return release


def get_resource(session: Session, *, release_id: int, resource_id: int, actor: User | None = None) -> Resource:
    return _resource_of(get_release(session, release_id=release_id, actor=actor), release_id, resource_id)


def _resource_of(release: Release, release_id: int, resource_id: int) -> Resource:
    resource = next((r for r in release.resources if r.id == resource_id), None)
    if resource is None:
        raise NotFound(f"no resource {resource_id} in release {release_id}", code="resource_not_found")
    return resource


def list_releases(session: Session, *, dataset_slug: str, actor: User | None = None) -> list[Release]:
    dataset = get_dataset(session, slug=dataset_slug, actor=actor)
    releases = session.exec(
        select(Release).where(Release.dataset_id == dataset.id).order_by(col(Release.number).desc())
    ).all()
    return [r for r in releases if permissions.may_see_release(actor, r)]


def _username(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id else None
    return user.username if user else None


def resource_public(release: Release, resource: Resource) -> ResourcePublic:
    base = get_settings().base_url
    return ResourcePublic.model_validate(
        resource,
        update={"download_url": f"{base}/api/v1/releases/{release.id}/resources/{resource.id}/download"},
    )


def to_public(session: Session, release: Release) -> ReleasePublic:
    return ReleasePublic.model_validate(
        release,
        update={
            "dataset": release.dataset.slug,
            "created_by": _username(session, release.created_by_id),
            "submitted_by": _username(session, release.submitted_by_id),
            "reviewed_by": _username(session, release.reviewed_by_id),
            "endorsed_by": _username(session, release.endorsed_by_id),
            "resources": [resource_public(release, r) for r in release.resources],
        },
    )


def _require_editable(release: Release, actor: User | None) -> None:
    if release.state != ReleaseState.draft:
        raise Conflict(
            f"release {release.number} is {release.state.value}; only a draft can change "
            "(a published release never changes: make a new release)",
            code="release_immutable",
        )
    permissions.require_edit_release(actor, release)


def create_release(
    session: Session,
    *,
    dataset_slug: str,
    actor: User | None,
    notes: str = "",
    files: list[IncomingFile] | None = None,
    urls: list[str] | None = None,
    schema: str | dict[str, Any] | None = None,
    links: dict[str, LinkDescription] | None = None,
) -> Release:
    """Open a new draft release, numbered after the dataset's last one, with its resources (flushed)."""
    dataset: Dataset = get_dataset(session, slug=dataset_slug, actor=actor)
    permissions.require_add_release(actor, dataset)
    check_schema_reference(schema)
    assert dataset.id is not None
    last = session.exec(select(func.max(Release.number)).where(Release.dataset_id == dataset.id)).one()
    release = Release(
        dataset_id=dataset.id,
        number=(last or 0) + 1,
        notes=notes,
        created_by_id=actor.id if actor else None,
        metadata_snapshot=metadata_snapshot(dataset),
    )
    session.add(release)
    try:
        session.flush()
    except IntegrityError as exc:  # the edge rolls the unit of work back
        raise Conflict("another release was created at the same time; try again", code="release_race") from exc
    for incoming in files or []:
        check_schema_reference(incoming.schema)
        _add_file(session, release=release, incoming=incoming, schema=incoming.schema or schema)
    for url in urls or []:
        declared = (links or {}).get(url)
        session.add(link_resource(release, url=url, position=len(release.resources), declared=declared))
        session.flush()
        session.refresh(release)
    record_created(session, release, actor)
    session.flush()
    session.refresh(release)
    return release


def record_created(session: Session, release: Release, actor: User | None) -> None:
    activity.record(
        session,
        actor=actor,
        action="release.create",
        object_type="release",
        object_id=release.id,
        dataset_id=release.dataset_id,
        detail={"number": release.number, "resources": [r.name for r in release.resources]},
    )


def file_resource(
    release: Release, *, incoming: IncomingFile, schema: str | dict[str, Any] | None, position: int
) -> Resource:
    """A stored file as the resource at ``position`` of the release, validated (not yet added)."""
    prepared = incoming.prepared or receive_file(incoming.stream, incoming.filename, schema)
    stored = prepared.stored
    name = safe_name(incoming.filename)
    fmt = format_of(name)
    resource = Resource(
        release_id=release.id or 0,
        position=position,
        name=name,
        format=fmt,
        media_type=media_type_of(fmt, name),
        byte_size=stored.byte_size,
        sha256=stored.sha256,
        schema_ref=schema if isinstance(schema, str) else None,
        table_schema=schema if isinstance(schema, dict) else None,
    )
    apply_outcome(resource, prepared.outcome)
    return resource


def link_name(url: str) -> str:
    """A link's name from its URL: the path's last segment decoded, without query or fragment; else the host."""
    return path_name(url) or urlsplit(url).hostname or url


def path_name(url: str) -> str:
    path = urlsplit(url).path
    return safe_name(unquote(path.rstrip("/"))) if path.strip("/") else ""


def link_resource(release: Release, *, url: str, position: int, declared: LinkDescription | None = None) -> Resource:
    """A link resource: what its source declares, the rest guessed from the URL's path (never from a host name
    such as external.site.org, nor from a declared title)."""
    url = check_link(url)
    given = declared or LinkDescription()
    fmt = given.format[:20] or format_of(path_name(url))
    return Resource(
        release_id=release.id or 0,
        position=position,
        name=safe_name(given.name) if given.name.strip() else link_name(url),
        format=fmt,
        media_type=given.media_type[:120] or media_type_of(fmt, path_name(url)),
        byte_size=given.byte_size,
        url=url,
    )


def _add_file(
    session: Session, *, release: Release, incoming: IncomingFile, schema: str | dict[str, Any] | None
) -> Resource:
    resource = file_resource(release, incoming=incoming, schema=schema, position=len(release.resources))
    session.add(resource)
    session.flush()
    session.refresh(release)
    return resource


def add_resource(
    session: Session,
    *,
    release_id: int,
    incoming: IncomingFile,
    actor: User | None,
    schema: str | dict[str, Any] | None = None,
) -> Resource:
    release = get_release(session, release_id=release_id, actor=actor)
    _require_editable(release, actor)
    check_schema_reference(schema)
    resource = _add_file(session, release=release, incoming=incoming, schema=schema)
    activity.record(
        session,
        actor=actor,
        action="resource.add",
        object_type="resource",
        object_id=resource.id,
        dataset_id=release.dataset_id,
        detail={"release": release.number, "name": resource.name},
    )
    session.flush()
    return resource


def remove_resource(session: Session, *, release_id: int, resource_id: int, actor: User | None) -> None:
    """Take a resource out of a draft; the stored file stays (other releases may share it)."""
    release = get_release(session, release_id=release_id, actor=actor)
    resource = _resource_of(release, release_id, resource_id)
    _require_editable(release, actor)
    session.delete(resource)
    activity.record(
        session,
        actor=actor,
        action="resource.remove",
        object_type="resource",
        object_id=resource_id,
        dataset_id=release.dataset_id,
        detail={"release": release.number, "name": resource.name},
    )
    session.flush()


def update_release_notes(session: Session, *, release_id: int, notes: str, actor: User | None) -> Release:
    release = get_release(session, release_id=release_id, actor=actor)
    _require_editable(release, actor)
    release.notes = notes
    session.add(release)
    activity.record(
        session,
        actor=actor,
        action="release.update",
        object_type="release",
        object_id=release.id,
        dataset_id=release.dataset_id,
        detail={"notes": notes},
    )
    session.flush()
    return release


def transition(
    session: Session,
    *,
    release_id: int,
    action: workflow.Action,
    actor: User | None,
    note: str | None = None,
) -> Release:
    """Move a release through the workflow and log it (flushed); a refused move raises, and the edge rolls
    back. The search index follows through the outbox once the edge commits."""
    release = get_release(session, release_id=release_id, actor=actor)
    apply_transition(session, release, action, actor=actor, note=note)
    session.flush()
    session.refresh(release)
    return release


def apply_transition(
    session: Session, release: Release, action: workflow.Action, *, actor: User | None, note: str | None = None
) -> None:
    """Apply one transition to a release of this session, with its activity entry and search outbox row.

    Raises, changing nothing but a submitted release's metadata snapshot, when the policy or the workflow
    refuses."""
    permissions.require_transition(actor, release, action)
    assert actor is not None
    if action is workflow.Action.submit:
        release.metadata_snapshot = metadata_snapshot(release.dataset)
    previous = workflow.apply(release, action, actor=actor, note=note)
    if action is workflow.Action.approve:
        release.dataset.modified = utcnow()
        session.add(release.dataset)
    if action in SEARCH_ACTIONS:
        search_index.enqueue(session, dataset_ids=[release.dataset_id])
    session.add(release)
    activity.record(
        session,
        actor=actor,
        action=f"release.{action.value}",
        object_type="release",
        object_id=release.id,
        dataset_id=release.dataset_id,
        detail={"number": release.number, "from": previous.value, "to": release.state.value, "note": note},
    )


def pending_review(session: Session, *, actor: User | None) -> list[Release]:
    """The review queue: the submitted releases the actor reviews (the pembina: Data Prioritas only)."""
    permissions.require_review_queue(actor)
    releases = session.exec(
        select(Release).where(Release.state == ReleaseState.submitted).order_by(col(Release.submitted_at))
    ).all()
    return [r for r in releases if permissions.may_review_release(actor, r)]
