"""Database fixtures: every test gets a fresh catalogue on SQLite, or on PostgreSQL when
TERBUKA_TEST_DATABASE_URL is set (as CI does)."""

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from catalog import db, settings
from catalog.migrate import upgrade
from catalog.models import Role, User
from catalog.services import files, public_cache, search_index
from catalog.services.reference import ensure_reference_data
from catalog.services.users import create_token, create_user


def _postgres_url() -> str | None:
    """The PostgreSQL test database; each pytest-xdist worker gets its own (NAME_gw0, NAME_gw1…), made on demand."""
    url = os.environ.get("TERBUKA_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _postgres_url()

# Likewise a Redis database of its own per worker, so two workers' job queues never meet.
if os.environ.get("TERBUKA_TEST_REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    _redis = make_url(os.environ["TERBUKA_TEST_REDIS_URL"])
    _index = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    os.environ["TERBUKA_TEST_REDIS_URL"] = _redis.set(
        database=str(int(_redis.database or 0) - _index)
    ).render_as_string()


def _reset_caches() -> None:
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    files.file_store.cache_clear()
    search_index.search_backend.cache_clear()
    public_cache.clear()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the migrations once: into a SQLite file to copy, or into the PostgreSQL test database."""
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        upgrade(POSTGRES_URL)
        return POSTGRES_URL
    path = tmp_path_factory.mktemp("template") / "terbuka.db"
    upgrade(f"sqlite:///{path}")
    return str(path)


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@contextmanager
def fresh_catalogue(migrated_template: str, root: Path, patch: pytest.MonkeyPatch, **environment: str) -> Iterator[str]:
    """A module's own empty, migrated catalogue (database and data folder under ``root``), with the
    ``TERBUKA_*`` settings given (``base_url="…"``) set through ``patch``; disposed of afterwards."""
    if POSTGRES_URL:
        _empty_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    else:
        shutil.copyfile(migrated_template, root / "terbuka.db")
        url = f"sqlite:///{root / 'terbuka.db'}"
    patch.setenv("TERBUKA_DATABASE_URL", url)
    patch.setenv("TERBUKA_DATA_DIR", str(root / "var"))
    for name, value in environment.items():
        patch.setenv(f"TERBUKA_{name.upper()}", value)
    _reset_caches()
    try:
        yield url
    finally:
        db.get_engine().dispose()
        _reset_caches()


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    # Tests send hundreds of requests a minute from one address; tests/catalog/test_rate_limit.py turns it on.
    environment = {"base_url": "http://testserver", "rate_limit_per_minute": "0", "rate_limit_writes_per_minute": "0"}
    with fresh_catalogue(migrated_template, tmp_path, monkeypatch, **environment) as url:
        with Session(db.get_engine()) as session:
            ensure_reference_data(session)
            session.commit()
        yield url


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with Session(db.get_engine(), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def data_dir(database_url: str) -> Path:
    return settings.get_settings().data_dir


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    from catalog.app import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


@dataclass
class Account:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_account(session: Session):  # type: ignore[no-untyped-def]
    def make(username: str, role: Role, org: str | None = None) -> Account:
        user = create_user(session, username=username, role=role, organization_slug=org)
        token = create_token(session, user=user)
        session.commit()
        return Account(user, token)

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(database_url: str) -> Iterator[str]:
    """The real application behind a real uvicorn on 127.0.0.1."""
    from catalog.app import create_app

    with serve(create_app()) as url:
        yield url


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """An ASGI application behind a real uvicorn on 127.0.0.1, for the duration of the block."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
