"""`terbuka push ckan` against a second Terbuka, running in its own process, through its CKAN write actions:
a push creates, a second one leaves alone or updates, never duplicates; one dataset's failure stops no other."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from ckanapi import NotFound, RemoteCKAN
from click.testing import Result
from sqlmodel import Session, select
from typer.testing import CliRunner

from catalog.cli import app
from catalog.models import Dataset
from tests.catalog.conftest import PENDUDUK_CSV
from tests.catalog.test_cli_startup import loaded
from tests.conftest import free_port
from tests.interop.conftest import Published

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
PUSTU_CSV = b"kode,nama\n1,Pustu Parit Mayor\n"


@dataclass
class Upstream:
    url: str
    tokens: dict[str, str]

    def ckan(self, who: str | None = "admin") -> RemoteCKAN:
        return RemoteCKAN(self.url, apikey=self.tokens[who] if who else None)

    def show(self, name: str) -> dict[str, Any]:
        return dict(self.ckan().action.package_show(id=name))

    def api(self, method: str, path: str, who: str = "admin") -> Any:
        answer = httpx.request(
            method, f"{self.url}/api/v1{path}", headers={"Authorization": f"Bearer {self.tokens[who]}"}
        )
        assert answer.status_code < 300, answer.text
        return answer.json()

    def dataset_count(self) -> int:
        listed = httpx.get(
            f"{self.url}/api/v1/datasets",
            params={"include_unpublished": "true"},
            headers={"Authorization": f"Bearer {self.tokens['admin']}"},
        )
        return int(listed.json()["total"])


@pytest.fixture
def upstream(tmp_path: Path) -> Iterator[Upstream]:
    """A provincial Terbuka on its own database and files, in its own process."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("TERBUKA_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.interop.upstream", str(tmp_path / "upstream"), str(port)],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        tokens = json.loads(process.stdout.readline() or "null")
        assert tokens, "the upstream Terbuka did not start"
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/3").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the upstream Terbuka does not answer"
            time.sleep(0.1)
        yield Upstream(url, tokens)
    finally:
        process.terminate()
        process.wait(timeout=10)


def push(upstream: Upstream, *args: str, who: str = "admin", url: str | None = None) -> Result:
    return runner.invoke(app, ["push", "ckan", "--url", url or upstream.url, "--api-key", upstream.tokens[who], *args])


def local_sha256(session: Session, slug: str) -> list[str]:
    from catalog.interop import published

    session.expire_all()
    dataset = session.exec(select(Dataset).where(Dataset.slug == slug)).one()
    return [r.sha256 or "" for r in published.load(session, [dataset.id or 0])[0].release.resources]


