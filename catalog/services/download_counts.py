"""Download counts, added up in memory and written once a second.

An UPDATE per download makes every download of a popular file wait for the one before it (the row's
lock, then the commit). Each server process instead adds its downloads up per resource and writes them
with one ``downloads = downloads + n`` per resource at most every ``FLUSH_SECONDS``, and when it stops;
a process killed outright loses at most that last second of counts, never a file or a release.
"""

import atexit
import contextlib
import threading
from collections import Counter

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from catalog.db import get_engine
from catalog.models import Resource
from catalog.services import public_cache

FLUSH_SECONDS = 1.0

_pending: Counter[tuple[Engine, int]] = Counter()
_lock = threading.Lock()
_flusher: threading.Thread | None = None


def count(resource_id: int) -> None:
    """One more download of the resource, written within a second."""
    global _flusher
    with _lock:
        _pending[get_engine(), resource_id] += 1
        if _flusher is None:
            _flusher = threading.Thread(target=_flush_while_busy, name="download-counts", daemon=True)
            _flusher.start()


def flush() -> None:
    """Write the counts added up so far, one transaction per database; what fails waits for the next try."""
    with _lock:
        counts = dict(_pending)
        _pending.clear()
    for engine in {engine for engine, _ in counts}:
        mine = sorted((resource_id, n) for (e, resource_id), n in counts.items() if e is engine)
        try:
            with Session(engine) as session:
                for resource_id, n in mine:  # in one order, so that two processes never deadlock
                    session.execute(
                        update(Resource)
                        .where(col(Resource.id) == resource_id)
                        .values(downloads=col(Resource.downloads) + n)
                    )
                public_cache.changes_no_answer(session.connection())
                session.commit()
        except Exception:
            with _lock:
                _pending.update({(engine, resource_id): n for resource_id, n in mine})
            raise


def _flush_while_busy() -> None:
    global _flusher
    stop = threading.Event()
    while not stop.wait(FLUSH_SECONDS):
        try:
            flush()
        except Exception:  # the database is away: the counts wait for the next round
            continue
        with _lock:
            if not _pending:
                _flusher = None  # idle: the next download starts a new round
                return


@atexit.register
def _flush_at_exit() -> None:
    with contextlib.suppress(Exception):
        flush()
