"""A source that covers a whole CKAN portal: each remote organization's datasets land in its own OPD."""

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog.cli import app
from catalog.models import Dataset, HarvestSource, Organization, Role
from catalog.services.users import create_user
from harvesters.sources import run_source
from tests.harvesters.ckan_portal import CkanPortal

LOCAL = [  # slug, name, abbreviation
    ("diskominfo", "Dinas Komunikasi dan Informatika", "Diskominfo"),
    ("dinkes", "Dinas Kesehatan", "Dinkes"),
    ("disdik", "Dinas Pendidikan dan Kebudayaan", "Disdikbud"),
    ("bappeda", "Badan Perencanaan Pembangunan Daerah", "Bappeda"),
    ("disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil", "Disdukcapil"),
]
REMOTE = {  # remote organization → (its title, the OPD it should land in)
    "dinas-kesehatan": ("Dinas Kesehatan", "dinkes"),  # by name
    "disdikbud-ptk": ("DISDIKBUD", "disdik"),  # by abbreviation
    "bappeda": ("Bappeda Kota Pontianak", "bappeda"),  # by slug
    "capil": ("Dukcapil Kota", "disdukcapil"),  # by the explicit mapping
    "dishub": ("Dinas Perhubungan", "dishub"),  # by nothing: reported, until the source creates OPDs
}
PASSWORD = "kata-sandi-uji-123"
runner = CliRunner()


@pytest.fixture
def portal(session: Session) -> Iterator[CkanPortal]:
    from catalog import settings

    for slug, name, abbreviation in LOCAL:
        session.add(Organization(slug=slug, name=name, abbreviation=abbreviation))
    session.commit()
    settings.get_settings().harvest_allowed_hosts = "127.0.0.0/8"
    portal = CkanPortal().start()
    for remote, (title, _) in REMOTE.items():
        for number in (1, 2):
            name = f"{remote}-data-{number}"
            portal.files[f"/files/{name}.csv"] = f"kecamatan,jumlah\nPontianak Kota,{number}\n".encode()
            package = portal.add(
                name,
                "2025-01-01T00:00:00.000000",
                title=f"Data {number} {title}",
                organization=remote,
                resources=[{"name": name, "format": "CSV", "url": f"{portal.url}/files/{name}.csv"}],
            )
            package["organization"]["title"] = title
    orphan = portal.add("tanpa-opd", "2025-01-01T00:00:00.000000", title="Data Tanpa Organisasi")
    orphan["organization"], orphan["owner_org"] = None, None
    health = portal.packages["dinas-kesehatan-data-1"]
    health["groups"] = [{"name": "kesmas", "title": "Kesehatan Masyarakat"}, {"name": "g-7", "title": "Pendidikan"}]
    yield portal
    portal.stop()


def _homes(session: Session) -> dict[str, str]:
    session.expire_all()
    return {d.slug: d.organization.slug for d in session.exec(select(Dataset)).all()}


def _search(client: Any, q: str) -> list[str]:
    answer = client.get("/api/v1/search", params={"q": q})
    assert answer.status_code == 200, answer.text
    return sorted(hit["slug"] for hit in answer.json()["hits"])


