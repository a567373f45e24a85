"""Large harvests: items written in batches, files validated in other processes, the same records as one by one."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, col, select

from catalog.errors import Conflict
from catalog.models import Activity, Dataset, DatasetCreate, HarvestItem, Organization, Release, ReleaseState
from catalog.services import imports, search_index
from harvesters import run
from harvesters.sources import run_source
from tests.harvesters.ckan_portal import CkanPortal
from tests.harvesters.helpers import harvest, releases_of

DATASETS = 70  # two batches: the first holds the item the catalogue refuses, the second is written whole
REFUSED, DRAFT = 5, 66


def csv_for(number: int) -> bytes:
    if number == DRAFT:
        return b"kecamatan,jumlah\nPontianak Kota,100\nPontianak Barat\n"  # a missing cell: validation error
    return f"kecamatan,jumlah\nPontianak Kota,{1000 + number}\nPontianak Barat,{2000 + number}\n".encode()


@pytest.fixture
def portal(database_url: str) -> Iterator[CkanPortal]:
    from catalog import settings

    settings.get_settings().harvest_allowed_hosts = "127.0.0.0/8"
    portal = CkanPortal().start()
    for number in range(DATASETS):
        name = f"data-{number:03d}"
        portal.files[f"/files/{name}.csv"] = csv_for(number)
        portal.add(
            name,
            "2025-01-01T00:00:00.000000",
            title="ab" if number == REFUSED else f"Data {number:03d}",
            resources=[{"name": name, "format": "CSV", "url": f"{portal.url}/files/{name}.csv"}],
        )
    yield portal
    portal.stop()


def _normalized(value: Any, dataset: Dataset) -> Any:
    """``value`` with what differs between two datasets by design (names, ids, times) taken out."""
    text = json.dumps(value, sort_keys=True, default=str)
    for own, common in ((dataset.slug, "SLUG"), (dataset.title, "TITLE"), (f'"id": {dataset.id}', '"id": 0')):
        text = text.replace(own, common)
    found = json.loads(text)
    if isinstance(found, dict):
        for key in ("created", "modified", "url"):
            found.pop(key, None)
    return found


def _history(session: Session, slug: str) -> dict[str, Any]:
    dataset = session.exec(select(Dataset).where(Dataset.slug == slug)).one()
    (release,) = releases_of(session, slug)
    entries = session.exec(select(Activity).where(Activity.dataset_id == dataset.id).order_by(col(Activity.id))).all()
    return {
        "activity": [(a.action, a.actor_name, _normalized(a.detail, dataset)) for a in entries],
        "release": _normalized(
            release.model_dump(
                exclude={
                    "id",
                    "dataset_id",
                    "created",
                    "submitted_at",
                    "reviewed_at",
                    "published_at",
                    "metadata_snapshot",
                    "version",  # the row's change counter: how many flushes wrote it, not what it says
                }
            ),
            dataset,
        ),
        "snapshot": _normalized(release.metadata_snapshot, dataset),
        "resources": [
            _normalized(r.model_dump(exclude={"id", "release_id", "sha256", "byte_size", "report_sha256"}), dataset)
            for r in release.resources
        ],
        "tags": sorted(t.name for t in dataset.tags),
        "themes": sorted(t.slug for t in dataset.themes),
        "searchable": search_index.documents(session, [dataset.id or 0])[dataset.id or 0] is not None,
    }


def test_a_large_harvest_keeps_every_item_and_writes_what_one_by_one_would(
    portal: CkanPortal, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "PROCESS_POOL_FROM", 1)  # validate in other processes, as a large harvest does
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    source_id, job = harvest(session, organization="diskominfo", type="ckan", url=portal.url, publish="auto")

    assert job.status == "finished"
    assert job.counts == {
        "seen": DATASETS,
        "created": DATASETS - 1,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "errors": 1,
    }
    refused = session.exec(select(HarvestItem).where(HarvestItem.remote_id == f"id-data-{REFUSED:03d}")).one()
    assert refused.status == "error" and refused.errors[0]["stage"] == "import"
    assert "title" in refused.errors[0]["message"]
    (draft,) = releases_of(session, f"data-{DRAFT:03d}")
    assert draft.state == ReleaseState.draft and draft.resources[0].validation_valid is False
    warned = session.exec(select(HarvestItem).where(HarvestItem.remote_id == f"id-data-{DRAFT:03d}")).one()
    assert [e["message"] for e in warned.errors] == [run.DRAFT_WARNING]
    published = session.exec(select(Release).where(Release.state == ReleaseState.published)).all()
    assert len(published) == DATASETS - 2

    # data-010 was written one item per transaction (its batch held the refused item), data-065 in a batch.
    one_by_one, batched = _history(session, "data-010"), _history(session, "data-065")
    assert [a[0] for a in batched["activity"]] == [
        "dataset.create",
        "release.create",
        "release.submit",
        "release.approve",
    ]
    assert batched == one_by_one
    assert batched["searchable"] and batched["resources"][0]["validation_valid"] is True

    again = run_source(session, source_id=source_id)
    assert again.counts["unchanged"] == DATASETS - 1 and again.counts["created"] == 0


def test_a_batch_the_catalogue_refuses_adds_nothing(database_url: str, session: Session) -> None:
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    actor = run.harvester_account(session)

    def new(slug: str) -> imports.DatasetImport:
        return imports.DatasetImport(
            data=DatasetCreate(
                slug=slug, title=f"Data {slug}", organization="diskominfo", tags=["Kependudukan", "penduduk"]
            )
        )

    made = imports.import_datasets(session, items=[new("satu"), new("dua")], actor=actor)
    session.commit()
    assert [d.slug for d in made] == ["satu", "dua"] and all(not d.releases for d in made)  # no data: no release
    assert sorted(t.name for t in made[0].tags) == ["kependudukan", "penduduk"]
    for clash in ([new("tiga"), new("tiga")], [new("empat"), new("satu")]):
        with pytest.raises(Conflict, match="already exists"):
            imports.import_datasets(session, items=clash, actor=actor)
        session.rollback()
    assert sorted(session.exec(select(Dataset.slug)).all()) == ["dua", "satu"]


def test_a_refused_change_leaves_the_other_changes_of_its_batch_with_one_new_release_each(
    portal: CkanPortal, session: Session
) -> None:
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    source_id, first = harvest(session, organization="diskominfo", type="ckan", url=portal.url, publish="auto")
    assert first.counts["created"] == DATASETS - 1
    portal.files["/files/data-000.csv"] = b"kecamatan,jumlah\nPontianak Kota,1\n"
    portal.packages["data-000"]["metadata_modified"] = "2026-01-01T00:00:00.000000"
    portal.packages["data-001"].update(title="xy", metadata_modified="2026-01-01T00:00:00.000000")
    portal.packages[f"data-{REFUSED:03d}"]["title"] = "Data yang kini sah"  # new in the same batch

    changed = run_source(session, source_id=source_id)
    assert changed.counts["updated"] == 1 and changed.counts["created"] == 1 and changed.counts["errors"] == 1
    assert [r.state for r in releases_of(session, "data-000")] == [ReleaseState.published] * 2
    assert len(releases_of(session, "data-001")) == 1
    assert [r.state for r in releases_of(session, f"data-{REFUSED:03d}")] == [ReleaseState.published]
