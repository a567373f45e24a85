"""Every harvest job keeps the errors and warnings its items had, whatever later jobs find."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog.cli import app
from catalog.models import HarvestItemError, Organization, Role
from harvesters import run
from harvesters.sources import list_items, run_source
from tests.harvesters.ckan_portal import CkanPortal
from tests.harvesters.helpers import harvest

CSV = b"kecamatan,jumlah\nPontianak Kota,100\nPontianak Barat,200\n"


@pytest.fixture
def portal(database_url: str) -> Iterator[CkanPortal]:
    from catalog import settings

    settings.get_settings().harvest_allowed_hosts = "127.0.0.0/8"
    portal = CkanPortal().start()
    portal.files["/files/data.csv"] = CSV
    for name in ("alfa", "bravo", "charlie"):
        portal.add(
            name,
            "2025-01-01T00:00:00.000000",
            title="ab" if name == "alfa" else f"Data {name}",  # too short a title: the catalogue refuses alfa
            resources=[{"name": name, "format": "CSV", "url": f"{portal.url}/files/data.csv"}],
        )
    yield portal
    portal.stop()


def _errors(items: list[Any]) -> dict[str, tuple[str, list[str]]]:
    """remote id → (status, errors); a refused short title reads 'import: title'."""

    def brief(error: dict[str, str]) -> str:
        refused = "title" in error["message"] and "at least 3 characters" in error["message"]
        return f"{error['stage']}: {'title' if refused else error['message']}"

    return {i.remote_id: (i.status, [brief(e) for e in i.errors]) for i in items}


def test_each_job_keeps_its_own_errors_after_later_jobs(
    portal: CkanPortal, session: Session, client: Any, make_account: Any
) -> None:
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    source_id, first = harvest(session, organization="diskominfo", type="ckan", url=portal.url, publish="auto")
    assert first.counts["errors"] == 1 and first.counts["created"] == 2

    # alfa is fixed at the source; bravo gets a title the catalogue refuses; charlie a file that is gone.
    portal.packages["alfa"]["title"], portal.packages["alfa"]["metadata_modified"] = "Data alfa", "2025-02-01T00:00:00"
    portal.packages["bravo"]["title"], portal.packages["bravo"]["metadata_modified"] = "xy", "2025-02-01T00:00:00"
    portal.packages["charlie"]["resources"][0]["url"] = f"{portal.url}/files/hilang.csv"
    portal.packages["charlie"]["metadata_modified"] = "2025-02-01T00:00:00"
    second = run_source(session, source_id=source_id)
    assert second.counts["errors"] == 1 and second.counts["created"] == 1 and second.counts["updated"] == 1
    third = run_source(session, source_id=source_id)  # nothing changed: nothing recorded, nothing lost
    assert third.counts["unchanged"] == 2 and third.counts["errors"] == 1

    first_errors = list_items(session, source_id=source_id, status="error", job_id=first.id)
    assert _errors(first_errors) == {"id-alfa": ("error", ["import: title"])}
    second_errors = _errors(list_items(session, source_id=source_id, job_id=second.id))
    assert second_errors["id-bravo"] == ("error", ["import: title"])
    assert second_errors["id-charlie"][0] == "ok" and "HTTP 404" in second_errors["id-charlie"][1][0]
    assert "id-alfa" not in second_errors or second_errors["id-alfa"] == ("ok", [])

    walidata = make_account("walidata", Role.walidata)
    items = f"/api/v1/harvest/sources/{source_id}/items"
    answer = client.get(items, params={"job": first.id, "status": "error"}, headers=walidata.headers)
    assert answer.status_code == 200
    assert [(i["remote_id"], i["status"], i["errors"][0]["stage"]) for i in answer.json()] == [
        ("id-alfa", "error", "import")
    ]
    now = client.get(items, params={"status": "error"}, headers=walidata.headers).json()
    assert [i["remote_id"] for i in now] == ["id-bravo"]

    runner = CliRunner()
    shown = runner.invoke(app, ["harvest", "status", str(first.id)], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "id-alfa" in shown.stdout and "id-bravo" not in shown.stdout
    shown = runner.invoke(app, ["harvest", "status", str(second.id)], terminal_width=200)
    assert "id-bravo" in shown.stdout and "id-alfa" not in shown.stdout


def test_a_refused_item_is_recorded_once_and_clean_items_add_no_rows(
    portal: CkanPortal, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch holding the refused item is rolled back and written again one by one: the history has no
    rows of the rolled-back attempt, and nothing for the items that went through cleanly."""
    monkeypatch.setattr(run, "BATCH", 3)
    session.add(Organization(slug="diskominfo", name="Dinas Komunikasi dan Informatika"))
    session.commit()
    _, job = harvest(session, organization="diskominfo", type="ckan", url=portal.url, publish="auto")
    rows = session.exec(select(HarvestItemError).where(HarvestItemError.job_id == job.id)).all()
    assert [(r.remote_id, r.status, r.stage) for r in rows] == [("id-alfa", "error", "import")]
