"""The embedded backend: the search contract over an SQLite FTS5 file, no server.

Typos are corrected against the vocabulary of indexed words: a query word of five letters or more
that is not in the vocabulary is replaced by the indexed words one edit away. The last word typed,
if not itself indexed, also finds the indexed words it begins. A query intersects the bitmaps of its
words' phrases and of its filters (``snapshot``) and ranks the result with bm25 (``bm25``).

Thread safety: one connection per thread; writers take a lock, and WAL lets readers go on. Every
write bumps the generation number, and the next query starts a new snapshot.
"""

from __future__ import annotations

import sqlite3
import threading
from bisect import bisect_left
from collections.abc import Iterable
from itertools import takewhile
from pathlib import Path
from typing import Any

from search import analysis
from search.base import FilterValue, Hit, Progress, SearchResult, Sort, check_paging, normalise_filters
from search.embedded import bm25, storage
from search.embedded.batches import analysed_batches, batches
from search.embedded.bitmaps import union
from search.embedded.documents import SUGGESTION_RANKS, AnalysedBatch, analyse
from search.embedded.snapshot import EXACT, STEM, Phrase, Snapshot
from search.highlight import Matcher, highlight, snippet

# The last word typed, when not an indexed word, also finds up to PREFIX_WORDS indexed words it
# begins, from PREFIX_LENGTH letters ("puskes" finds "puskesmas").
PREFIX_LENGTH, PREFIX_WORDS = 4, 10


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
        self._current = Snapshot(-1)
        conn = self._conn()
        conn.executescript(storage.SCHEMA)
        if storage.has_facet_rows(conn):
            with storage.write_transaction(conn, self._write_lock):
                storage.migrate_facet_rows(conn)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    # ---- writing

    def index(self, docs: Iterable[dict[str, Any]]) -> None:
        for batch in batches(docs):
            self._write(analyse(batch), clear=False)

    def delete(self, ids: Iterable[str]) -> None:
        wanted = [str(i) for i in ids]
        conn = self._conn()
        with storage.write_transaction(conn, self._write_lock):
            storage.remove(conn, wanted)

    def reindex(self, docs: Iterable[dict[str, Any]], progress: Progress | None = None) -> None:
        all_docs = list(docs)
        done = 0
        if not all_docs:
            self._write(AnalysedBatch(), clear=True)
        for number, batch in enumerate(analysed_batches(list(batches(all_docs)))):
            self._write(batch, clear=number == 0)
            done += len(batch.rows)
            if progress is not None:
                progress(done, len(all_docs))

    def _write(self, batch: AnalysedBatch, *, clear: bool) -> None:
        """Replace the batch's documents (or, with clear, everything) by the batch."""
        conn = self._conn()
        with storage.write_transaction(conn, self._write_lock):
            if clear:
                storage.clear(conn)
            else:
                storage.remove(conn, [row[0] for row in batch.rows])
            storage.insert(conn, batch)

    # ---- reading

    def _snapshot(self, conn: sqlite3.Connection) -> Snapshot:
        row = conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()
        generation = row[0] if row else 0
        snapshot = self._current
        if snapshot.generation != generation:
            snapshot = Snapshot(generation)
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
            groups.append([(EXACT, w) for w in sorted(exact)] + [(STEM, s) for s in sorted(stems)])
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
                bits &= union(snapshot.phrase(conn, phrase) for phrase in group)
            facet_bits = snapshot.facets(conn)
            for name, values in wanted.items():
                bits &= union(facet_bits.get((name, value), 0) for value in values)
            total = bits.bit_count()
            facets = snapshot.facet_counts(conn, bits, everything=not groups and not wanted)
            start, end = (page - 1) * per_page, page * per_page
            phrases = [phrase for group in groups for phrase in group]
            if phrases and sort == "relevance":
                scores = bm25.rank(conn, snapshot, groups, bits, total, end)
                numbers = list(scores)[start:end]
            else:
                order = snapshot.order(conn, "newest" if sort == "relevance" else sort)
                numbers = order.first(bits, end, total)[start:]
                scores = bm25.scores(conn, snapshot, phrases, numbers) if phrases else {}
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
        for rank in SUGGESTION_RANKS:
            for kind, label, value in conn.execute(
                "SELECT kind, label, value FROM suggestions WHERE rank = ? AND key >= ? AND key < ?"
                " ORDER BY key LIMIT ?",
                (rank, prefix, prefix + "\uffff", limit * 2),
            ):
                found.setdefault((kind, label), {"text": label, "kind": kind, "value": value})
                if len(found) >= limit:
                    return list(found.values())
        return list(found.values())
