"""Uploads are stored content-addressed and atomically; downloads stream with Range and ETag."""

import hashlib
import socket
import time
from pathlib import Path

import httpx
from sqlmodel import Session

from catalog.models import Resource
from catalog.services import download_counts
from tests.catalog.conftest import PENDUDUK_CSV, Catalogue


def _stored_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "files").rglob("*") if p.is_file()] if (data_dir / "files").exists() else []


def test_upload_is_content_addressed(catalogue: Catalogue, data_dir: Path, session: Session) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    resource = release["resources"][0]
    sha = hashlib.sha256(PENDUDUK_CSV).hexdigest()
    assert resource["sha256"] == sha and resource["byte_size"] == len(PENDUDUK_CSV)
    assert resource["format"] == "CSV" and resource["media_type"] == "text/csv"
    path = data_dir / "files" / sha[:2] / sha[2:4] / sha
    assert path.read_bytes() == PENDUDUK_CSV
    # The same bytes in a second release share the stored file.
    catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    assert sha in {p.name for p in _stored_files(data_dir)}
    assert not [p for p in (data_dir / "tmp").rglob("*") if p.is_file()]  # no temporary file left


def test_path_like_names_are_stored_safely(catalogue: Catalogue, data_dir: Path, tmp_path: Path) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas", b"x,y\n1,2\n", name="../../etc/passwd.csv")
    assert release["resources"][0]["name"] == "passwd.csv"
    assert not (tmp_path / "etc").exists() and not (data_dir.parent / "etc").exists()
    windows = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas", b"x\n1\n", name="..\\..\\boot.ini")
    assert windows["resources"][0]["name"] == "boot.ini"


