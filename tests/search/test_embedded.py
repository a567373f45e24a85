"""Embedded-backend internals the contract cannot see."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from search import analysis
from search.base import document_facets
from search.embedded import EmbeddedBackend, batches, bm25, snapshot
from tests.search.corpus import build_corpus
from tests.search.test_relevance import NDCG_FLOOR, RECALL_FLOOR, measure

REQUESTS = [
    ("", {}),
    ("penduduk", {}),
    ("", {"year": ["2024"]}),
    ("dinkes", {"kecamatan": ["Pontianak Timur"]}),
    ("jumlah penduduk", {"format": ["CSV", "XLSX"]}),
    ("puskesmas 2023", {}),
]


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedBackend:
    backend = EmbeddedBackend(tmp_path_factory.mktemp("embedded") / "search.db")
    backend.reindex(build_corpus())
    return backend


def test_facet_counts_are_those_of_the_results(backend: EmbeddedBackend) -> None:
    by_id = {doc["id"]: doc for doc in build_corpus()}
    for q, filters in REQUESTS:
        result = backend.query(q, filters=filters, per_page=1000)
        assert result.total == len(result.hits)
        counts = Counter(pair for hit in result.hits for pair in document_facets(by_id[hit.id]))
        assert {
            (name, value): count for name, values in result.facets.items() for value, count in values.items()
        } == dict(counts)


def test_scores_are_fts5_bm25(backend: EmbeddedBackend) -> None:
    conn = backend._conn()
    weights = ", ".join(str(w) for w in bm25.WEIGHTS)
    for q in ("penduduk", "jumlah penduduk kecamatan", "dinkes puskesmas", "kesehatn", "apbd 2024"):
        groups, _ = backend._groups(conn, backend._snapshot(conn).generation, q)
        expression = " AND ".join(
            "(" + " OR ".join(f'{snapshot.KIND_FILTER[kind]} : "{term}"' for kind, term in group) + ")"
            for group in groups
        )
        expected = dict(conn.execute(f"SELECT rowid, -bm25(fts, {weights}) FROM fts WHERE fts MATCH ?", (expression,)))
        numbers = dict(conn.execute("SELECT id, n FROM docs"))
        hits = backend.query(q, per_page=1000).hits
        assert len(hits) == len(expected)
        assert all(hit.score == pytest.approx(round(expected[numbers[hit.id]], 4), abs=1e-4) for hit in hits)
        assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_candidate_ranking_keeps_relevance(backend: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bm25, "CANDIDATES", 0)
    ndcg, recall, _ = measure(backend)
    assert ndcg >= NDCG_FLOOR
    assert recall >= RECALL_FLOOR


def test_writes_refresh_what_queries_keep(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "search.db")
    corpus = build_corpus()
    backend.reindex(corpus)
    before = backend.query("penduduk").total
    assert backend.query("").facets["year"].get("1999") is None
    backend.index([dict(corpus[0], id="new", slug="new", years=[1999], title="Jumlah Penduduk 1999")])
    assert backend.query("").facets["year"]["1999"] == 1
    assert backend.query("penduduk").total == before + 1
    backend.delete(["new"])
    assert backend.query("penduduk").total == before


def test_only_the_last_word_typed_is_a_prefix(backend: EmbeddedBackend) -> None:
    assert backend.query("puskes").total == backend.query("puskesmas").total > 0
    assert backend.query("puskes ").total == 0
    assert backend.query("puskes kunjungan").total == 0
    assert backend.query("pus").total == 0


def test_an_index_with_facet_rows_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "search.db"
    corpus = build_corpus()[:40]
    EmbeddedBackend(path).reindex(corpus)
    expected = EmbeddedBackend(path).query("", filters={"year": "2024"}).facets
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE facets (n INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,"
        " PRIMARY KEY (n, name, value)) WITHOUT ROWID"
    )
    numbers = dict(conn.execute("SELECT id, n FROM docs"))
    conn.executemany(
        "INSERT INTO facets VALUES (?, ?, ?)",
        [(numbers[str(doc["id"])], name, value) for doc in corpus for name, value in document_facets(doc)],
    )
    conn.execute("DELETE FROM facet_bits")
    conn.commit()
    conn.close()
    assert EmbeddedBackend(path).query("", filters={"year": "2024"}).facets == expected


def test_an_empty_index_answers(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "search.db")
    assert backend.query("penduduk").total == backend.query("").total == 0
    backend.reindex([])
    assert backend.query("", sort="title").hits == []


def test_sort_orders_walked_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot, "ORDER_CHUNK", 16)
    corpus = build_corpus()
    backend = EmbeddedBackend(tmp_path / "search.db")
    backend.reindex(corpus)
    expected = {
        "newest": [d["id"] for d in sorted(corpus, key=lambda d: d["published_at"], reverse=True)],
        "downloads": [d["id"] for d in sorted(corpus, key=lambda d: d["downloads"], reverse=True)],
        "title": [d["id"] for d in sorted(corpus, key=lambda d: analysis.fold(d["title"]))],
    }
    for sort, ids in expected.items():
        assert [h.id for h in backend.query("", sort=sort, page=3, per_page=40).hits] == ids[80:120]
    penduduk = {h.id for h in backend.query("penduduk", per_page=1000).hits}
    newest = [h.id for h in backend.query("penduduk", sort="newest", page=2, per_page=10).hits]
    assert newest == [i for i in expected["newest"] if i in penduduk][10:20]


def test_a_reindex_analysed_in_other_processes_is_the_same_index(
    backend: EmbeddedBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batches, "BATCH", 40)
    monkeypatch.setattr(batches, "PARALLEL_BATCHES", 2)
    parallel = EmbeddedBackend(tmp_path / "parallel.db")
    parallel.reindex(build_corpus())
    for q, filters in [*REQUESTS, ("dinkes puskesmas", {}), ("jumlah pendudk pontianak timur", {})]:
        mine, theirs = parallel.query(q, filters=filters, per_page=50), backend.query(q, filters=filters, per_page=50)
        assert [h.id for h in mine.hits] == [h.id for h in theirs.hits] and mine.facets == theirs.facets
    assert parallel.suggest("pusk") == backend.suggest("pusk")
