"""Hostile uploads through the real API: refused within the input budget with the limit named, nothing stored."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.catalog.conftest import Catalogue
from tests.schemas import hostile

SECONDS = 60


def _leftovers(data_dir: Path) -> list[Path]:
    return [
        p
        for folder in ("files", "tmp")
        if (data_dir / folder).exists()
        for p in (data_dir / folder).rglob("*")
        if p.is_file()
    ]


UPLOADS: dict[str, tuple[Callable[[Path], Path], int, str]] = {
    "sheet of 1.1 GB of rows": (lambda p: hostile.rows_bomb(p / "baris.xlsx", 1100 << 20), 413, "inflates_too_much"),
    "one cell of 1.1 GB": (lambda p: hostile.cell_bomb(p / "sel.xlsx", 1100 << 20), 413, "inflates_too_much"),
    "2 GiB sheet declaring 1 MB": (
        lambda p: hostile.rows_bomb(p / "dusta.xlsx", 2 << 30, declared=1 << 20),
        422,
        "declared_size_false",
    ),
    "10,000 columns": (lambda p: hostile.wide_csv(p / "lebar.csv", 10_000), 413, "too_many_columns"),
    "50 MB on one line": (lambda p: hostile.one_line_csv(p / "satu-baris.csv", 50 << 20), 413, "line_too_long"),
    "5 MB of commas": (lambda p: hostile.one_line_csv(p / "koma.csv", 5 << 20, b","), 413, "line_too_long"),
}


@pytest.mark.parametrize("case", sorted(UPLOADS))
def test_a_hostile_upload_is_refused_and_leaves_nothing(
    case: str, catalogue: Catalogue, data_dir: Path, tmp_path: Path
) -> None:
    build, status, code = UPLOADS[case]
    path = build(tmp_path)
    started = time.monotonic()
    with path.open("rb") as content:
        response = catalogue.client.post(
            "/api/v1/datasets/dinkes-puskesmas/releases",
            headers=catalogue.dinkes.headers,
            files=[("files", (path.name, content, "application/octet-stream"))],
        )
    assert time.monotonic() - started < SECONDS
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert "TERBUKA_INPUT_MAX_" in error["message"] or status == 422
    assert _leftovers(data_dir) == []
    listed = catalogue.client.get("/api/v1/datasets/dinkes-puskesmas/releases", headers=catalogue.dinkes.headers)
    assert listed.json() == []


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [("data.xlsx", b"a,b\n1,2\n", "text, not a zip archive"), ("data.csv", b"PK\x03\x04" + b"\x00" * 60, "zip")],
)
def test_a_file_named_as_another_format_is_422_and_leaves_nothing(
    name: str, content: bytes, said: str, catalogue: Catalogue, data_dir: Path
) -> None:
    response = catalogue.client.post(
        "/api/v1/datasets/dinkes-puskesmas/releases",
        headers=catalogue.dinkes.headers,
        files=[("files", (name, content, "application/octet-stream"))],
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "format_mismatch" and said in response.json()["error"]["message"]
    assert _leftovers(data_dir) == []


def test_a_hostile_file_added_to_a_draft_leaves_it_as_it_was(
    catalogue: Catalogue, data_dir: Path, tmp_path: Path
) -> None:
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas")
    before = sorted(p.name for p in _leftovers(data_dir))
    path = hostile.one_line_csv(tmp_path / "koma.csv", 5 << 20, b",")
    with path.open("rb") as content:
        response = catalogue.client.post(
            f"/api/v1/releases/{release['id']}/resources",
            headers=catalogue.dinkes.headers,
            files=[("file", (path.name, content, "text/csv"))],
        )
    assert response.status_code == 413 and response.json()["error"]["code"] == "line_too_long"
    assert sorted(p.name for p in _leftovers(data_dir)) == before
    again = catalogue.client.get(f"/api/v1/releases/{release['id']}", headers=catalogue.dinkes.headers).json()
    assert len(again["resources"]) == 1


def test_malformed_utf8_upload_is_kept_with_a_warning_in_its_report(catalogue: Catalogue) -> None:
    content = "kecamatan,jumlah\nPontianak Selatan,1\nCaf\xe9,2\n".encode("latin-1")
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas", content, name="latin.csv")
    validation = catalogue.client.get(
        f"/api/v1/releases/{release['id']}/validation", headers=catalogue.dinkes.headers
    ).json()
    warnings = validation["resources"][0]["summary"]["warnings"]
    assert any("Windows-1252" in w for w in warnings)
