"""`terbuka doctor`: what a crash or a damaged disk leaves is found, and what is safe to mend is mended."""

import os
import time
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from catalog.cli import app
from catalog.services import integrity, search_index
from tests.catalog.conftest import Catalogue

runner = CliRunner()
LONG_AGO = time.time() - 2 * integrity.GRACE_SECONDS


@pytest.fixture
def published(catalogue: Catalogue) -> Catalogue:
    catalogue.publish("dinkes-puskesmas")
    catalogue.publish("disdukcapil-penduduk")
    return catalogue


def aged(path: Path) -> Path:
    os.utime(path, (LONG_AGO, LONG_AGO))
    return path


def checks(session: Session) -> list[str]:
    return sorted(f.check for f in integrity.examine(session).findings)


def test_a_healthy_catalogue_has_no_findings(published: Catalogue) -> None:
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "0 findings" in result.output


def test_orphans_and_interrupted_uploads_are_found_and_swept(published: Catalogue, data_dir: Path) -> None:
    orphan = data_dir / "files" / "ab" / "cd" / ("abcd" + "0" * 60)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left by a crash")
    aged(orphan)
    (data_dir / "tmp").mkdir(exist_ok=True)
    leftover = data_dir / "tmp" / "upload-x"
    leftover.write_bytes(b"half an upload")
    aged(leftover)
    young = data_dir / "tmp" / "upload-now"
    young.write_bytes(b"an upload in progress")

    found = runner.invoke(app, ["doctor"])
    assert found.exit_code == 1
    assert "orphan_file" in found.output and "leftover_upload" in found.output
    assert "upload-now" not in found.output  # younger than the grace period: may be in progress

    mended = runner.invoke(app, ["doctor", "--repair"])
    assert mended.exit_code == 0, mended.output
    assert not orphan.exists() and not leftover.exists() and young.exists()
    assert runner.invoke(app, ["doctor"]).exit_code == 0


def test_missing_and_altered_files_are_reported_never_repaired(
    published: Catalogue, data_dir: Path, session: Session
) -> None:
    stored = sorted((data_dir / "files").glob("*/*/*"))
    stored[0].unlink()
    stored[1].write_bytes(b"tampered")
    assert checks(session) == ["corrupt_file", "missing_file"]
    result = runner.invoke(app, ["doctor", "--repair"])
    assert result.exit_code == 1
    assert "missing_file" in result.output and "corrupt_file" in result.output
    assert not stored[0].exists()  # nothing invented
    quick = runner.invoke(app, ["doctor", "--quick"])
    assert "missing_file" in quick.output and "corrupt_file" not in quick.output


def test_a_search_index_that_disagrees_is_rebuilt(published: Catalogue, session: Session) -> None:
    search_index.search_backend().delete(["1"])
    assert checks(session) == ["search"]
    assert runner.invoke(app, ["doctor", "--repair"]).exit_code == 0
    assert checks(session) == []
    assert search_index.search_backend().query("", per_page=1).total == 2