def test_oversize_upload_is_413_and_leaves_nothing(catalogue: Catalogue, data_dir: Path) -> None:
    from catalog import settings

    settings.get_settings().max_upload_bytes = 1000
    big = b"a,b\n" + b"1,2\n" * 400
    response = catalogue.client.post(
        "/api/v1/datasets/dinkes-puskesmas/releases",
        headers=catalogue.dinkes.headers,
        files=[("files", ("besar.csv", big, "text/csv"))],
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "file_too_large"
    assert _stored_files(data_dir) == []
    assert not [p for p in (data_dir / "tmp").rglob("*") if p.is_file()]
    listed = catalogue.client.get("/api/v1/datasets/dinkes-puskesmas/releases", headers=catalogue.dinkes.headers).json()
    assert listed == []


def test_oversize_request_is_refused_before_reading(catalogue: Catalogue, live_server: str) -> None:
    """A 2 GB upload announced in Content-Length is refused before a byte of it is read."""
    port = int(live_server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(
            b"POST /api/v1/datasets/dinkes-puskesmas/releases HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + f"Authorization: Bearer {catalogue.dinkes.token}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 2147483648\r\n\r\n--x\r\n"
        )
        reply = conn.recv(65536).decode()
    assert reply.startswith("HTTP/1.1 413"), reply
    assert '"code":"too_large"' in reply.replace(" ", "")


def test_malformed_multipart_is_400(catalogue: Catalogue) -> None:
    response = catalogue.client.post(
        "/api/v1/datasets/dinkes-puskesmas/releases",
        headers={**catalogue.dinkes.headers, "Content-Type": "multipart/form-data"},
        content=b"--broken\r\nthis is not multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "malformed_multipart", "message": "Missing boundary in multipart."}
    assert (
        catalogue.client.get("/api/v1/datasets/dinkes-puskesmas/releases", headers=catalogue.dinkes.headers).json()
        == []
    )


def test_download_with_range_and_etag(catalogue: Catalogue, live_server: str) -> None:
    release = catalogue.publish("dinkes-puskesmas")
    url = f"{live_server}/api/v1/releases/{release['id']}/resources/{release['resources'][0]['id']}/download"
    full = httpx.get(url)
    assert full.status_code == 200 and full.content == PENDUDUK_CSV
    assert full.headers["content-type"].startswith("text/csv")
    assert full.headers["content-length"] == str(len(PENDUDUK_CSV))
    assert full.headers["etag"] == f'"{release["resources"][0]["sha256"]}"'
    assert 'filename="data.csv"' in full.headers["content-disposition"]
    part = httpx.get(url, headers={"Range": "bytes=0-14"})
    assert part.status_code == 206 and part.content == PENDUDUK_CSV[:15]
    assert part.headers["content-range"] == f"bytes 0-14/{len(PENDUDUK_CSV)}"
    cached = httpx.get(url, headers={"If-None-Match": full.headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""
    httpx.get(url, headers={"Range": "bytes=15-"})
    assert _downloads_counted(f"{live_server}/api/v1/releases/{release['id']}") == 2
    # the full download and the range from 0; not the 304 nor the resumed range


def _downloads_counted(release_url: str) -> int:
    """The resource's download count once the server has written what it added up (within a second)."""
    deadline = time.monotonic() + 5
    while True:
        counted = httpx.get(release_url).json()["resources"][0]["downloads"]
        if counted or time.monotonic() > deadline:
            time.sleep(download_counts.FLUSH_SECONDS * 1.5)  # and nothing more arrives later
            return int(httpx.get(release_url).json()["resources"][0]["downloads"])
        time.sleep(0.1)


def test_download_counts_are_written_at_once_when_the_process_stops(catalogue: Catalogue) -> None:
    release = catalogue.publish("dinkes-puskesmas")
    resource = release["resources"][0]
    for _ in range(3):
        assert catalogue.client.get(f"/api/v1/releases/{release['id']}/resources/{resource['id']}/download").is_success
    download_counts.flush()  # what the process does at exit
    response = catalogue.client.get(f"/api/v1/releases/{release['id']}", headers=catalogue.dinkes.headers)
    assert response.json()["resources"][0]["downloads"] == 3


def test_remote_url_resources_redirect(catalogue: Catalogue, session: Session) -> None:
    response = catalogue.client.post(
        "/api/v1/datasets/dinkes-puskesmas/releases",
        headers=catalogue.dinkes.headers,
        data={"urls": ["https://data.pontianak.go.id/dataset/puskesmas.csv"], "notes": "tautan"},
    )
    assert response.status_code == 201, response.text
    resource = response.json()["resources"][0]
    assert resource["name"] == "puskesmas.csv" and resource["sha256"] is None
    download = catalogue.client.get(resource["download_url"], headers=catalogue.dinkes.headers, follow_redirects=False)
    assert download.status_code == 307
    assert download.headers["location"] == "https://data.pontianak.go.id/dataset/puskesmas.csv"
    assert session.get(Resource, resource["id"]) is not None


def test_small_and_large_files_download_alike(catalogue: Catalogue) -> None:
    """Files up to 256 KiB are answered from memory, larger ones stream from disk: same bytes, same headers."""
    rows = b"".join(b"61.71.0%d,Pontianak %06d,%d,%d\n" % (i % 6, i, i, i + 1) for i in range(12_000))
    big = PENDUDUK_CSV.splitlines(keepends=True)[0] + rows
    assert len(big) > 256 * 1024
    answers = {}
    for slug, content, name in (
        ("dinkes-puskesmas", PENDUDUK_CSV, "data kecil é.csv"),
        ("disdukcapil-penduduk", big, "data besar é.csv"),
    ):
        owner = catalogue.dinkes if slug.startswith("dinkes") else catalogue.disdukcapil
        release = catalogue.upload(owner, slug, content, name=name)
        url = f"/api/v1/releases/{release['id']}/resources/{release['resources'][0]['id']}/download"
        response = catalogue.client.get(url, headers=owner.headers)
        assert response.status_code == 200 and response.content == content
        answers[slug] = response.headers
    small, large = answers["dinkes-puskesmas"], answers["disdukcapil-penduduk"]
    for headers, name in ((small, "data%20kecil%20%C3%A9.csv"), (large, "data%20besar%20%C3%A9.csv")):
        assert headers["content-disposition"] == f"attachment; filename*=utf-8''{name}"
        assert headers["accept-ranges"] == "bytes" and headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "private, no-store"  # not published yet
    assert small["content-type"] == large["content-type"]
