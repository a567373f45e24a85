"""Embedded-backend internals the contract cannot see."""

from __future__ import annotations

from pathlib import Path

import pytest

from search import embedded
from tests.search.corpus import build_corpus


def test_bitmap_facet_counts_equal_sql_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    backend = embedded.EmbeddedBackend(tmp_path / "search.db")
    backend.reindex(build_corpus())
    requests = [("", {}), ("penduduk", {}), ("", {"year": ["2024"]}), ("dinkes", {"kecamatan": ["Pontianak Timur"]})]
    by_sql = [backend.query(q, filters=f).facets for q, f in requests]
    monkeypatch.setattr(embedded, "BITMAP_THRESHOLD", 0)
    assert [backend.query(q, filters=f).facets for q, f in requests] == by_sql
    backend.index([dict(build_corpus()[0], id="new", slug="new", years=[1999])])
    assert backend.query("").facets["year"]["1999"] == 1
