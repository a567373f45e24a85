"""`terbuka backup` and `terbuka restore`: an empty instance restored from a backup holds the same catalogue."""

import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, func, select, text
from sqlalchemy.engine import make_url

from catalog.migrate import upgrade
from tests.catalog.conftest import Catalogue

TERBUKA = [sys.executable, "-c", "from catalog.cli import app; app()"]


def terbuka(args: list[str], database_url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TERBUKA_DATABASE_URL": database_url, "TERBUKA_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [*TERBUKA, *args], env=env, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2]
    )


def tables(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, in primary-key order, as the database hands them back."""
    engine = create_engine(url)
    metadata = MetaData()
    with engine.connect() as connection:
        metadata.reflect(connection)
        found = {
            table.name: [dict(r._mapping) for r in connection.execute(select(table).order_by(*table.primary_key))]
            for table in metadata.sorted_tables
            if table.name != "alembic_version"
        }
    engine.dispose()
    return found


def stored_files(data_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (data_dir / "files").glob("*/*/*")}


@pytest.fixture
def empty_database(database_url: str, tmp_path: Path) -> Any:
    """A second, empty catalogue of the same kind (SQLite file, or a fresh PostgreSQL database)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"terbuka_restore_{os.getpid()}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def published_catalogue(catalogue: Catalogue) -> None:
    catalogue.publish("dinkes-puskesmas")
    catalogue.publish("disdukcapil-penduduk")
    release = catalogue.upload(catalogue.dinkes, "dinkes-puskesmas", b"a,b\n1,2\n", name="draft.csv")
    assert catalogue.act(catalogue.dinkes, release["id"], "submit").status_code == 200


def test_restore_into_an_empty_instance_gives_the_same_catalogue(
    catalogue: Catalogue, database_url: str, data_dir: Path, empty_database: str, tmp_path: Path
) -> None:
    published_catalogue(catalogue)
    archive = tmp_path / "cadangan.tar.gz"
    made = terbuka(["backup", str(archive)], database_url, data_dir)
    assert made.returncode == 0, made.stderr
    assert "files" in made.stdout

    restored_dir = tmp_path / "restored-var"
    upgrade(empty_database)  # as `terbuka db upgrade` leaves a new instance: reference data comes with the backup
    result = terbuka(["restore", str(archive)], empty_database, restored_dir)
    assert result.returncode == 0, result.stderr
    assert "2 published datasets indexed" in result.stdout

    before, after = tables(database_url), tables(empty_database)
    assert set(before) == set(after)
    for name in before:
        assert after[name] == before[name], f"table {name} differs after restore"
    assert len(before["release"]) == 3 and len(before["resource"]) >= 3
    assert stored_files(restored_dir) == stored_files(data_dir)
    for sha, content in stored_files(restored_dir).items():
        assert hashlib.sha256(content).hexdigest() == sha

    # The restored instance goes on numbering where the original stopped.
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO tag (name) VALUES ('baru')"))
        new_id = connection.execute(select(func.max(text("id"))).select_from(text("tag"))).scalar_one()
    engine.dispose()
    assert new_id == max(row["id"] for row in before["tag"]) + 1


def test_a_damaged_backup_restores_nothing(
    catalogue: Catalogue, database_url: str, data_dir: Path, empty_database: str, tmp_path: Path
) -> None:
    published_catalogue(catalogue)
    archive = tmp_path / "cadangan.tar"
    assert terbuka(["backup", str(archive)], database_url, data_dir).returncode == 0
    damaged = tmp_path / "rusak.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source:
            data = source.extractfile(member)
            content = data.read() if data else b""
            if member.name == "tables/dataset.jsonl":
                content = content.replace(b"Puskesmas", b"Puskesm4s")
            target.addfile(member, io.BytesIO(content))

    result = terbuka(["restore", str(damaged)], empty_database, tmp_path / "restored-var")
    assert result.returncode == 1
    assert "corrupt" in result.stderr and "dataset" in result.stderr
    engine = create_engine(empty_database)
    with engine.connect() as connection:
        has_tables = connection.execute(
            text("SELECT count(*) FROM information_schema.tables WHERE table_name = 'dataset'")
            if empty_database.startswith("postgresql")
            else text("SELECT count(*) FROM sqlite_master WHERE name = 'dataset'")
        ).scalar_one()
    engine.dispose()
    assert has_tables == 0  # refused before the database was touched


def test_restore_refuses_a_catalogue_that_is_not_empty(
    catalogue: Catalogue, database_url: str, data_dir: Path, tmp_path: Path
) -> None:
    published_catalogue(catalogue)
    archive = tmp_path / "cadangan.tar"
    assert terbuka(["backup", str(archive)], database_url, data_dir).returncode == 0
    before = tables(database_url)
    result = terbuka(["restore", str(archive)], database_url, data_dir)
    assert result.returncode == 1 and "not_empty" in result.stderr
    assert tables(database_url) == before


def test_backup_refuses_when_a_stored_file_is_missing(
    catalogue: Catalogue, database_url: str, data_dir: Path, tmp_path: Path
) -> None:
    published_catalogue(catalogue)
    next((data_dir / "files").glob("*/*/*")).unlink()
    result = terbuka(["backup", str(tmp_path / "x.tar")], database_url, data_dir)
    assert result.returncode == 1 and "terbuka doctor" in result.stderr
    assert not (tmp_path / "x.tar").exists() and not (tmp_path / "x.tar.partial").exists()
