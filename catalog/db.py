"""Engine and session creation; SQLite gets WAL and foreign keys on every connection."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

from catalog.services import public_cache
from catalog.settings import get_settings


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # A database that is away makes requests fail within seconds (503), not hang: short connect and
        # pool timeouts; pre-ping replaces connections that died while it was away.
        engine = create_engine(url, pool_pre_ping=True, pool_timeout=5, connect_args={"connect_timeout": 5})
        public_cache.watch(engine)
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    public_cache.watch(engine)
    return engine


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def after_commit(session: Session, action: Callable[[], None], *, key: str | None = None) -> None:
    """Run ``action`` once the edge has committed this session's work (at most once per ``key``)."""
    waiting: dict[str, Callable[[], None]] = session.info.setdefault("after_commit", {})
    waiting.setdefault(key or f"action-{len(waiting)}", action)


@contextmanager
def rows_together(session: Session, *models: type[SQLModel]) -> Iterator[None]:
    """Within the block, the rows services write to the tables of ``models`` (see ``gathered_rows``) are
    gathered and written at its end in one INSERT per table; a block that raises writes none of them."""
    gathered: dict[type[SQLModel], list[dict[str, Any]]] = session.info.setdefault("rows_together", {})
    for model in models:
        gathered[model] = []
    try:
        yield
        for model in models:
            if rows := gathered[model]:
                session.execute(insert(model), rows)
    finally:
        for model in models:
            gathered.pop(model, None)


def gathered_rows(session: Session, model: type[SQLModel]) -> list[dict[str, Any]] | None:
    """The rows gathered for ``model``'s table by an enclosing ``rows_together`` block, or None outside one."""
    gathered: dict[type[SQLModel], list[dict[str, Any]]] = session.info.get("rows_together", {})
    return gathered.get(model)


def commit(session: Session) -> None:
    """The edge's commit: a request's, a command's or a harvest batch's one unit of work, then what waits
    for it (the search outbox, queued jobs). Services never call this: they flush."""
    session.commit()
    waiting: dict[str, Callable[[], None]] = session.info.pop("after_commit", {})
    for action in waiting.values():
        action()


def rollback(session: Session) -> None:
    """Undo the unit of work, and forget what was to follow its commit."""
    session.rollback()
    session.info.pop("after_commit", None)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One unit of work (a CLI command, a job): committed on success, rolled back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            commit(session)
        except BaseException:
            rollback(session)
            raise