def test_push_creates_then_updates_and_never_duplicates(
    published: Published, upstream: Upstream, session: Session, data_dir: Path
) -> None:
    catalogue = published.catalogue
    dry = push(upstream, "--all", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "[1/2] would create dinkes-puskesmas: 1 file(s) uploaded" in dry.output
    assert "would create disdukcapil-penduduk: new organization disdukcapil" in dry.output
    assert "organizations would be created upstream: disdukcapil" in dry.output
    assert "2 would create, 0 would update, 0 unchanged, 0 failed" in dry.output
    for name in ("dinkes-puskesmas", "disdukcapil-penduduk"):
        with pytest.raises(NotFound):
            upstream.show(name)
    assert "disdukcapil" not in upstream.ckan().action.organization_list()

    first = push(upstream, "--all")
    assert first.exit_code == 0, first.output
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in first.output
    puskesmas = upstream.show("dinkes-puskesmas")
    assert puskesmas["state"] == "draft" and puskesmas["organization"]["name"] == "dinkes"
    assert puskesmas["title"] == "Daftar Puskesmas Kota Pontianak"
    assert puskesmas["notes"] == "Lokasi dan layanan puskesmas di Kota Pontianak."
    assert puskesmas["maintainer_email"] == "data@dinkes.pontianak.go.id"
    assert [t["name"] for t in puskesmas["tags"]] == ["kesehatan", "puskesmas"]
    assert [g["name"] for g in puskesmas["groups"]] == ["kesehatan"]
    extras = {e["key"]: e["value"] for e in puskesmas["extras"]}
    assert extras["Kode Wilayah"] == "61.71.01, 61.71.02" and extras["temporal_end"] == "2024-12-31"
    assert extras["Cara Pengumpulan Data"] == "Pendataan langsung"
    assert [r["hash"] for r in puskesmas["resources"]] == local_sha256(session, "dinkes-puskesmas")
    penduduk = upstream.show("disdukcapil-penduduk")
    assert penduduk["license_id"] == "cc0-1.0" and penduduk["organization"]["title"].startswith("Dinas Kependudukan")
    # Only the published release travels: not the one waiting for review, nor a dataset never published.
    assert [r["name"] for r in penduduk["resources"]] == ["data.csv"]
    assert upstream.dataset_count() == 2

    again = push(upstream, "--all")
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 2 unchanged, 0 failed" in again.output
    assert upstream.show("dinkes-puskesmas") == puskesmas and upstream.dataset_count() == 2

    changed = catalogue.client.patch(
        "/api/v1/datasets/dinkes-puskesmas", headers=catalogue.admin.headers, json={"title": "Puskesmas dan Pustu"}
    )
    assert changed.status_code == 200, changed.text
    assert catalogue.act(catalogue.walidata, published.pending_release["id"], "approve").status_code == 200
    third = push(upstream, "--all")
    assert third.exit_code == 0, third.output
    assert "updated dinkes-puskesmas: metadata: title" in third.output
    assert "updated disdukcapil-penduduk: metadata: version, 1 file(s) uploaded, 1 file(s) removed" in third.output
    assert "0 created, 2 updated, 0 unchanged, 0 failed" in third.output
    assert upstream.show("dinkes-puskesmas")["title"] == "Puskesmas dan Pustu"
    penduduk = upstream.show("disdukcapil-penduduk")
    assert [r["name"] for r in penduduk["resources"]] == ["rahasia.csv"]
    assert [r["hash"] for r in penduduk["resources"]] == local_sha256(session, "disdukcapil-penduduk")
    assert upstream.dataset_count() == 2

    # Without its state, a push finds the upstream datasets by name and their files by SHA-256.
    [state] = (data_dir / "push").glob("*.json")
    state.unlink()
    lost = push(upstream, "--all")
    assert lost.exit_code == 0, lost.output
    assert "0 created, 2 updated, 0 unchanged, 0 failed" in lost.output and "uploaded" not in lost.output
    assert "updated dinkes-puskesmas: metadata: all fields" in lost.output
    assert upstream.dataset_count() == 2
    assert "0 created, 0 updated, 2 unchanged" in push(upstream, "--all").output


def test_files_waiting_in_an_upstream_draft_are_not_sent_twice(published: Published, upstream: Upstream) -> None:
    catalogue = published.catalogue
    assert push(upstream, "dinkes-puskesmas").exit_code == 0
    [draft] = upstream.api("GET", "/datasets/dinkes-puskesmas/releases")
    upstream.api("POST", f"/releases/{draft['id']}/submit")
    upstream.api("POST", f"/releases/{draft['id']}/approve", who="walidata")
    assert upstream.show("dinkes-puskesmas")["state"] == "active"
    # A second file here: pushed into a new upstream draft, while the upstream still shows its published release;
    # the next push sends it again, and the draft keeps one copy.
    release = catalogue.client.post(
        "/api/v1/datasets/dinkes-puskesmas/releases",
        headers=catalogue.dinkes.headers,
        files=[("files", ("data.csv", PENDUDUK_CSV, "text/csv")), ("files", ("pustu.csv", PUSTU_CSV, "text/csv"))],
    )
    assert release.status_code == 201, release.text
    for account, step in ((catalogue.dinkes, "submit"), (catalogue.walidata, "approve")):
        assert catalogue.act(account, release.json()["id"], step).status_code == 200
    added = push(upstream, "dinkes-puskesmas")
    assert "updated dinkes-puskesmas: metadata: version, 1 file(s) uploaded\n" in added.output
    assert catalogue.client.patch(
        "/api/v1/datasets/dinkes-puskesmas", headers=catalogue.admin.headers, json={"title": "Puskesmas"}
    ).is_success
    again = push(upstream, "dinkes-puskesmas")
    assert "updated dinkes-puskesmas: metadata: title, 1 file(s) uploaded" in again.output
    newest = upstream.api("GET", "/datasets/dinkes-puskesmas/releases")[0]
    assert newest["state"] == "draft" and sorted(r["name"] for r in newest["resources"]) == ["data.csv", "pustu.csv"]
    assert len(upstream.api("GET", "/datasets/dinkes-puskesmas/releases")) == 2
    assert upstream.show("dinkes-puskesmas")["title"] == "Puskesmas"


def test_one_failure_does_not_stop_the_others(published: Published, upstream: Upstream) -> None:
    # The upstream's dinkes producer may fill its own OPD but not create another one.
    result = push(
        upstream, "disdukcapil-penduduk", "dinkes-puskesmas", "dinkes-draf-rahasia", "tidak-ada", who="dinkes"
    )
    assert result.exit_code == 1, result.output
    assert "failed disdukcapil-penduduk: organization disdukcapil: not allowed: Access denied" in result.output
    assert "created dinkes-puskesmas" in result.output
    assert "failed dinkes-draf-rahasia: not published" in result.output
    assert "failed tidak-ada: no such dataset" in result.output
    assert "1 created, 0 updated, 0 unchanged, 3 failed" in result.output
    assert upstream.show("dinkes-puskesmas")["organization"]["name"] == "dinkes"
    with pytest.raises(NotFound):
        upstream.show("disdukcapil-penduduk")
    # Under the producer's own organization it goes through; the one pushed before is left alone.
    under_one = push(upstream, "--opd", "disdukcapil", "--opd", "dinkes", "--owner-org", "dinkes", who="dinkes")
    assert under_one.exit_code == 0, under_one.output
    assert "1 created, 0 updated, 1 unchanged, 0 failed" in under_one.output
    assert upstream.show("disdukcapil-penduduk")["organization"]["name"] == "dinkes"


def test_links_and_mapped_organizations(published: Published, upstream: Upstream, session: Session) -> None:
    catalogue = published.catalogue
    release = catalogue.client.post(
        "/api/v1/datasets/dinkes-puskesmas/releases",
        headers=catalogue.dinkes.headers,
        data={"urls": ["https://opd.example.invalid/puskesmas.geojson"]},
    )
    assert release.status_code == 201, release.text
    assert catalogue.act(catalogue.dinkes, release.json()["id"], "submit").status_code == 200
    assert catalogue.act(catalogue.walidata, release.json()["id"], "approve").status_code == 200
    pushed = push(upstream, "dinkes-puskesmas", "--map-org", "dinkes=dinkes-kota", "--link-files")
    assert pushed.exit_code == 0, pushed.output
    assert "created dinkes-puskesmas: new organization dinkes-kota; 1 link(s)" in pushed.output
    shown = upstream.show("dinkes-puskesmas")
    assert shown["organization"]["name"] == "dinkes-kota" and shown["organization"]["title"] == "Dinas Kesehatan"
    assert [r["url"] for r in shown["resources"]] == ["https://opd.example.invalid/puskesmas.geojson"]
    stored = catalogue.publish("dinkes-puskesmas")
    linked = push(upstream, "dinkes-puskesmas", "--map-org", "dinkes=dinkes-kota", "--link-files")
    assert "updated dinkes-puskesmas: metadata: version, 1 link(s), 1 file(s) removed" in linked.output
    [resource] = upstream.show("dinkes-puskesmas")["resources"]
    assert resource["url"] == (
        f"http://testserver/api/v1/releases/{stored['id']}/resources/{stored['resources'][0]['id']}/download"
    )


def test_bad_address_key_or_selection_is_a_clear_error(published: Published, upstream: Upstream) -> None:
    refused = runner.invoke(app, ["push", "ckan", "--url", upstream.url, "--api-key", "salah", "--all"])
    assert refused.exit_code == 1 and "refused the API key" in refused.output
    closed = push(upstream, "--all", url=f"http://127.0.0.1:{free_port()}")
    assert closed.exit_code == 1 and "cannot reach http://127.0.0.1" in closed.output
    elsewhere = push(upstream, "--all", url=f"{upstream.url}/bukan-ckan")
    assert elsewhere.exit_code == 1 and "does not answer as a CKAN portal" in elsewhere.output
    assert "not a web address" in push(upstream, "--all", url="ftp://data.go.id").output
    nothing = push(upstream)
    assert nothing.exit_code == 1 and "say which datasets" in nothing.output
    assert "no OPD 'dinsos'" in push(upstream, "--opd", "dinsos").output
    assert "has no organization 'tidak-ada'" in push(upstream, "--all", "--owner-org", "tidak-ada").output
    read_only = push(upstream, "dinkes-puskesmas", who="read_only")
    assert read_only.exit_code == 1 and "may only read" in read_only.output
    assert upstream.dataset_count() == 0


def test_the_command_line_loads_ckanapi_only_to_push() -> None:
    for args in (["--help"], ["push", "--help"]):
        modules = loaded(*args)
        assert not {"ckanapi", "requests", "catalog.interop.ckan_push"} & modules, args