def test_five_organizations_land_in_their_opds_in_one_job(
    portal: CkanPortal, session: Session, client: Any, make_account: Any, tmp_path: Path
) -> None:
    mapping = tmp_path / "opd.yaml"
    mapping.write_text("organizations:\n  capil: disdukcapil\ngroups:\n  kesmas: kesehatan\n")
    add = ["source", "add", "diskominfo", "--type", "ckan", "--url", portal.url, "--publish", "auto"]
    added = runner.invoke(app, [*add, "--map-file", str(mapping)])
    assert added.exit_code == 0, added.output
    source_id = int(added.stdout.strip())

    job = run_source(session, source_id=source_id)
    assert job.status == "finished", job.error
    assert job.counts["created"] == 8 and job.counts["errors"] == 3 and job.counts["unplaced"] == 3
    homes = _homes(session)
    for remote, (_, local) in REMOTE.items():
        for number in (1, 2):
            assert homes.get(f"{remote}-data-{number}") == (None if remote == "dishub" else local), remote
    assert "diskominfo" not in homes.values() and "tanpa-opd" not in homes  # nothing filed under the owner
    health = session.exec(select(Dataset).where(Dataset.slug == "dinas-kesehatan-data-1")).one()
    assert sorted(t.slug for t in health.themes) == ["kesehatan", "pendidikan"]

    assert _search(client, "dinkes") == ["dinas-kesehatan-data-1", "dinas-kesehatan-data-2"]
    assert _search(client, "disdikbud") == ["disdikbud-ptk-data-1", "disdikbud-ptk-data-2"]
    assert _search(client, "disdukcapil") == ["capil-data-1", "capil-data-2"]

    walidata = make_account("walidata", Role.walidata)
    view = client.get(f"/api/v1/harvest/sources/{source_id}/portal", headers=walidata.headers)
    assert view.status_code == 200, view.text
    placed = {p["remote"]: (p["organization"], p["how"]) for p in view.json()["placed"]}
    assert placed == {
        "dinas-kesehatan": ("dinkes", "name"),
        "disdikbud-ptk": ("disdik", "abbreviation"),
        "bappeda": ("bappeda", "slug"),
        "capil": ("disdukcapil", "map"),
    }
    unplaced = {u["remote_id"]: u["message"] for u in view.json()["unplaced"]}
    assert sorted(unplaced) == ["id-dishub-data-1", "id-dishub-data-2", "id-tanpa-opd"]
    assert "'dishub' (Dinas Perhubungan) matches no OPD" in unplaced["id-dishub-data-1"]
    assert "--create-orgs" in unplaced["id-dishub-data-1"]
    assert "no organization at the portal" in unplaced["id-tanpa-opd"]

    status = runner.invoke(app, ["harvest", "status", str(job.id)], terminal_width=250)
    assert status.exit_code == 0, status.output
    assert "disdukcapil" in status.stdout and "id-dishub-data-1" in status.stdout
    assert "matches no OPD" in status.stdout and "organization" in status.stdout

    # The source may now create OPDs: the next run places what it could not, and leaves the rest alone.
    edited = runner.invoke(app, ["source", "edit", str(source_id), "--create-orgs"], terminal_width=250)
    assert edited.exit_code == 0, edited.output
    again = run_source(session, source_id=source_id)
    assert again.counts["created"] == 2 and again.counts["unchanged"] == 8 and again.counts["unplaced"] == 1
    dishub = session.exec(select(Organization).where(Organization.slug == "dishub")).one()
    assert (dishub.name, dishub.abbreviation) == ("Dinas Perhubungan", "Dishub")
    assert _homes(session)["dishub-data-1"] == "dishub"
    assert _search(client, "dishub") == ["dishub-data-1", "dishub-data-2"]
    source = session.get(HarvestSource, source_id)
    assert source is not None and source.filters["portal"]["placed"]["dishub"]["how"] == "created"
    shown = runner.invoke(app, ["source", "show", str(source_id)], terminal_width=250)
    assert shown.exit_code == 0 and "created" in shown.stdout and "id-tanpa-opd" in shown.stdout

    create_user(session, username="wali", role=Role.walidata, password=PASSWORD)
    session.commit()
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/masuk").text)
    assert token is not None
    form = {"username": "wali", "password": PASSWORD, "csrf": token.group(1)}
    assert client.post("/masuk", data=form, follow_redirects=False).status_code == 303
    page = client.get("/kelola/panen")
    assert page.status_code == 200
    assert "Organisasi di portal" in page.text and "<code>capil</code> Dukcapil Kota</td><td>disdukcapil" in page.text
    assert "<code>id-tanpa-opd</code>: the dataset has no organization at the portal" in page.text


def test_who_may_harvest_a_whole_portal(portal: CkanPortal, session: Session, client: Any, make_account: Any) -> None:
    walidata = make_account("walidata", Role.walidata)
    admin = make_account("admin", Role.admin)
    producer = make_account("dinkes-data", Role.produsen, "dinkes")
    body: dict[str, Any] = {"organization": "diskominfo", "type": "ckan", "url": portal.url, "portal": {}}
    sources = "/api/v1/harvest/sources"
    assert client.post(sources, json=body, headers=producer.headers).status_code == 403
    created = client.post(sources, json=body, headers=walidata.headers)
    assert created.status_code == 201, created.text
    assert created.json()["filters"]["portal"] == {"orgs": {}, "groups": {}, "create_orgs": False}
    creating = {**body, "portal": {"create_orgs": True}}
    refused = client.post(sources, json=creating, headers=walidata.headers)
    assert refused.status_code == 403 and "only an admin" in refused.json()["error"]["message"]
    assert client.post(sources, json=creating, headers=admin.headers).status_code == 201
    unknown = client.post(sources, json={**body, "portal": {"orgs": {"x": "tidak-ada"}}}, headers=walidata.headers)
    assert unknown.status_code == 422 and "no OPD tidak-ada" in unknown.json()["error"]["message"]
    files = {**body, "type": "files", "url": "https://data.pontianak.go.id/berkas/"}
    assert client.post(sources, json=files, headers=walidata.headers).status_code == 422

    source_id = created.json()["id"]
    portal_url = f"{sources}/{source_id}/portal"
    mapped = client.put(portal_url, json={"orgs": {"dishub": "bappeda"}}, headers=walidata.headers)
    assert mapped.status_code == 200, mapped.text
    assert mapped.json()["settings"]["orgs"] == {"dishub": "bappeda"}
    assert client.put(portal_url, json={"create_orgs": True}, headers=walidata.headers).status_code == 403
    assert client.delete(portal_url, headers=walidata.headers).json()["filters"] == {}
    assert client.get(portal_url, headers=walidata.headers).status_code == 422

    # A source of one OPD still files everything under it.
    single = client.post(sources, json={**body, "portal": None}, headers=walidata.headers).json()
    job = run_source(session, source_id=single["id"])
    assert job.counts["created"] == 11 and set(_homes(session).values()) == {"diskominfo"}
