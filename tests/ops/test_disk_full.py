"""The disk fills up during an upload: a clear 507, nothing stored or referenced, nothing half-written
left, `terbuka doctor` content, and uploads work again once there is room.

The data folder is a real filesystem of a few MiB (a tmpfs) filled almost to the brim, under a real
`terbuka serve`; mounting needs root (as CI runs), so the test is skipped where mounting is not allowed.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from catalog.models import Release
from tests.catalog.conftest import Catalogue
from tests.ops.test_crashes import Server

DISK_BYTES = 16 * 1024 * 1024
ROW = b"Puskesmas Alianyang,Pontianak Barat,Jl. Alianyang No. 1\n"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB filesystem where the data folder will be (before the catalogue's fixtures use it)."""
    mount = tmp_path / "var"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_BYTES}", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if made.returncode != 0:
        pytest.skip(f"a small filesystem cannot be mounted here (needs root): {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill the filesystem until only ``leave`` bytes are free."""
    filler = disk / "filler"
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    with filler.open("wb") as out:
        out.write(b"\0" * max(free - leave, 0))
    return filler


def csv_of(size: int) -> bytes:
    return b"nama,kecamatan,alamat\n" + ROW * (size // len(ROW))


def upload(server: Server, catalogue: Catalogue, content: bytes) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/datasets/dinkes-puskesmas/releases",
        headers=catalogue.dinkes.headers,
        files=[("files", ("puskesmas.csv", content, "text/csv"))],
        timeout=120,
    )


def stored_files(disk: Path) -> list[Path]:
    return [p for p in (disk / "files").rglob("*") if p.is_file()] if (disk / "files").exists() else []


def leftovers(disk: Path) -> list[Path]:
    """Files in the upload area (each process's scratch folder): a half-written upload would be here."""
    return [p for p in (disk / "tmp").rglob("*") if p.is_file()] if (disk / "tmp").exists() else []


def doctor(database_url: str, disk: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TERBUKA_DATABASE_URL": database_url, "TERBUKA_DATA_DIR": str(disk)}
    return subprocess.run(
        [sys.executable, "-c", "from catalog.cli import app; app(['doctor'], prog_name='terbuka')"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        timeout=300,
    )


@pytest.mark.parametrize(
    ("size", "leave"),
    [
        (3 * 1024 * 1024, 512 * 1024),  # the request body itself does not fit while it is received
        (600 * 1024, 900 * 1024),  # the body fits (held in memory); its copies for validation and the store do not
    ],
)
def test_an_upload_that_fills_the_disk_is_refused_cleanly(
    small_disk: Path, catalogue: Catalogue, session: Session, database_url: str, tmp_path: Path, size: int, leave: int
) -> None:
    server = Server(database_url, small_disk, tmp_path / "server.log")
    server.start()
    try:
        filler = fill(small_disk, leave)
        refused = upload(server, catalogue, csv_of(size))
        assert refused.status_code == 507, refused.text
        assert refused.json()["error"]["code"] == "storage_full"
        session.expire_all()
        assert session.exec(select(Release)).all() == []
        assert stored_files(small_disk) == []
        assert leftovers(small_disk) == []
        assert server.process is not None and server.process.poll() is None  # the server lives on

        filler.unlink()
        checked = doctor(database_url, small_disk)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        accepted = upload(server, catalogue, csv_of(size))
        assert accepted.status_code == 201, accepted.text
    finally:
        server.kill()


@pytest.mark.parametrize(("size", "leave"), [(3 * 1024 * 1024, 512 * 1024), (600 * 1024, 900 * 1024)])
def test_a_ckan_upload_that_fills_the_disk_is_refused_in_ckan_terms(
    small_disk: Path, catalogue: Catalogue, session: Session, database_url: str, tmp_path: Path, size: int, leave: int
) -> None:
    """The scripts OPDs run against CKAN upload with resource_create: a full disk is CKAN's error envelope
    with a 507, and nothing is kept."""
    server = Server(database_url, small_disk, tmp_path / "server.log")
    server.start()
    try:
        filler = fill(small_disk, leave)

        def resource_create() -> httpx.Response:
            return httpx.post(
                f"{server.url}/api/3/action/resource_create",
                headers={"Authorization": catalogue.dinkes.token},
                data={"package_id": "dinkes-puskesmas", "name": "puskesmas.csv"},
                files={"upload": ("puskesmas.csv", csv_of(size), "text/csv")},
                timeout=120,
            )

        refused = resource_create()
        assert refused.status_code == 507, refused.text
        assert refused.json()["success"] is False
        assert refused.json()["error"]["__type"] == "Storage Full"
        session.expire_all()
        assert session.exec(select(Release)).all() == []
        assert stored_files(small_disk) == [] and leftovers(small_disk) == []

        filler.unlink()
        accepted = resource_create()
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["result"]["size"] == len(csv_of(size))
    finally:
        server.kill()
