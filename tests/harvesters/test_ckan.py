"""Harvesting a CKAN-shaped portal on 127.0.0.1: import, idempotence, changes, vanished items."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import Session, select

from catalog.models import Activity, Dataset, HarvestItem, HarvestSource, Organization, ReleaseState
from harvesters.sources import add_source, run_source
from tests.harvesters.helpers import releases_of

ORIGINAL_FILES = {
    "/files/penduduk.csv": b"kecamatan,jumlah\nPontianak Timur,100195\nPontianak Barat,135351\n",
    "/files/sekolah.csv": b"nama,jenjang\nSD Negeri 01,SD\n",
}


def package(name: str, modified: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"id-{name}",
        "name": name,
        "title": extra.get("title", name.replace("-", " ").title()),
        "notes": "Data dari portal Satu Data Kota Pontianak.",
        "metadata_modified": modified,
        "license_id": extra.get("license_id", "cc-by"),
        "tags": [{"name": "kependudukan"}],
        "groups": [{"name": "kependudukan"}],
        "extras": [
            {"key": "Kode Wilayah", "value": "61.71.02, 61.71.03"},
            {"key": "Periode Update Data", "value": "Per Semester"},
            {"key": "Cara Pengumpulan Data", "value": "Rekapitulasi SIAK"},
        ],
        "resources": extra.get("resources", []),
    }


FILES: dict[str, bytes] = {}


class Portal(BaseHTTPRequestHandler):
    packages: ClassVar[list[dict[str, Any]]] = []
    base = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path in FILES:
            body, kind, status = FILES[parts.path], "text/csv", 200
        elif parts.path == "/api/3/action/package_search":
            query = parse_qs(parts.query)
            start, rows = int(query["start"][0]), min(int(query["rows"][0]), 1)  # the remote caps rows at 1
            page = Portal.packages[start : start + rows]
            body = json.dumps({"success": True, "result": {"count": len(Portal.packages), "results": page}}).encode()
            kind, status = "application/json", 200
        else:
            body, kind, status = b"not found", "text/plain", 404
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch, database_url: str) -> Iterator[str]:
    from catalog import settings

    FILES.clear()
    FILES.update(ORIGINAL_FILES)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    Portal.packages = [
        package(
            "jumlah-penduduk",
            "2025-01-01T00:00:00",
            resources=[
                {"name": "Penduduk Semester I", "format": "CSV", "url": f"{url}/files/penduduk.csv"},
                {"name": "Lampiran", "format": "PDF", "url": f"{url}/files/hilang.pdf"},
                {"name": "Peta", "format": "PDF", "url": "https://peta.pontianak.invalid/peta.pdf"},
            ],
        ),
        package(
            "daftar-sekolah",
            "2025-01-01T00:00:00",
            license_id="",
            title="Daftar Sekolah Dasar",
            resources=[{"name": "sekolah", "format": "CSV", "url": f"{url}/files/sekolah.csv"}],
        ),
    ]
    settings.get_settings().harvest_allowed_hosts = "127.0.0.0/8"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()
    server.server_close()


def test_harvest_import_then_nothing_then_one_change_then_a_vanished_item(portal: str, session: Session) -> None:
    session.add(Organization(slug="disdukcapil", name="Dinas Kependudukan dan Pencatatan Sipil"))
    session.commit()
    source = add_source(
        session, organization="disdukcapil", type="ckan", url=portal, publish="auto", on_removed="withdraw"
    )

    job = run_source(session, source_id=source.id or 0)
    assert job.status == "finished", job.error
    assert job.counts == {"seen": 2, "created": 2, "updated": 0, "unchanged": 0, "removed": 0, "errors": 0}
    penduduk = session.exec(select(Dataset).where(Dataset.slug == "jumlah-penduduk")).one()
    assert penduduk.update_frequency == "semesteran" and penduduk.spatial_coverage == ["61.71.02", "61.71.03"]
    assert penduduk.extras["Cara Pengumpulan Data"] == "Rekapitulasi SIAK"
    assert [t.slug for t in penduduk.themes] == ["kependudukan"]
    sekolah = session.exec(select(Dataset).where(Dataset.slug == "daftar-sekolah")).one()
    assert sekolah.license_id == "notspecified"
    first = releases_of(session, "jumlah-penduduk")
    assert [r.state for r in first] == [ReleaseState.published]
    # what could not be downloaded is kept as a link, but only one to a public host
    assert {r.name for r in first[0].resources} == {"Penduduk Semester I.csv", "peta.pdf"}
    item = session.exec(select(HarvestItem).where(HarvestItem.remote_id == "id-jumlah-penduduk")).one()
    assert item.errors[0]["stage"] == "fetch" and "HTTP 404" in item.errors[0]["message"]
    assert any("hilang.pdf" in e["message"] and "not a public address" in e["message"] for e in item.errors)

    again = run_source(session, source_id=source.id or 0)
    assert again.counts["unchanged"] == 2 and again.counts["created"] == again.counts["updated"] == 0
    assert len(releases_of(session, "jumlah-penduduk")) == 1

    FILES["/files/penduduk.csv"] += b"Pontianak Kota,120000\n"
    Portal.packages[0]["metadata_modified"] = "2025-07-01T00:00:00"
    changed = run_source(session, source_id=source.id or 0)
    assert changed.counts["updated"] == 1 and changed.counts["unchanged"] == 1
    history = releases_of(session, "jumlah-penduduk")
    assert [(r.number, r.state) for r in history] == [(1, "published"), (2, "published")]
    edits = select(Activity).where(Activity.action == "dataset.update", Activity.dataset_id == penduduk.id)
    assert session.exec(edits).all() == []  # only the file changed: the dataset's metadata was left alone
    Portal.packages[0].update(title="Jumlah Penduduk Kota Pontianak", metadata_modified="2025-08-01T00:00:00")
    retitled = run_source(session, source_id=source.id or 0)
    assert retitled.counts["updated"] == 1
    [edit] = session.exec(edits).all()
    assert edit.detail["title"] == "Jumlah Penduduk Kota Pontianak" and "license_id" not in edit.detail
    assert history[0].published_at is not None  # the first release is kept as it was

    Portal.packages.pop(1)
    gone = run_source(session, source_id=source.id or 0)
    assert [(r.number, r.state) for r in releases_of(session, "jumlah-penduduk")][-1] == (3, "published")
    assert gone.counts["removed"] == 1
    session.expire_all()
    sekolah = session.exec(select(Dataset).where(Dataset.slug == "daftar-sekolah")).one()
    assert sekolah.removed_at_source is True
    assert [r.state for r in releases_of(session, "daftar-sekolah")] == [ReleaseState.withdrawn]


def test_a_broken_source_fails_the_job_and_loses_nothing(portal: str, session: Session) -> None:
    session.add(Organization(slug="dinkes", name="Dinas Kesehatan"))
    session.commit()
    source = add_source(session, organization="dinkes", type="ckan", url=f"{portal}/tidak-ada")
    job = run_source(session, source_id=source.id or 0)
    assert job.status == "failed" and "HTTP 404" in (job.error or "")
    assert session.exec(select(Dataset)).all() == []


def test_cli_adds_a_source_and_harvests_it(portal: str, session: Session) -> None:
    from typer.testing import CliRunner

    from catalog.cli import app

    session.add(Organization(slug="disdukcapil", name="Dinas Kependudukan dan Pencatatan Sipil"))
    session.commit()
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "source",
            "add",
            "disdukcapil",
            "--type",
            "ckan",
            "--url",
            portal,
            "--publish",
            "review",
            "--schedule",
            "weekly",
            "--filter",
            "license_id=cc-by",
        ],
    )
    assert added.exit_code == 0, added.output
    source_id = added.stdout.strip()
    assert source_id.isdigit()
    assert "ckan" in runner.invoke(app, ["source", "list"]).stdout
    registered = session.get(HarvestSource, int(source_id))
    assert registered is not None and (registered.schedule, registered.filters) == ("weekly", {"license_id": "cc-by"})
    assert (
        runner.invoke(
            app, ["source", "add", "disdukcapil", "--type", "ckan", "--url", portal, "--filter", "tanpa-nilai"]
        ).exit_code
        == 2
    )
    ran = runner.invoke(app, ["harvest", "run", source_id, "--wait"])
    assert ran.exit_code == 0, ran.output
    assert "finished" in ran.stdout
    assert [r.state for r in releases_of(session, "jumlah-penduduk")] == [ReleaseState.submitted]
    assert runner.invoke(app, ["harvest", "status"]).exit_code == 0
    queued = runner.invoke(app, ["harvest", "run", source_id])  # without --wait: queued for the worker
    assert queued.exit_code == 0 and queued.stdout.strip().isdigit(), queued.output
    status = runner.invoke(app, ["harvest", "status", queued.stdout.strip()])
    assert status.exit_code == 0 and "finished" in status.stdout  # the test queue runs tasks at once
    unknown = runner.invoke(app, ["source", "add", "disdukcapil", "--type", "ftp", "--url", portal])
    assert unknown.exit_code == 1 and "unknown_source_type" in unknown.output
    broken = runner.invoke(app, ["source", "add", "disdukcapil", "--type", "ckan", "--url", f"{portal}/x"])
    failed = runner.invoke(app, ["harvest", "run", broken.stdout.strip(), "--wait"])
    assert failed.exit_code == 1


def test_api_manages_sources_and_runs_them(portal: str, session: Session, client: Any, make_account: Any) -> None:
    from catalog.models import Role

    session.add(Organization(slug="disdukcapil", name="Dinas Kependudukan dan Pencatatan Sipil"))
    session.commit()
    walidata = make_account("walidata", Role.walidata)
    producer = make_account("dukcapil-data", Role.produsen, "disdukcapil")
    body = {"organization": "disdukcapil", "type": "ckan", "url": portal, "publish": "auto"}
    assert client.post("/api/v1/harvest/sources", json=body, headers=producer.headers).status_code == 403
    created = client.post("/api/v1/harvest/sources", json=body, headers=walidata.headers)
    assert created.status_code == 201, created.text
    source_id = created.json()["id"]
    queued = client.post(f"/api/v1/harvest/sources/{source_id}/run", headers=walidata.headers)
    assert queued.status_code == 202
    job = client.get(f"/api/v1/harvest/jobs/{queued.json()['id']}", headers=walidata.headers).json()
    assert job["status"] == "finished" and job["counts"]["created"] == 2
    assert client.get("/api/v1/datasets", params={"organization": "disdukcapil"}).json()["total"] == 2
    jobs = client.get("/api/v1/harvest/jobs", params={"source": source_id}, headers=walidata.headers).json()
    assert [j["id"] for j in jobs] == [job["id"]]
    items = client.get(
        f"/api/v1/harvest/sources/{source_id}/items", params={"job": job["id"]}, headers=walidata.headers
    ).json()
    assert [(i["remote_id"], i["status"]) for i in items] == [("id-daftar-sekolah", "ok"), ("id-jumlah-penduduk", "ok")]
    assert "HTTP 404" in items[1]["errors"][0]["message"] and items[1]["errors"][0]["stage"] == "fetch"
    failed = client.get(
        f"/api/v1/harvest/sources/{source_id}/items", params={"status": "error"}, headers=walidata.headers
    )
    assert failed.status_code == 200 and failed.json() == []
    assert (
        client.get(
            f"/api/v1/harvest/sources/{source_id}/items", params={"status": "kacau"}, headers=walidata.headers
        ).status_code
        == 422
    )
    assert client.get(f"/api/v1/harvest/sources/{source_id}/items", headers=producer.headers).status_code == 403
    bad = client.post("/api/v1/harvest/sources", json={**body, "type": "gopher"}, headers=walidata.headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_source_type"
