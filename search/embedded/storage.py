"""The embedded index's tables and every write to them, each inside the one write transaction.

Every write bumps the generation number in ``meta``; the next query sees it and starts a new
snapshot (``search.embedded.snapshot``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from search.base import document_facets
from search.embedded.documents import AnalysedBatch, suggestion_rows

# Documents per stored facet bitmap row (facet_bits.chunk is the document number // FACET_CHUNK).
FACET_CHUNK = 32768
SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS docs (
    n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, slug TEXT, title TEXT, title_key TEXT,
    organization TEXT, description TEXT, published_at TEXT, downloads INTEGER, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS docs_published ON docs(published_at);
CREATE TABLE IF NOT EXISTS facet_bits (
    name TEXT NOT NULL, value TEXT NOT NULL, chunk INTEGER NOT NULL, bits BLOB NOT NULL,
    PRIMARY KEY (name, value, chunk)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS suggestions (
    rank INTEGER NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL,
    value TEXT NOT NULL, uses INTEGER NOT NULL, PRIMARY KEY (rank, key, kind, label)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vocab (term TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    title, meta, description, synonyms, title_stems, other_stems, tokenize='unicode61');
"""
_TABLES = ("docs", "facet_bits", "suggestions", "vocab", "fts")


@contextmanager
def write_transaction(conn: sqlite3.Connection, lock: threading.Lock) -> Iterator[None]:
    """One writer at a time; commits and bumps the generation when the block succeeds, rolls back otherwise."""
    with lock:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("INSERT INTO meta(k, v) VALUES ('generation', 1) ON CONFLICT DO UPDATE SET v = v + 1")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def has_facet_rows(conn: sqlite3.Connection) -> bool:
    """Whether the index was written by an earlier version that kept facets as rows."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'facets'").fetchone() is not None


def migrate_facet_rows(conn: sqlite3.Connection) -> None:
    """Facet rows of an index written by an earlier version become facet bitmaps."""
    if has_facet_rows(conn):
        update_facet_bits(conn, conn.execute("SELECT n, name, value FROM facets").fetchall(), True)
        conn.execute("DROP TABLE facets")


def clear(conn: sqlite3.Connection) -> None:
    for table in _TABLES:
        conn.execute(f"DELETE FROM {table}")


def insert(conn: sqlite3.Connection, batch: AnalysedBatch) -> None:
    """Write an analysed batch of documents that are not in the index."""
    facets: list[tuple[int, str, str]] = []
    rows: list[tuple[Any, ...]] = []
    fts: list[tuple[Any, ...]] = []
    last = conn.execute("SELECT coalesce(max(n), 0) FROM docs").fetchone()[0]
    for n, (row, columns, doc_facets) in enumerate(zip(batch.rows, batch.columns, batch.facets, strict=True), last + 1):
        rows.append((n, *row))
        fts.append((n, *columns))
        facets.extend((n, name, value) for name, value in doc_facets)
    conn.executemany(
        "INSERT INTO docs(n, id, slug, title, title_key, organization, description, published_at,"
        " downloads, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany(
        "INSERT INTO fts(rowid, title, meta, description, synonyms, title_stems, other_stems)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        fts,
    )
    update_facet_bits(conn, facets, True)
    conn.executemany(
        "INSERT INTO suggestions(rank, key, kind, label, value, uses) VALUES (?, ?, ?, ?, ?, 1)"
        " ON CONFLICT DO UPDATE SET uses = uses + 1",
        batch.suggestions,
    )
    conn.executemany("INSERT OR IGNORE INTO vocab(term) VALUES (?)", ((t,) for t in batch.vocab))


def remove(conn: sqlite3.Connection, ids: list[str]) -> None:
    """Remove documents by id, with their facet bits and suggestion uses; unknown ids are ignored."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        old = conn.execute(f"SELECT n, body FROM docs WHERE id IN ({marks})", chunk).fetchall()
        if not old:
            continue
        numbers = [(n,) for n, _ in old]
        bodies = [(n, json.loads(body)) for n, body in old]
        rows = [row for _, doc in bodies for row in suggestion_rows(doc)]
        update_facet_bits(conn, [(n, name, value) for n, doc in bodies for name, value in document_facets(doc)], False)
        conn.executemany(
            "UPDATE suggestions SET uses = uses - 1 WHERE rank=? AND key=? AND kind=? AND label=?",
            [row[:4] for row in rows],
        )
        conn.execute("DELETE FROM suggestions WHERE uses <= 0")
        conn.executemany("DELETE FROM fts WHERE rowid = ?", numbers)
        conn.executemany("DELETE FROM docs WHERE n = ?", numbers)


def update_facet_bits(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str]], present: bool) -> None:
    """Set (or clear) the bits of documents in the stored bitmaps of their facet values."""
    changes: dict[tuple[str, str, int], list[int]] = {}
    for n, name, value in rows:
        changes.setdefault((name, value, n // FACET_CHUNK), []).append(n % FACET_CHUNK)
    for (name, value, chunk), offsets in changes.items():
        row = conn.execute(
            "SELECT bits FROM facet_bits WHERE name = ? AND value = ? AND chunk = ?", (name, value, chunk)
        ).fetchone()
        data = bytearray(row[0] if row else bytes(FACET_CHUNK // 8))
        for offset in offsets:
            if present:
                data[offset >> 3] |= 1 << (offset & 7)
            else:
                data[offset >> 3] &= ~(1 << (offset & 7)) & 0xFF
        if any(data):
            conn.execute(
                "INSERT OR REPLACE INTO facet_bits(name, value, chunk, bits) VALUES (?, ?, ?, ?)",
                (name, value, chunk, bytes(data)),
            )
        else:
            conn.execute("DELETE FROM facet_bits WHERE name = ? AND value = ? AND chunk = ?", (name, value, chunk))
