"""Many new datasets at once, each with its first release: what a large harvest imports.

The records are those of create_dataset → create_release → submit → approve, one dataset after
the other (the same objects, workflow rules and activity entries), written in a few statements per
batch instead of dozens per dataset. What the catalogue refuses raises before anything is added.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from catalog import workflow
from catalog.errors import Conflict
from catalog.models import Dataset, DatasetCreate, Release, User
from catalog.services import releases
from catalog.services.datasets import (
    check_license,
    may_create_in,
    metadata_snapshot,
    new_dataset,
    record_created,
    tags_named,
    themes_named,
)
from catalog.services.files import IncomingFile
from catalog.services.organizations import get_organization
from catalog.services.validation import check_schema_reference


@dataclass
class NewDataset:
    """One dataset to import: its metadata, its files (best already stored and validated) and links."""

    data: DatasetCreate
    files: list[IncomingFile] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    notes: str = ""
    schema: str | dict[str, Any] | None = None  # for the files without their own
    submit: bool = False  # submit the release once created
    publish: bool = False  # and approve it


def import_new(session: Session, *, items: list[NewDataset], actor: User | None) -> list[Dataset]:
    """Create the datasets and their first releases, submitted and published as each item says; an item
    with neither files nor links is a dataset without a release yet.

    Flushes but does not commit: the caller commits the batch. Returns the datasets in item order.
    """
    organizations = {slug: get_organization(session, slug=slug) for slug in {i.data.organization for i in items}}
    for organization in organizations.values():
        may_create_in(actor, organization)
    slugs = Counter(item.data.slug for item in items)
    taken = set(session.exec(select(Dataset.slug).where(col(Dataset.slug).in_(list(slugs)))).all())
    taken.update(slug for slug, count in slugs.items() if count > 1)
    if taken:
        raise Conflict(f"a dataset with slug {min(taken)!r} already exists", code="duplicate_slug")
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
            releases.link_resource(release, url=url, position=len(item.files) + position)
            for position, url in enumerate(item.urls)
        ]
        session.add(release)
        made.append((dataset, release))
    session.flush()

    for item, (dataset, first) in zip(items, made, strict=True):
        record_created(session, dataset, item.data, actor)
        if first is None:
            continue
        if not item.submit:  # submitting takes the snapshot anew
            first.metadata_snapshot = metadata_snapshot(dataset)
        releases.record_created(session, first, actor)
        if item.submit:
            releases.move(session, first, workflow.Action.submit, actor=actor)
            if item.publish:
                releases.move(session, first, workflow.Action.approve, actor=actor)
    session.flush()
    return [dataset for dataset, _ in made]
