"""Harvested datasets written down, any number at a time: the one path every harvested item takes.

A new dataset gets the records of create_dataset → create_release → submit → approve, one dataset
after the other (the same objects, workflow rules and activity entries), written in a few statements
per batch instead of dozens per dataset; what the catalogue refuses raises before anything is added. A
dataset harvested before gets its changed metadata and a new release through the same services an
editor uses. Nothing here commits: the caller commits the batch, or rolls it back and writes its items
one at a time.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from catalog import permissions, workflow
from catalog.db import rows_together
from catalog.errors import Conflict
from catalog.models import Activity, Dataset, DatasetCreate, DatasetUpdate, Release, SearchOutbox, User
from catalog.services import releases
from catalog.services.datasets import (
    check_license,
    metadata_snapshot,
    new_dataset,
    record_created,
    tags_named,
    themes_named,
    update_dataset,
)
from catalog.services.files import IncomingFile
from catalog.services.links import LinkDescription
from catalog.services.organizations import get_organization
from catalog.services.validation import check_schema_reference


@dataclass
class DatasetImport:
    """One dataset to import: its metadata, its files (best already stored and validated) and links; with
    ``existing``, the dataset an earlier import made, which gets the changed metadata and a new release."""

    data: DatasetCreate
    existing: Dataset | None = None
    unique_slug: str | None = None  # a new dataset's slug should ``data.slug`` be taken
    files: list[IncomingFile] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    links: dict[str, LinkDescription] = field(default_factory=dict)  # what the source declares per URL
    notes: str = ""
    schema: str | dict[str, Any] | None = None  # for the files without their own
    submit: bool = False  # submit the release once created
    publish: bool = False  # and approve it


def import_datasets(session: Session, *, items: list[DatasetImport], actor: User | None) -> list[Dataset]:
    """Create or update the datasets, each with a release submitted and published as its item says; an item
    with neither files nor links gets no release (a new dataset waits for its data).

    Flushes but does not commit: the caller commits the batch. Returns the datasets in item order."""
    new = [item for item in items if item.existing is None]
    made = iter(_create(session, items=new, actor=actor) if new else [])
    return [next(made) if item.existing is None else _update(session, item, actor) for item in items]


def _metadata_changes(dataset: Dataset, wanted: DatasetUpdate) -> DatasetUpdate | None:
    """The part of the imported metadata that differs from the dataset's, or None."""
    current: dict[str, Any] = {
        "tags": sorted(t.name for t in dataset.tags),
        "themes": sorted(t.slug for t in dataset.themes),
    }
    changes = {}
    for key, value in wanted.model_dump(exclude_unset=True).items():
        if key in current:
            if sorted(value or []) != current[key]:
                changes[key] = value
        elif value != getattr(dataset, key):
            changes[key] = value
    return DatasetUpdate(**changes) if changes else None


def _update(session: Session, item: DatasetImport, actor: User | None) -> Dataset:
    """A dataset imported before: its changed metadata (a file-only change leaves it and its activity log
    alone), back at its source, and a new release when there are files or links."""
    dataset = item.existing
    assert dataset is not None
    wanted = item.data.model_dump(exclude={"slug", "organization"}, exclude_unset=True)
    changes = _metadata_changes(dataset, DatasetUpdate(**wanted))
    if changes is not None:
        dataset = update_dataset(session, slug=dataset.slug, actor=actor, data=changes)
    if dataset.removed_at_source:
        dataset.removed_at_source = False
        session.add(dataset)
    if not (item.files or item.urls):
        return dataset
    release = releases.create_release(
        session,
        dataset_slug=dataset.slug,
        actor=actor,
        files=item.files,
        urls=item.urls,
        links=item.links,
        notes=item.notes,
        schema=item.schema,
    )
    for action, wanted_now in ((workflow.Action.submit, item.submit), (workflow.Action.approve, item.publish)):
        if wanted_now:
            releases.transition(session, release_id=release.id or 0, action=action, actor=actor)
    return dataset


def _settle_slugs(session: Session, items: list[DatasetImport]) -> None:
    """Give an item whose slug is taken (by a dataset, or by an earlier item of the batch) its own
    ``unique_slug``; raise Conflict when it has none or that one is taken too."""
    wanted = [item.data.slug for item in items] + [item.unique_slug for item in items if item.unique_slug]
    taken = set(session.exec(select(Dataset.slug).where(col(Dataset.slug).in_(wanted))).all())
    for item in items:
        slug = item.data.slug
        if slug in taken and item.unique_slug and item.unique_slug not in taken:
            item.data = item.data.model_copy(update={"slug": item.unique_slug})
        elif slug in taken:
            raise Conflict(f"a dataset with slug {slug!r} already exists", code="duplicate_slug")
        taken.add(item.data.slug)


def _create(session: Session, *, items: list[DatasetImport], actor: User | None) -> list[Dataset]:
    """New datasets and their first releases, in a few statements."""
    organizations = {slug: get_organization(session, slug=slug) for slug in {i.data.organization for i in items}}
    for organization in organizations.values():
        permissions.require_create_dataset_in(actor, organization)
    _settle_slugs(session, items)
    for license_id in {item.data.license_id for item in items}:
        check_license(session, license_id)
    for item in items:
        check_schema_reference(item.schema)
        for incoming in item.files:
            check_schema_reference(incoming.schema)
    tags = tags_named(session, [name for item in items for name in item.data.tags])
    themes = themes_named(session, sorted({slug for item in items for slug in item.data.themes}))

    made: list[tuple[Dataset, Release | None]] = []
    for item in items:
        dataset = new_dataset(item.data, organizations[item.data.organization], tags, themes)
        session.add(dataset)
        if not (item.files or item.urls):  # metadata only: the dataset waits for its data
            made.append((dataset, None))
            continue
        release = Release(dataset_id=0, number=1, notes=item.notes, created_by_id=actor.id if actor else None)
        release.dataset = dataset  # the id is set when both are written
        release.resources = [
            releases.file_resource(release, incoming=incoming, schema=incoming.schema or item.schema, position=position)
            for position, incoming in enumerate(item.files)
        ]
        release.resources += [
            releases.link_resource(release, url=url, position=len(item.files) + position, declared=item.links.get(url))
            for position, url in enumerate(item.urls)
        ]
        session.add(release)
        made.append((dataset, release))
    session.flush()

    # The batch's activity entries and search outbox rows: one INSERT each.
    with rows_together(session, Activity, SearchOutbox):
        for item, (dataset, first) in zip(items, made, strict=True):
            record_created(session, dataset, item.data, actor)
            if first is None:
                continue
            if not item.submit:  # submitting takes the snapshot anew
                first.metadata_snapshot = metadata_snapshot(dataset)
            releases.record_created(session, first, actor)
            if item.submit:
                releases.apply_transition(session, first, workflow.Action.submit, actor=actor)
                if item.publish:
                    releases.apply_transition(session, first, workflow.Action.approve, actor=actor)
    session.flush()
    return [dataset for dataset, _ in made]
