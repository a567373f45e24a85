"""Documents in write batches, analysed in order; a large reindex analyses them in two other processes."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from search.embedded.documents import AnalysedBatch, analyse

log = logging.getLogger("terbuka.search")
BATCH = 8000
PARALLEL_BATCHES = 3  # a reindex of this many batches or more analyses them in other processes


def batches(docs: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def analysed_batches(given_batches: list[list[dict[str, Any]]]) -> Iterator[AnalysedBatch]:
    """Batches analysed in order; a large reindex analyses them in two other processes while the caller writes."""
    given = 0
    if len(given_batches) >= PARALLEL_BATCHES and (os.cpu_count() or 1) >= 2:
        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
        try:
            for batch in pool.map(analyse, given_batches):
                yield batch
                given += 1
        except BrokenProcessPool:  # e.g. a main module the workers cannot import: go on in this process
            log.warning("search reindex: analysis processes failed; continuing in this process")
        finally:
            pool.shutdown(cancel_futures=True)
    yield from map(analyse, given_batches[given:])
