"""The default search backend: SQLite FTS5 in its own file, no server.

Each document becomes one FTS5 row with separate columns for exact words and for stems, so
bm25 column weights rank an exact-word match above a stem-only one. Stop words, synonyms and
stems are applied here in Python (``search.analysis``) rather than in an FTS5 tokenizer, which
keeps the index readable by any SQLite. Typos are corrected against the vocabulary of indexed
words: a query word of five letters or more that is not in the vocabulary is replaced by the
indexed words one edit away. The last word typed, if not itself indexed, also finds the indexed
words it begins.

Queries work on bitmaps (Python ints, one bit per document number) held for one index generation
(``_Snapshot``): one per facet value, stored ready-made in ``facet_bits``; one per query word,
read from FTS5 on first use; chunks of each sort order. Matching, filters, the total and the
facet counts are bit operations. Ranking computes FTS5's bm25 for a few documents only: all
matches when they are few, otherwise candidates whose titles hold the rarest query words (``_rank``).

Thread safety: one connection per thread; writers take a lock, and WAL lets readers go on. Every
write bumps the generation number, and the next query starts a new snapshot.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import os
import sqlite3
import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import product, takewhile
from pathlib import Path
from typing import Any

from search import analysis
from search.base import (
    FilterValue,
    Hit,
    Progress,
    SearchResult,
    Sort,
    check_paging,
    document_facets,
    normalise_filters,
)
from search.highlight import Matcher, highlight, snippet

log = logging.getLogger("terbuka.search")
BATCH = 8000
PARALLEL_BATCHES = 3  # a reindex of this many batches or more analyses them in other processes
# A relevance query scores this many documents beyond the page asked for; with more matches
# than that, the candidates come from title bitmaps (see _rank).
CANDIDATES = 30
# Documents per chunk of a sort order, and the query words that make the candidate tiers.
ORDER_CHUNK = 1024
# Documents per stored facet bitmap row (facet_bits.chunk is the document number // FACET_CHUNK).
FACET_CHUNK = 32768
_TIER_WORDS = 4
# The last word typed, when not an indexed word, also finds up to PREFIX_WORDS indexed words it
# begins, from PREFIX_LENGTH letters ("puskes" finds "puskesmas").
PREFIX_LENGTH, PREFIX_WORDS = 4, 10
# Phrase bitmaps kept per index generation before the cache starts afresh.
PHRASE_CACHE = 2000
# bm25 weights for: title, meta (organisation, tags, themes, places), description, synonyms,
# title stems, other stems. Exact columns outweigh their stem columns.
WEIGHTS = (10.0, 5.0, 2.0, 3.0, 4.0, 1.0)
_COLUMNS = ("title", "meta", "description", "synonyms", "title_stems", "other_stems")
# bm25 constants as FTS5 has them; a word in more than half the rows gets this idf.
_K1, _B, _NO_IDF = 1.2, 0.75, 1e-6
# A phrase is an exact word, searched in the first four columns, or a stem, in the last two.
Phrase = tuple[int, str]
_EXACT, _STEM = 0, 1
_KIND_WEIGHTS = (tuple((c, WEIGHTS[c]) for c in range(4)), tuple((c, WEIGHTS[c]) for c in range(4, 6)))
_KIND_FILTER = ("{title meta description synonyms}", "{title_stems other_stems}")
_KIND_TITLE = ("title", "title_stems")
_SORT_SQL = {"newest": "published_at DESC, n", "title": "title_key, n", "downloads": "downloads DESC, n"}
_WORD_MASK = (1 << 64) - 1
_SCHEMA = """
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
# Suggestion ranks: what the user most likely means comes first.
_ORG, _TAG, _TITLE, _INNER = 0, 1, 2, 3
_MAX_TITLE_POSITIONS = 6


def _suggestion_rows(doc: dict[str, Any]) -> set[tuple[int, str, str, str, str]]:
    rows: set[tuple[int, str, str, str, str]] = set()
    org = doc.get("organization") or ""
    for label in (doc.get("organization_abbreviation"), doc.get("organization_name")):
        if label:
            found = analysis.words(label)
            for position in range(len(found)):
                rank = _ORG if position == 0 else _INNER
                rows.add((rank, " ".join(found[position:]), "organization", label, org))
    for tag in doc.get("tags") or []:
        rows.add((_TAG, " ".join(analysis.words(tag)), "tag", tag, tag))
    title = doc.get("title") or ""
    found = analysis.words(title)
    for position in range(min(len(found), _MAX_TITLE_POSITIONS)):
        rank = _TITLE if position == 0 else _INNER
        rows.add((rank, " ".join(found[position:]), "dataset", title, doc.get("slug") or ""))
    return {row for row in rows if row[1]}


