"""What anonymous readers ask for most, kept for a moment by each server process.

A dataset in the news is asked for hundreds of times a second, and each answer costs several database
round trips. The answers anonymous readers get are the same for everyone, so each process keeps them for
``TERBUKA_PUBLIC_CACHE_SECONDS`` (1 by default; 0 keeps nothing). A write this process commits empties
the cache at once (``watch`` sees every INSERT, UPDATE or DELETE through the engine); a write committed by
another process or host is seen within those seconds. Signed-in readers are never answered from it.

When an answer expires while it is in demand, one request computes it again and the others are given the
expired one meanwhile (for at most ``STALE_SECONDS`` more), so a popular answer never makes every waiting
request query the database at the same moment.
"""

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

from catalog.settings import get_settings

T = TypeVar("T")
MAX_ENTRIES = 4096
MAX_BYTES = 16 * 2**20  # of kept response bodies (``size`` given to ``keep``): hot answers are few
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC", "UPSERT", "ALTER ", "DROP T", "CREATE")

STALE_SECONDS = 5.0

_entries: dict[Hashable, tuple[float, Any]] = {}
_refreshing: set[Hashable] = set()  # keys one request is computing again
_generation = 0
_kept_bytes = 0
_lock = threading.Lock()


def shared(endpoint: Callable[..., T]) -> Callable[..., T]:
    """Mark a GET route whose successful answer is the same for every anonymous reader: its response is
    kept by ``catalog.api.kept_answers`` and given again, byte for byte, without running the route."""
    endpoint.shared_answer = True  # type: ignore[attr-defined]
    return endpoint


def generation() -> int:
    """Changes whenever the cache is emptied: an answer computed across a change must not be kept."""
    return _generation


def keep(key: Hashable, value: Any, since: int, size: int = 0) -> None:
    """Keep ``value`` for ``key`` unless a write was committed since ``generation()`` was ``since``; either
    way, ``key`` is no longer being computed again. ``value`` None keeps nothing."""
    global _kept_bytes
    seconds = get_settings().public_cache_seconds
    with _lock:
        _refreshing.discard(key)
        if value is None or seconds <= 0 or since != _generation:
            return
        if len(_entries) >= MAX_ENTRIES or _kept_bytes + size > MAX_BYTES:
            _entries.clear()
            _kept_bytes = 0
        _entries[key] = (time.monotonic() + seconds, value)
        _kept_bytes += size


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave for ``key`` less than the configured seconds ago. Errors are not kept."""
    if get_settings().public_cache_seconds <= 0:
        return compute()
    hit = _entries.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    since = _generation
    try:
        value = compute()
    except BaseException:
        keep(key, None, since)
        raise
    keep(key, value, since)
    return value


def peek(key: Hashable) -> Any:
    """What is kept for ``key`` without computing anything: the fresh answer; the expired one while another
    request computes it again; else None, and the caller (who then calls ``cached`` or ``keep``) is that
    request."""
    if get_settings().public_cache_seconds <= 0:
        return None
    hit = _entries.get(key)
    if hit is None:
        return None
    now = time.monotonic()
    if hit[0] > now:
        return hit[1]
    with _lock:
        if key in _refreshing and now - hit[0] < STALE_SECONDS:
            return hit[1]
        _refreshing.add(key)
    return None


def clear() -> None:
    global _generation, _kept_bytes
    with _lock:
        _generation += 1
        _kept_bytes = 0
        _entries.clear()
        _refreshing.clear()


def changes_no_answer(connection: Any) -> None:
    """This transaction's writes are in no kept answer (download counts): its commit empties nothing."""
    connection.info.pop("wrote", None)


def watch(engine: Engine) -> None:
    """Empty the cache whenever a transaction on ``engine`` that wrote something commits."""

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() in WRITES:
            conn.info["wrote"] = True

    @event.listens_for(engine, "commit")
    def _after_write(conn: Any) -> None:
        if conn.info.pop("wrote", False):
            clear()

    @event.listens_for(engine, "rollback")
    def _forget(conn: Any) -> None:
        conn.info.pop("wrote", None)
