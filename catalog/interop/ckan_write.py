"""CKAN writes mapped onto the release workflow: metadata through the dataset services, files into a draft.

A CKAN client's change to files never edits a published release: it goes into the dataset's open draft —
the newest release when it is a draft, else a new draft that starts as a copy of the current release's files.
The draft then waits for its producer to submit it (portal, ``POST /api/v1/releases/{id}/submit``) and for
the walidata to publish it, as any release does. Metadata edits follow ``PATCH /api/v1/datasets/{slug}``.
"""

import re
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from catalog import permissions
from catalog.errors import Forbidden, Invalid, NotFound
from catalog.interop.published import Published
from catalog.models import Dataset, Release, ReleaseState, Resource, User
from catalog.services import activity, datasets, releases
from catalog.services.ckan_vocabulary import LICENSES, frequency
from catalog.services.files import IncomingFile, file_store

DERIVED_EXTRAS = {"produsen data"}  # shown by package_show, never stored back


def _date(name: str, value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value.strip() else None
    except ValueError:
        raise Invalid(
            f"{name}: not an ISO date: {value!r}", code="invalid_date", detail={name: ["Invalid date"]}
        ) from None


def metadata(package: dict[str, Any]) -> dict[str, Any]:
    """The Terbuka fields a CKAN package dict sets (only those it holds, for package_patch)."""
    fields: dict[str, Any] = {}
    for ckan_name, name in (
        ("title", "title"),
        ("notes", "description"),
        ("maintainer", "contact_name"),
        ("maintainer_email", "contact_email"),
    ):
        if ckan_name in package:
            fields[name] = package[ckan_name] or ("" if name == "description" else None)
    if "license_id" in package:
        given = str(package["license_id"] or "").strip().lower()
        fields["license_id"] = LICENSES.get(given, given) if given else "notspecified"
    if "tags" in package or "tag_string" in package:
        tags = package.get("tags") or [{"name": n} for n in str(package.get("tag_string") or "").split(",")]
        fields["tags"] = [str(t.get("name", "")) if isinstance(t, dict) else str(t) for t in tags]
    if "groups" in package:
        fields["themes"] = [str(g.get("name", "")) if isinstance(g, dict) else str(g) for g in package["groups"] or []]
    if "extras" in package:
        extras: dict[str, str] = {}
        for extra in package["extras"] or []:
            key, value = str(extra.get("key", "")).strip(), str(extra.get("value", ""))
            lowered = key.lower()
            if lowered == "kode wilayah":
                fields["spatial_coverage"] = [c.strip() for c in re.split(r"[,;]", value) if c.strip()]
            elif lowered == "periode update data":
                fields["update_frequency"] = frequency(value)
            elif lowered == "data prioritas":
                fields["is_priority"] = value.strip().lower() in ("ya", "true", "1", "yes")
            elif lowered in ("temporal_start", "temporal_end"):
                fields[lowered] = _date(lowered, value)
            elif key and lowered not in DERIVED_EXTRAS:
                extras[key] = value
        fields["extras"] = extras
    return fields


def find_dataset(session: Session, id_or_name: str) -> Dataset | None:
    """A dataset by slug or number, published or not."""
    dataset = session.exec(select(Dataset).where(Dataset.slug == id_or_name)).first()
    if dataset is None and id_or_name.isdigit() and len(id_or_name) < 10:
        dataset = session.get(Dataset, int(id_or_name))
    return dataset


def staff_dataset(session: Session, id_or_name: str, actor: User | None) -> Dataset:
    """A dataset the actor may see, found by slug or number; whether they may change it, the services decide."""
    dataset = find_dataset(session, id_or_name)
    if dataset is None:
        raise NotFound(f"no dataset {id_or_name!r}", code="dataset_not_found")
    return datasets.get_dataset(session, slug=dataset.slug, actor=actor)


def newest_release(session: Session, dataset: Dataset) -> Release | None:
    return session.exec(
        select(Release).where(Release.dataset_id == dataset.id).order_by(col(Release.number).desc())
    ).first()


def staff_view(session: Session, dataset: Dataset) -> tuple[Published, str]:
    """The dataset with its newest release, and CKAN's state for it: active once published, else draft."""
    release = newest_release(session, dataset) or Release(dataset_id=dataset.id or 0, number=0)
    state = "active" if release.state in (ReleaseState.published, ReleaseState.withdrawn) else "draft"
    return Published(dataset, release), state


def _copy(resource: Resource) -> tuple[IncomingFile | None, str | None]:
    if resource.sha256:
        stream = file_store().open(resource.sha256).open("rb")
        return IncomingFile(resource.name, stream, schema=resource.table_schema or resource.schema_ref), None
    return None, resource.url


def open_draft(session: Session, dataset: Dataset, actor: User | None, *, leave_out: int | None = None) -> Release:
    """The dataset's draft for CKAN's file changes; a new one copies the current files (but ``leave_out``)."""
    if not permissions.may_act_for(actor, dataset.organization_id):
        raise Forbidden("you may not change this OPD's data", code="wrong_organization")
    newest = newest_release(session, dataset)
    if newest is not None and newest.state == ReleaseState.draft:
        return newest
    current = datasets.current_release(session, dataset)
    kept = [_copy(r) for r in (current.resources if current else []) if r.id != leave_out]
    files = [incoming for incoming, _ in kept if incoming is not None]
    try:
        return releases.create_release(
            session,
            dataset_slug=dataset.slug,
            actor=actor,
            notes="Diubah lewat CKAN API",
            files=files,
            urls=[url for _, url in kept if url],
        )
    finally:
        for incoming in files:
            incoming.stream.close()


def add_link(session: Session, release: Release, *, url: str, actor: User | None) -> Resource:
    resource = releases.link_resource(release, url=url, position=len(release.resources))
    session.add(resource)
    session.flush()
    session.refresh(release)
    activity.record(
        session,
        actor=actor,
        action="resource.add",
        object_type="resource",
        object_id=resource.id,
        dataset_id=release.dataset_id,
        detail={"release": release.number, "name": resource.name},
    )
    return resource


def add_to_draft(
    session: Session,
    dataset: Dataset,
    actor: User | None,
    *,
    upload: IncomingFile | None,
    url: str,
    leave_out: int | None = None,
) -> Resource:
    """A resource (an uploaded file, else a link) added to the dataset's draft."""
    draft = open_draft(session, dataset, actor, leave_out=leave_out)
    if upload is not None:
        return releases.add_resource(session, release_id=draft.id or 0, incoming=upload, actor=actor)
    if not url:
        raise Invalid("give a file (upload) or a url", code="resource_without_data", detail={"url": ["Missing value"]})
    return add_link(session, draft, url=url, actor=actor)


def replace_resource(
    session: Session, resource_id: str, actor: User | None, *, upload: IncomingFile | None, url: str
) -> Resource:
    """resource_update: in a draft the resource is swapped; in a published release a new draft gets the new one."""
    resource = session.get(Resource, int(resource_id)) if resource_id.isdigit() and len(resource_id) < 10 else None
    if resource is None or not permissions.may_see_unpublished(actor, resource.release.dataset):
        raise NotFound(f"no resource {resource_id!r}", code="resource_not_found")
    dataset = resource.release.dataset
    draft = open_draft(session, dataset, actor, leave_out=resource.id)
    # The draft may hold the resource itself, or a copy of it made before this change.
    for old in list(draft.resources):
        if old.id == resource.id or (old.name, old.sha256, old.url) == (resource.name, resource.sha256, resource.url):
            releases.remove_resource(session, release_id=draft.id or 0, resource_id=old.id or 0, actor=actor)
    return add_to_draft(session, dataset, actor, upload=upload, url=url)


def set_resources(session: Session, draft: Release, wanted: list[Any], actor: User | None) -> None:
    """Make the draft's files those listed: an entry with the id of one of the dataset's files keeps that
    file, any other entry with a url becomes a link."""
    known = {
        str(r.id): r
        for r in session.exec(select(Resource).join(Release).where(Release.dataset_id == draft.dataset_id)).all()
        if r.release.state != ReleaseState.returned
    }
    kept = [known[str(w.get("id"))] for w in wanted if isinstance(w, dict) and str(w.get("id")) in known]
    for old in list(draft.resources):
        if not any((old.name, old.sha256, old.url) == (k.name, k.sha256, k.url) for k in kept):
            releases.remove_resource(session, release_id=draft.id or 0, resource_id=old.id or 0, actor=actor)
    session.refresh(draft)
    present = {(r.name, r.sha256, r.url) for r in draft.resources}
    for resource in kept:
        if (resource.name, resource.sha256, resource.url) not in present:
            incoming, url = _copy(resource)
            if incoming is not None:
                with incoming.stream:
                    releases.add_resource(session, release_id=draft.id or 0, incoming=incoming, actor=actor)
            elif url:
                add_link(session, draft, url=url, actor=actor)
    for entry in wanted:
        if isinstance(entry, dict) and str(entry.get("id")) not in known and entry.get("url"):
            add_link(session, draft, url=str(entry["url"]), actor=actor)
