"""The real ckanapi command-line tool against a running Terbuka: actions, and whole dumps."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.interop.conftest import Published

BIN = Path(sys.executable).parent
CKANAPI = str(BIN / "ckanapi")
# ckanapi dump starts its workers as "ckanapi" from the PATH.
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def ckanapi(*args: str) -> str:
    done = subprocess.run([CKANAPI, *args], capture_output=True, text=True, timeout=120, check=False, env=ENV)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_package_search_finds_published_population_data(published: Published, live_server: str) -> None:
    result: dict[str, Any] = json.loads(ckanapi("action", "package_search", "q=penduduk", "-r", live_server))
    assert result["count"] == 1
    package = result["results"][0]
    assert package["name"] == "disdukcapil-penduduk"
    assert package["organization"]["name"] == "disdukcapil"
    assert [r["name"] for r in package["resources"]] == ["data.csv"]  # not the release still under review


def test_package_show_by_name_and_by_id_gives_ckan_dataset_dict(published: Published, live_server: str) -> None:
    by_name = json.loads(ckanapi("action", "package_show", "id=dinkes-puskesmas", "-r", live_server))
    by_id = json.loads(ckanapi("action", "package_show", f"id={by_name['id']}", "-r", live_server))
    assert by_id == by_name
    assert by_name["title"] == "Daftar Puskesmas Kota Pontianak"
    assert by_name["notes"] == "Lokasi dan layanan puskesmas di Kota Pontianak."
    assert by_name["license_id"] == "cc-by-4.0"
    assert by_name["license_title"] == "Creative Commons Attribution 4.0"
    assert by_name["state"] == "active" and by_name["private"] is False
    assert [t["name"] for t in by_name["tags"]] == ["kesehatan", "puskesmas"]
    assert [g["name"] for g in by_name["groups"]] == ["kesehatan"]
    assert by_name["maintainer_email"] == "data@dinkes.pontianak.go.id"
    extras = {e["key"]: e["value"] for e in by_name["extras"]}
    assert extras["Kode Wilayah"] == "61.71.01, 61.71.02"
    assert extras["Periode Update Data"] == "tahunan"
    assert extras["Cara Pengumpulan Data"] == "Pendataan langsung"
    assert extras["temporal_start"] == "2024-01-01"
    resource = by_name["resources"][0]
    release = published.puskesmas_release
    assert resource["format"] == "CSV"
    assert resource["size"] == release["resources"][0]["byte_size"]
    assert resource["hash"] == release["resources"][0]["sha256"]
    assert resource["url"].endswith(
        f"/api/v1/releases/{release['id']}/resources/{release['resources'][0]['id']}/download"
    )
    for stamp in ("metadata_created", "metadata_modified"):
        assert by_name[stamp][:4].isdigit() and "+" not in by_name[stamp]


def test_dump_datasets_is_complete_and_every_line_parses(published: Published, live_server: str) -> None:
    lines = ckanapi("dump", "datasets", "--all", "-q", "-r", live_server).splitlines()
    packages = [json.loads(line) for line in lines]
    assert sorted(p["name"] for p in packages) == ["dinkes-puskesmas", "disdukcapil-penduduk"]
    assert all(p["resources"] for p in packages)


def test_dump_organizations_lists_every_opd(published: Published, live_server: str) -> None:
    lines = ckanapi("dump", "organizations", "--all", "-q", "-r", live_server).splitlines()
    organizations = {o["name"]: o for o in map(json.loads, lines)}
    assert set(organizations) == {"diskominfo", "dinkes", "disdukcapil"}
    assert organizations["dinkes"]["package_count"] == 1
    assert organizations["dinkes"]["title"] == "Dinas Kesehatan"


def test_a_dataset_never_published_is_not_found(published: Published, live_server: str) -> None:
    done = subprocess.run(
        [CKANAPI, "action", "package_show", "id=dinkes-draf-rahasia", "-r", live_server],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "NotFound" in done.stderr
