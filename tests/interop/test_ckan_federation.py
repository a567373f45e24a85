"""Terbuka's own CKAN harvester harvests a running Terbuka (a city feeding its province) and keeps every field."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from ckanapi import RemoteCKAN

ROOT = Path(__file__).resolve().parents[2]


def harvest_with_peer(kind: str, url: str, directory: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "tests.interop.peer", kind, url, str(directory)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["job"]["status"] == "finished", found["job"]
    return found


def test_ckan_harvest_of_a_running_terbuka_round_trips_every_field(served: str, tmp_path: Path) -> None:
    copy = harvest_with_peer("ckan", served, tmp_path)["datasets"]
    assert set(copy) == {"dinkes-puskesmas", "disdukcapil-penduduk"}  # nothing unpublished travels
    ckan = RemoteCKAN(served)
    for name, harvested in copy.items():
        original = ckan.action.package_show(id=name)
        extras = {e["key"]: e["value"] for e in original["extras"]}
        assert harvested["title"] == original["title"]
        assert harvested["description"] == original["notes"]
        assert harvested["license_id"] == original["license_id"]
        assert harvested["update_frequency"] == extras["Periode Update Data"]
        assert harvested["spatial_coverage"] == [c for c in extras.get("Kode Wilayah", "").split(", ") if c]
        assert harvested["tags"] == [t["name"] for t in original["tags"]]
        assert harvested["themes"] == [g["name"] for g in original["groups"]]
        assert harvested["contact_name"] == original["maintainer"]
        assert harvested["contact_email"] == original["maintainer_email"]
        assert harvested["extras"] == extras
        assert harvested["files"] == sorted(r["hash"] for r in original["resources"])
