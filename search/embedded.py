"""The default search backend: SQLite FTS5 in its own file, no server.

Each document becomes one FTS5 row with separate columns for exact words and for stems, so
bm25 column weights rank an exact-word match above a stem-only one. Stop words, synonyms and
stems are applied here in Python (``search.analysis``) rather than in an FTS5 tokenizer, which
keeps the index readable by any SQLite. Typos are corrected against the vocabulary of indexed
words: a query word of five letters or more that is not in the vocabulary is replaced by the
indexed words one edit away.

Thread safety: one connection per thread; writers take a lock, and WAL lets readers go on.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
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

BATCH = 1000
# Above this many matches, facet counts come from in-memory bitmaps instead of a GROUP BY.
BITMAP_THRESHOLD = 2000
# bm25 weights for: title, meta (organisation, tags, themes, places), description, synonyms,
# title stems, other stems. Exact columns outweigh their stem columns.
WEIGHTS = (10.0, 5.0, 2.0, 3.0, 4.0, 1.0)
_SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS docs (
    n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, slug TEXT, title TEXT, title_key TEXT,
    organization TEXT, description TEXT, published_at TEXT, downloads INTEGER, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS docs_published ON docs(published_at);
CREATE TABLE IF NOT EXISTS facets (
    n INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (n, name, value)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS facets_value ON facets(name, value, n);
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
        + list(doc.get("tags") or []) + list(doc.get("themes") or []) + list(doc.get("kecamatan") or [])
        + list(doc.get("formats") or []) + [str(y) for y in doc.get("years") or []]
    )
    meta = analysis.words(meta_text)
    description = analysis.words(doc.get("description") or "")
    synonyms = sorted(analysis.synonyms_in(title) | analysis.synonyms_in(meta) | analysis.synonyms_in(description))
    stop = analysis.stop_words()
    other = [w for w in meta + description + synonyms if w not in stop]
    columns = [
        " ".join(title), " ".join(meta), " ".join(description), " ".join(synonyms),
        " ".join(analysis.stems(w for w in title if w not in stop)), " ".join(analysis.stems(other)),
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
        self._vocab: frozenset[str] = frozenset()
        self._bitmap_lock = threading.Lock()
        self._bitmap_generation = -1
        self._bitmaps: dict[tuple[str, str], int] = {}
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS matched (n INTEGER PRIMARY KEY, score REAL)")
            self._local.conn = conn
        return conn

    # ---- writing

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
        for number, batch in enumerate(_batches(all_docs)):
            self._write(batch, clear=number == 0)
            done += len(batch)
            if progress is not None:
                progress(done, len(all_docs))

    def _write(self, batch: list[dict[str, Any]], *, clear: bool) -> None:
        prepared = []
        vocab: set[str] = set()
        for doc in batch:
            columns, found = _fts_row(doc)
            vocab.update(w for w in found if len(w) >= analysis.MIN_TYPO_LENGTH - 1)
            prepared.append((doc, columns))
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                if clear:
                    for table in ("docs", "facets", "suggestions", "vocab", "fts"):
                        conn.execute(f"DELETE FROM {table}")
                else:
                    self._remove(conn, [str(doc["id"]) for doc in batch])
                self._insert(conn, prepared)
                conn.executemany("INSERT OR IGNORE INTO vocab(term) VALUES (?)", ((t,) for t in vocab))
                self._bump(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _insert(self, conn: sqlite3.Connection, prepared: list[tuple[dict[str, Any], list[str]]]) -> None:
        suggestions: list[tuple[int, str, str, str, str]] = []
        facets: list[tuple[int, str, str]] = []
        fts: list[tuple[Any, ...]] = []
        for doc, columns in prepared:
            title = doc.get("title") or ""
            cursor = conn.execute(
                "INSERT INTO docs(id, slug, title, title_key, organization, description, published_at, downloads, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (str(doc["id"]), doc.get("slug") or "", title, analysis.fold(title), doc.get("organization") or "",
                 doc.get("description") or "", doc.get("published_at") or "", int(doc.get("downloads") or 0),
                 json.dumps(doc, ensure_ascii=False, default=str)),
            )
            n = cursor.lastrowid
            assert n is not None
            fts.append((n, *columns))
            facets.extend((n, name, value) for name, value in document_facets(doc))
            suggestions.extend(_suggestion_rows(doc))
        conn.executemany("INSERT INTO fts(rowid, title, meta, description, synonyms, title_stems, other_stems)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", fts)
        conn.executemany("INSERT OR IGNORE INTO facets(n, name, value) VALUES (?, ?, ?)", facets)
        conn.executemany(
            "INSERT INTO suggestions(rank, key, kind, label, value, uses) VALUES (?, ?, ?, ?, ?, 1)"
            " ON CONFLICT DO UPDATE SET uses = uses + 1", suggestions)

    def _remove(self, conn: sqlite3.Connection, ids: list[str]) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            old = conn.execute(f"SELECT n, body FROM docs WHERE id IN ({marks})", chunk).fetchall()
            if not old:
                continue
            numbers = [(n,) for n, _ in old]
            rows = [row for _, body in old for row in _suggestion_rows(json.loads(body))]
            conn.executemany("UPDATE suggestions SET uses = uses - 1 WHERE rank=? AND key=? AND kind=? AND label=?",
                             [row[:4] for row in rows])
            conn.execute("DELETE FROM suggestions WHERE uses <= 0")
            conn.executemany("DELETE FROM fts WHERE rowid = ?", numbers)
            conn.executemany("DELETE FROM facets WHERE n = ?", numbers)
            conn.executemany("DELETE FROM docs WHERE n = ?", numbers)

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta(k, v) VALUES ('generation', 1) ON CONFLICT DO UPDATE SET v = v + 1")

    # ---- reading

    def _typo_candidates(self, conn: sqlite3.Connection, word: str) -> set[str]:
        """Indexed words one edit away from a word that is not itself indexed."""
        row = conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()
        generation = row[0] if row else 0
        with self._typo_lock:
            if generation != self._typo_generation:
                vocab = frozenset(t for (t,) in conn.execute("SELECT term FROM vocab"))
                index: dict[str, set[str]] = {}
                for term in vocab:
                    for form in analysis.deletes(term):
                        index.setdefault(form, set()).add(term)
                self._vocab, self._typo_index, self._typo_generation = vocab, index, generation
            if word in self._vocab or len(word) < analysis.MIN_TYPO_LENGTH or word.isdigit():
                return set()
            near = {t for form in analysis.deletes(word) for t in self._typo_index.get(form, ())}
        return {t for t in near if analysis.within_one_edit(word, t)}

    def _match(self, conn: sqlite3.Connection, q: str) -> tuple[str, Matcher] | None:
        terms = analysis.terms(q)
        if not terms:
            return None
        groups = []
        matcher = Matcher()
        for term in terms:
            exact = {term} | self._typo_candidates(conn, term)
            stems = {analysis.stem(w) for w in exact}
            matcher.add(exact, stems)
            exact_expr = " OR ".join(_quote(w) for w in sorted(exact))
            stem_expr = " OR ".join(_quote(s) for s in sorted(stems))
            groups.append(f"({{title meta description synonyms}} : ({exact_expr})"
                          f" OR {{title_stems other_stems}} : ({stem_expr}))")
        return " AND ".join(groups), matcher

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
            match = self._match(conn, q)
            params: list[Any] = []
            if match is not None:
                weights = ", ".join(str(w) for w in WEIGHTS)
                select = f"SELECT rowid, -bm25(fts, {weights}) FROM fts WHERE fts MATCH ?"
                params.append(match[0])
            else:
                select = "SELECT n, 0.0 FROM docs WHERE 1"
            conn.execute("DELETE FROM temp.matched")
            conn.execute(f"INSERT INTO temp.matched(n, score) {select}", params)
            # Filters narrow the matches afterwards: a rowid constraint inside the FTS5 query
            # would make SQLite evaluate the full-text match once per candidate row.
            for name, values in wanted.items():
                marks = ",".join("?" * len(values))
                conn.execute(f"DELETE FROM temp.matched WHERE n NOT IN"
                             f" (SELECT n FROM facets WHERE name = ? AND value IN ({marks}))", [name, *values])
            total = conn.execute("SELECT count(*) FROM temp.matched").fetchone()[0]
            order = {
                "relevance": "m.score DESC, d.published_at DESC" if match else "d.published_at DESC",
                "newest": "d.published_at DESC",
                "title": "d.title_key ASC",
                "downloads": "d.downloads DESC",
            }[sort]
            rows = conn.execute(
                "SELECT d.id, d.slug, d.title, d.organization, d.description, m.score"
                f" FROM temp.matched m JOIN docs d ON d.n = m.n ORDER BY {order}, d.n LIMIT ? OFFSET ?",
                (per_page, (page - 1) * per_page),
            ).fetchall()
            facets = self._facet_counts(conn, total)
        finally:
            conn.execute("COMMIT")
        matcher = match[1] if match else Matcher()
        hits = [
            Hit(id=id_, slug=slug, title=title, organization=org, score=round(score, 4),
                highlights={"title": highlight(title, matcher), "description": snippet(description, matcher)})
            for id_, slug, title, org, description, score in rows
        ]
        return SearchResult(hits=hits, total=total, facets=facets, page=page, per_page=per_page)

    def _facet_counts(self, conn: sqlite3.Connection, total: int) -> dict[str, dict[str, int]]:
        """Counts per facet value among the matches (temp.matched).

        Few matches are counted by SQLite; many are counted against in-memory bitmaps of each
        facet value (one bit per document number), which costs a fraction of a GROUP BY over
        every match's facet rows. The bitmaps are rebuilt when the index generation changes.
        """
        facets: dict[str, dict[str, int]] = {}
        if total <= BITMAP_THRESHOLD:
            for name, value, count in conn.execute(
                # CROSS JOIN keeps the matches as the outer loop; left to itself SQLite walks the
                # whole facets index to save the GROUP BY sort, which is far slower for few matches.
                "SELECT f.name, f.value, count(*) FROM temp.matched m CROSS JOIN facets f ON f.n = m.n"
                " GROUP BY f.name, f.value"
            ):
                facets.setdefault(name, {})[value] = count
        else:
            bitmaps = self._facet_bitmaps(conn)
            matched = _bitmap(n for (n,) in conn.execute("SELECT n FROM temp.matched"))
            for (name, value), bits in bitmaps.items():
                count = (bits & matched).bit_count()
                if count:
                    facets.setdefault(name, {})[value] = count
        return {name: dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
                for name, counts in facets.items()}

    def _facet_bitmaps(self, conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
        row = conn.execute("SELECT v FROM meta WHERE k = 'generation'").fetchone()
        generation = row[0] if row else 0
        with self._bitmap_lock:
            if generation != self._bitmap_generation:
                numbers: dict[tuple[str, str], list[int]] = {}
                for name, value, n in conn.execute("SELECT name, value, n FROM facets"):
                    numbers.setdefault((name, value), []).append(n)
                self._bitmaps = {key: _bitmap(ns) for key, ns in numbers.items()}
                self._bitmap_generation = generation
            return self._bitmaps

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
                " ORDER BY key LIMIT ?", (rank, prefix, prefix + "\uffff", limit * 2),
            ):
                found.setdefault((kind, label), {"text": label, "kind": kind, "value": value})
                if len(found) >= limit:
                    return list(found.values())
        return list(found.values())


def _bitmap(numbers: Iterable[int]) -> int:
    bits = bytearray()
    for n in numbers:
        byte = n >> 3
        if byte >= len(bits):
            bits.extend(bytes(byte - len(bits) + 1))
        bits[byte] |= 1 << (n & 7)
    return int.from_bytes(bits, "little")


def _batches(docs: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