def _fts_row(doc: dict[str, Any]) -> tuple[list[str], set[str]]:
    """The six FTS column texts of a document and the words they hold."""
    title = analysis.words(doc.get("title") or "")
    meta_text = " ".join(
        [doc.get("organization_name") or "", doc.get("organization_abbreviation") or ""]
        + list(doc.get("tags") or [])
        + list(doc.get("themes") or [])
        + list(doc.get("kecamatan") or [])
        + list(doc.get("formats") or [])
        + [str(y) for y in doc.get("years") or []]
    )
    meta = analysis.words(meta_text)
    description = analysis.words(doc.get("description") or "")
    synonyms = sorted(analysis.synonyms_in([*title, "", *meta, "", *description]))  # "" keeps phrases apart
    stop = analysis.stop_words()
    other = [w for w in meta + description + synonyms if w not in stop]
    columns = [
        " ".join(title),
        " ".join(meta),
        " ".join(description),
        " ".join(synonyms),
        " ".join(analysis.stems(w for w in title if w not in stop)),
        " ".join(analysis.stems(other)),
    ]
    return columns, set(title) | set(meta) | set(description) | set(synonyms)


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class EmbeddedBackend:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._typo_lock = threading.Lock()
        self._typo_generation = -1
        self._typo_index: dict[str, set[str]] = {}
        self._vocab: list[str] = []
        self._snapshot_lock = threading.Lock()
        self._current = _Snapshot(-1)
        conn = self._conn()
        conn.executescript(_SCHEMA)
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'facets'").fetchone():
            self._migrate_facets(conn)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    # ---- writing

    def _migrate_facets(self, conn: sqlite3.Connection) -> None:
        """Facet rows of an index written by an earlier version become facet bitmaps."""
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'facets'").fetchone():
                    _update_facet_bits(conn, conn.execute("SELECT n, name, value FROM facets").fetchall(), True)
                    conn.execute("DROP TABLE facets")
                    self._bump(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def index(self, docs: Iterable[dict[str, Any]]) -> None:
        for batch in _batches(docs):
            self._write(batch, clear=False)

    def delete(self, ids: Iterable[str]) -> None:
        wanted = [str(i) for i in ids]
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._remove(conn, wanted)
                self._bump(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def reindex(self, docs: Iterable[dict[str, Any]], progress: Progress | None = None) -> None:
        all_docs = list(docs)
        done = 0
        if not all_docs:
            self._write([], clear=True)
        for number, batch in enumerate(_prepared_batches(list(_batches(all_docs)))):
            self._write_prepared(batch, clear=number == 0)
            done += len(batch.rows)
            if progress is not None:
                progress(done, len(all_docs))

    def _write(self, batch: list[dict[str, Any]], *, clear: bool) -> None:
        self._write_prepared(_prepare(batch), clear=clear)

    def _write_prepared(self, batch: _Prepared, *, clear: bool) -> None:
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                if clear:
                    for table in ("docs", "facet_bits", "suggestions", "vocab", "fts"):
                        conn.execute(f"DELETE FROM {table}")
                else:
                    self._remove(conn, [row[0] for row in batch.rows])
                self._insert(conn, batch)
                conn.executemany("INSERT OR IGNORE INTO vocab(term) VALUES (?)", ((t,) for t in batch.vocab))
                self._bump(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _insert(self, conn: sqlite3.Connection, batch: _Prepared) -> None:
        facets: list[tuple[int, str, str]] = []
        rows: list[tuple[Any, ...]] = []
        fts: list[tuple[Any, ...]] = []
        last = conn.execute("SELECT coalesce(max(n), 0) FROM docs").fetchone()[0]
        for n, (row, columns, doc_facets) in enumerate(
            zip(batch.rows, batch.columns, batch.facets, strict=True), last + 1
        ):
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
        _update_facet_bits(conn, facets, True)
        conn.executemany(
            "INSERT INTO suggestions(rank, key, kind, label, value, uses) VALUES (?, ?, ?, ?, ?, 1)"
            " ON CONFLICT DO UPDATE SET uses = uses + 1",
            batch.suggestions,
        )

    def _remove(self, conn: sqlite3.Connection, ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            old = conn.execute(f"SELECT n, body FROM docs WHERE id IN ({marks})", chunk).fetchall()
            if not old:
                continue
            numbers = [(n,) for n, _ in old]
            bodies = [(n, json.loads(body)) for n, body in old]
            rows = [row for _, doc in bodies for row in _suggestion_rows(doc)]
            _update_facet_bits(
                conn, [(n, name, value) for n, doc in bodies for name, value in document_facets(doc)], False
            )
            conn.executemany(
                "UPDATE suggestions SET uses = uses - 1 WHERE rank=? AND key=? AND kind=? AND label=?",
                [row[:4] for row in rows],
            )
            conn.execute("DELETE FROM suggestions WHERE uses <= 0")
            conn.executemany("DELETE FROM fts WHERE rowid = ?", numbers)
            conn.executemany("DELETE FROM docs WHERE n = ?", numbers)

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta(k, v) VALUES ('generation', 1) ON CONFLICT DO UPDATE SET v = v + 1")

    # ---- reading

    def _snapshot(self, conn: sqlite3.Connection) -> _Snapshot:
        row = conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()
        generation = row[0] if row else 0
        snapshot = self._current
        if snapshot.generation != generation:
            snapshot = _Snapshot(generation)
            with self._snapshot_lock:
                if generation > self._current.generation:
                    self._current = snapshot
        return snapshot

    def _near_words(self, conn: sqlite3.Connection, generation: int, word: str, last: bool) -> set[str]:
        """Indexed words one edit away from a word that is not itself indexed and, for the last
        word typed, the indexed words it begins (type-ahead)."""
        with self._typo_lock:
            if generation != self._typo_generation:
                vocab = sorted(t for (t,) in conn.execute("SELECT term FROM vocab"))
                index: dict[str, set[str]] = {}
                for term in vocab:
                    for form in analysis.deletes(term):
                        index.setdefault(form, set()).add(term)
                self._vocab, self._typo_index, self._typo_generation = vocab, index, generation
            vocab = self._vocab
            position = bisect_left(vocab, word)
            if (position < len(vocab) and vocab[position] == word) or word.isdigit():
                return set()
            near: set[str] = set()
            if last and len(word) >= PREFIX_LENGTH:
                near.update(takewhile(lambda t: t.startswith(word), vocab[position : position + PREFIX_WORDS]))
            if len(word) >= analysis.MIN_TYPO_LENGTH:
                candidates = {t for form in analysis.deletes(word) for t in self._typo_index.get(form, ())}
                near.update(t for t in candidates if analysis.within_one_edit(word, t))
        return near

    def _groups(self, conn: sqlite3.Connection, generation: int, q: str) -> tuple[list[list[Phrase]], Matcher]:
        """One group of alternative phrases per query word; a document must match every group."""
        groups: list[list[Phrase]] = []
        matcher = Matcher()
        terms = analysis.terms(q)
        typed = analysis.words(q)
        for position, term in enumerate(terms):
            last = position == len(terms) - 1 and typed[-1] == term and q[-1:].isalnum()
            exact = {term} | self._near_words(conn, generation, term, last)
            stems = {analysis.stem(w) for w in exact}
            matcher.add(exact, stems)
            groups.append([(_EXACT, w) for w in sorted(exact)] + [(_STEM, s) for s in sorted(stems)])
        return groups, matcher

    def query(
        self,
        q: str,
        *,
        filters: dict[str, FilterValue] | None = None,
        sort: Sort = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> SearchResult:
        check_paging(sort, page, per_page)
        wanted = normalise_filters(filters)
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            snapshot = self._snapshot(conn)
            groups, matcher = self._groups(conn, snapshot.generation, q)
            bits = snapshot.order(conn, "newest").all
            for group in groups:
                bits &= _union(snapshot.phrase(conn, phrase) for phrase in group)
            facet_bits = snapshot.facets(conn)
            for name, values in wanted.items():
                bits &= _union(facet_bits.get((name, value), 0) for value in values)
            total = bits.bit_count()
            facets = snapshot.facet_counts(conn, bits, everything=not groups and not wanted)
            start, end = (page - 1) * per_page, page * per_page
            phrases = [phrase for group in groups for phrase in group]
            if phrases and sort == "relevance":
                scores = _rank(conn, snapshot, groups, bits, total, end)
                numbers = list(scores)[start:end]
            else:
                order = snapshot.order(conn, "newest" if sort == "relevance" else sort)
                numbers = order.first(bits, end, total)[start:]
                scores = snapshot.scores(conn, phrases, numbers) if phrases else {}
            marks = ",".join("?" * len(numbers))
            rows = {
                row[0]: row[1:]
                for row in conn.execute(
                    f"SELECT n, id, slug, title, organization, description FROM docs WHERE n IN ({marks})", numbers
                )
            }
        finally:
            conn.execute("COMMIT")
        hits = []
        for n in numbers:
            id_, slug, title, org, description = rows[n]
            hits.append(
                Hit(
                    id=id_,
                    slug=slug,
                    title=title,
                    organization=org,
                    score=round(scores.get(n, 0.0), 4),
                    highlights={"title": highlight(title, matcher), "description": snippet(description, matcher)},
                )
            )
        return SearchResult(hits=hits, total=total, facets=facets, page=page, per_page=per_page)

    def suggest(self, q: str, limit: int = 8) -> list[dict[str, str]]:
        prefix = " ".join(analysis.words(q))
        if not prefix or limit < 1:
            return []
        if q[-1:].isspace():
            prefix += " "
        conn = self._conn()
        found: dict[tuple[str, str], dict[str, str]] = {}
        for rank in (_ORG, _TAG, _TITLE, _INNER):
            for kind, label, value in conn.execute(
                "SELECT kind, label, value FROM suggestions WHERE rank = ? AND key >= ? AND key < ?"
                " ORDER BY key LIMIT ?",
                (rank, prefix, prefix + "\uffff", limit * 2),
            ):
                found.setdefault((kind, label), {"text": label, "kind": kind, "value": value})
                if len(found) >= limit:
                    return list(found.values())
        return list(found.values())


class _Order:
    """The documents in one sort order: each one's position, and bitmaps of consecutive chunks."""

    def __init__(self, numbers: list[int]) -> None:
        self.position = {n: i for i, n in enumerate(numbers)}
        self.chunks = [_bitmap(numbers[i : i + ORDER_CHUNK]) for i in range(0, len(numbers), ORDER_CHUNK)]
        self.all = _union(self.chunks)

    def first(self, bits: int, count: int, total: int) -> list[int]:
        """The first `count` of the `total` documents of the bitmap in this order."""
        if total <= ORDER_CHUNK:
            return sorted(_members(bits), key=self.position.__getitem__)[:count]
        found: list[int] = []
        for chunk in self.chunks:
            if len(found) >= count:
                break
            part = bits & chunk
            if part:
                found.extend(sorted(_members(part), key=self.position.__getitem__))
        return found[:count]


class _Snapshot:
    """What queries keep in memory for one index generation, filled in as queries need it.

    Bitmaps have one bit per document number: facet values, phrases (a word in the exact columns
    or a stem in the stem columns, read from FTS5 on first use) and chunks of each sort order.
    """

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self._lock = threading.Lock()
        self._orders: dict[str, _Order] = {}
        self._facets: dict[tuple[str, str], int] | None = None
        self._phrases: dict[tuple[Phrase, bool], int] = {}
        self._stats: tuple[int, float] | None = None
        self._everything: dict[str, dict[str, int]] | None = None

    def order(self, conn: sqlite3.Connection, sort: str) -> _Order:
        order = self._orders.get(sort)
        if order is None:
            with self._lock:
                order = self._orders.get(sort)
                if order is None:
                    numbers = [n for (n,) in conn.execute(f"SELECT n FROM docs ORDER BY {_SORT_SQL[sort]}")]
                    order = self._orders[sort] = _Order(numbers)
        return order

    def facets(self, conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
        with self._lock:
            if self._facets is None:
                data: dict[tuple[str, str], bytearray] = {}
                for name, value, chunk, bits in conn.execute("SELECT name, value, chunk, bits FROM facet_bits"):
                    found = data.setdefault((name, value), bytearray())
                    end = (chunk + 1) * len(bits)
                    if end > len(found):
                        found.extend(bytes(end - len(found)))
                    found[end - len(bits) : end] = bits
                self._facets = {key: int.from_bytes(found, "little") for key, found in data.items()}
            return self._facets

    def facet_counts(self, conn: sqlite3.Connection, bits: int, everything: bool) -> dict[str, dict[str, int]]:
        """Counts per facet value among the documents of the bitmap; kept when that is every document."""
        if everything and self._everything is not None:
            return {name: dict(values) for name, values in self._everything.items()}
        if not bits:
            return {}
        counts: dict[str, dict[str, int]] = {}
        for (name, value), value_bits in self.facets(conn).items():
            count = (value_bits & bits).bit_count()
            if count:
                counts.setdefault(name, {})[value] = count
        result = {
            name: dict(sorted(values.items(), key=lambda item: (-item[1], item[0]))) for name, values in counts.items()
        }
        if everything:
            self._everything = {name: dict(values) for name, values in result.items()}
        return result

    def phrase(self, conn: sqlite3.Connection, phrase: Phrase, title: bool = False) -> int:
        """Documents holding the phrase in its columns, or in the title column of its kind."""
        bits = self._phrases.get((phrase, title))
        if bits is None:
            kind, term = phrase
            columns = _KIND_TITLE[kind] if title else _KIND_FILTER[kind]
            bits = _packed(
                conn.execute(
                    "SELECT rowid >> 6, sum(1 << (rowid & 63)) FROM fts WHERE fts MATCH ? GROUP BY 1",
                    (f"{columns} : {_quote(term)}",),
                )
            )
            if len(self._phrases) >= PHRASE_CACHE:
                self._phrases.clear()
            self._phrases[(phrase, title)] = bits
        return bits

    def stats(self, conn: sqlite3.Connection) -> tuple[int, float]:
        """Rows and average tokens per row, from the FTS5 averages record, as bm25 takes them."""
        if self._stats is None:
            row = conn.execute("SELECT block FROM fts_data WHERE id = 1").fetchone()
            values = _varints(row[0]) if row else []
            rows = values[0] if values else 0
            self._stats = (rows, sum(values[1:]) / rows if rows else 1.0)
        return self._stats

    def idf(self, conn: sqlite3.Connection, phrase: Phrase) -> float:
        rows, _ = self.stats(conn)
        hits = self.phrase(conn, phrase).bit_count()
        idf = math.log((rows - hits + 0.5) / (hits + 0.5)) if rows else 0.0
        return idf if idf > 0 else _NO_IDF

    def scores(self, conn: sqlite3.Connection, phrases: list[Phrase], numbers: list[int]) -> dict[int, float]:
        """FTS5's bm25 with the column weights, computed here for the given documents only."""
        _, average = self.stats(conn)
        weighted = [
            (f" {term} ", _KIND_WEIGHTS[kind], self.idf(conn, (kind, term)) * uses)
            for (kind, term), uses in Counter(phrases).items()
        ]
        scores: dict[int, float] = {}
        for start in range(0, len(numbers), 500):
            chunk = numbers[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for n, *texts in conn.execute(
                f"SELECT rowid, {', '.join(_COLUMNS)} FROM fts WHERE rowid IN ({marks})", chunk
            ):
                norm = _K1 * (1 - _B + _B * sum(text.count(" ") + 1 for text in texts if text) / average)
                # Every word between two spaces of its own, so that count() finds repeated words.
                columns = [f" {text.replace(' ', '  ')} " for text in texts]
                score = 0.0
                for needle, weights, idf in weighted:
                    freq = 0.0
                    for column, weight in weights:
                        freq += weight * columns[column].count(needle)
                    score += idf * freq * (_K1 + 1) / (freq + norm)
                scores[n] = score
        return scores


def _rank(
    conn: sqlite3.Connection, snapshot: _Snapshot, groups: list[list[Phrase]], bits: int, total: int, count: int
) -> dict[int, float]:
    """The first `count` matches and their bm25 scores, best first, newest first among equals.

    Up to CANDIDATES more than asked for are scored exactly. When there are more matches than
    that, the candidates are those whose titles hold the rarest query words (tiers by the summed
    idf of the words found in the title), newest first within a tier.
    """
    limit = CANDIDATES + count
    candidates = _members(bits) if total <= limit else _candidates(conn, snapshot, groups, bits, limit)
    scores = snapshot.scores(conn, [phrase for group in groups for phrase in group], candidates)
    position = snapshot.order(conn, "newest").position
    return {n: scores[n] for n in sorted(candidates, key=lambda n: (-scores[n], position[n]))[:count]}


def _candidates(
    conn: sqlite3.Connection, snapshot: _Snapshot, groups: list[list[Phrase]], bits: int, limit: int
) -> list[int]:
    idfs = sorted(((max(snapshot.idf(conn, p) for p in group), group) for group in groups), key=lambda item: -item[0])
    weighted = [
        (idf, _union(snapshot.phrase(conn, p, title=True) for p in group))
        for idf, group in idfs[:_TIER_WORDS]
        if idf > _NO_IDF
    ]
    tiers = sorted(
        product((True, False), repeat=len(weighted)),
        key=lambda picks: (-sum(w for (w, _), on in zip(weighted, picks, strict=True) if on), -sum(picks)),
    )
    newest = snapshot.order(conn, "newest")
    found: list[int] = []
    for picks in tiers:
        part = bits
        for (_, title), on in zip(weighted, picks, strict=True):
            part &= title if on else ~title
        if part:
            found.extend(newest.first(part, limit - len(found), part.bit_count()))
            if len(found) >= limit:
                break
    return found


def _update_facet_bits(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, str]], present: bool) -> None:
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


def _union(bitmaps: Iterable[int]) -> int:
    result = 0
    for bits in bitmaps:
        result |= bits
    return result


def _bitmap(numbers: Iterable[int]) -> int:
    bits = bytearray()
    for n in numbers:
        byte = n >> 3
        if byte >= len(bits):
            bits.extend(bytes(byte - len(bits) + 1))
        bits[byte] |= 1 << (n & 7)
    return int.from_bytes(bits, "little")


def _packed(words: Iterable[tuple[int, int]]) -> int:
    """A bitmap from (number >> 6, sum of 1 << (number & 63)) rows, as SQLite aggregates them."""
    data = bytearray()
    for word, bits in words:
        end = (word + 1) * 8
        if end > len(data):
            data.extend(bytes(end - len(data)))
        data[end - 8 : end] = (bits & _WORD_MASK).to_bytes(8, "little")
    return int.from_bytes(data, "little")


def _members(bits: int) -> list[int]:
    text = bin(bits)[:1:-1]
    found: list[int] = []
    position = text.find("1")
    while position >= 0:
        found.append(position)
        position = text.find("1", position + 1)
    return found


def _varints(data: bytes) -> list[int]:
    """SQLite variable-length integers, as FTS5 stores its row and token totals."""
    values: list[int] = []
    value = length = 0
    for byte in data:
        if length == 8:
            values.append(value << 8 | byte)
            value = length = 0
            continue
        value = value << 7 | byte & 0x7F
        length += 1
        if byte < 0x80:
            values.append(value)
            value = length = 0
    return values


@dataclass
class _Prepared:
    """A batch of documents analysed, ready to write: what costs Python time, done before the write lock."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)  # docs table rows, without n
    columns: list[list[str]] = field(default_factory=list)  # FTS column texts
    facets: list[list[tuple[str, str]]] = field(default_factory=list)
    suggestions: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    vocab: set[str] = field(default_factory=set)


def _prepare(batch: list[dict[str, Any]]) -> _Prepared:
    prepared = _Prepared()
    for doc in batch:
        columns, found = _fts_row(doc)
        prepared.vocab.update(w for w in found if len(w) >= analysis.MIN_TYPO_LENGTH - 1)
        title = doc.get("title") or ""
        prepared.rows.append(
            (
                str(doc["id"]),
                doc.get("slug") or "",
                title,
                analysis.fold(title),
                doc.get("organization") or "",
                doc.get("description") or "",
                doc.get("published_at") or "",
                int(doc.get("downloads") or 0),
                json.dumps(doc, ensure_ascii=False, default=str),
            )
        )
        prepared.columns.append(columns)
        prepared.facets.append(list(document_facets(doc)))
        prepared.suggestions.extend(_suggestion_rows(doc))
    return prepared


def _prepared_batches(batches: list[list[dict[str, Any]]]) -> Iterator[_Prepared]:
    """Batches analysed in order; a large reindex analyses them in two other processes while the caller writes."""
    given = 0
    if len(batches) >= PARALLEL_BATCHES and (os.cpu_count() or 1) >= 2:
        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
        try:
            for batch in pool.map(_prepare, batches):
                yield batch
                given += 1
        except BrokenProcessPool:  # e.g. a main module the workers cannot import: go on in this process
            log.warning("search reindex: analysis processes failed; continuing in this process")
        finally:
            pool.shutdown(cancel_futures=True)
    yield from map(_prepare, batches[given:])


def _batches(docs: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
