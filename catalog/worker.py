"""The background worker's catalogue duties: keep the search index in step with the outbox, and load
published data into the datastore (and take withdrawn data out of it)."""

import logging
import time
from collections.abc import Callable

from sqlmodel import Session

from catalog.datastore.ingest import drop_withdrawn, ingest_pending
from catalog.db import get_engine, session_scope
from catalog.services.search_index import apply_outbox

log = logging.getLogger("terbuka.worker")


def drain_outbox() -> int:
    """Apply every pending index change; returns how many datasets were synced."""
    total = 0
    with Session(get_engine()) as session:
        while synced := apply_outbox(session):
            session.commit()
            total += synced
    return total


def sync_datastore() -> int:
    """Load every newly published tabular resource and drop withdrawn ones; returns how many were loaded."""
    loaded = ingest_pending()
    with session_scope() as session:
        drop_withdrawn(session)
    return loaded


def run(*, poll_seconds: float = 2.0, should_stop: Callable[[], bool] = lambda: False) -> None:
    """Poll the outbox until stopped; a failing index is retried on the next round, nothing is lost."""
    while not should_stop():
        try:
            synced = drain_outbox()
            if synced:
                log.info("search index: %d datasets synced", synced)
        except Exception:
            log.exception("search index sync failed; retrying in %.0f s", poll_seconds)
        try:
            loaded = sync_datastore()
            if loaded:
                log.info("datastore: %d tables loaded", loaded)
        except Exception:
            log.exception("datastore sync failed; retrying in %.0f s", poll_seconds)
        time.sleep(poll_seconds)
