"""The migrations build the whole schema from empty, and agree with the models."""

from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from catalog.migrate import check, upgrade
from tests.conftest import POSTGRES_URL


def test_upgrade_from_empty_to_head_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    tables = set(inspect(create_engine(url)).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables
    check(url)
    upgrade(url)  # a second upgrade is a no-op


def test_models_and_migrations_agree_on_the_test_database(migrated_template: str) -> None:
    url = POSTGRES_URL or f"sqlite:///{migrated_template}"
    check(url)
    tables = set(inspect(create_engine(url)).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables


def test_sqlite_runs_wal_with_foreign_keys(session: object, database_url: str) -> None:
    from catalog.db import get_engine

    if not database_url.startswith("sqlite"):
        return
    with get_engine().connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
