"""Meilisearch backend pieces that need no server."""

from __future__ import annotations

from typing import Any

import pytest

from search import analysis, meili
from search.base import FACET_FIELDS, FilterValue, SearchError


class FakeIndex:
    def __init__(self, response: dict[str, Any]) -> None:
        self.response = response
        self.params: dict[str, Any] = {}

    def search(self, q: str, params: dict[str, Any]) -> dict[str, Any]:
        self.params = params
        return self.response


def test_highlights_are_escaped_around_the_marks() -> None:
    backend = meili.MeiliBackend("http://127.0.0.1:1", None, index_uid="unit")
    pre, post = meili._PRE, meili._POST
    fake = FakeIndex(
        {
            "hits": [
                {
                    "id": "9",
                    "slug": "s",
                    "title": "Data <script> Sampah",
                    "organization": "dlh",
                    "_rankingScore": 0.5,
                    "_formatted": {
                        "title": f"Data <script> {pre}Sampah{post}",
                        "description": f"…a & b {pre}sampah{post}",
                    },
                }
            ],
            "totalHits": 1,
            "facetDistribution": {"years": {"2024": 1}},
        }
    )
    backend.idx = fake  # type: ignore[assignment]
    result = backend.query("sampah")
    assert fake.params["highlightPreTag"] == pre
    assert result.hits[0].highlights == {
        "title": "Data &lt;script&gt; <mark>Sampah</mark>",
        "description": "…a &amp; b <mark>sampah</mark>",
    }
    assert result.facets == {"year": {"2024": 1}}


class NoIndex:
    """Fails any call: the requests below must be refused before Meilisearch is asked."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"Meilisearch was asked: {name}")


def test_settings_cover_the_contract() -> None:
    settings = meili.index_settings()
    assert set(FACET_FIELDS.values()) <= set(settings["filterableAttributes"])
    assert {field for sort in meili._SORT.values() for field, _ in (s.split(":") for s in sort)} <= set(
        settings["sortableAttributes"]
    )
    assert set(settings["displayedAttributes"]) >= {"id", "slug", "title", "description", "organization"}
    synonyms = settings["synonyms"]
    assert all(word in synonyms[other] for word, others in synonyms.items() for other in others)
    assert settings["typoTolerance"]["minWordSizeForTypos"]["oneTypo"] == analysis.MIN_TYPO_LENGTH


def test_filters_and_sorts_become_meilisearch_parameters() -> None:
    backend = meili.MeiliBackend("http://127.0.0.1:1", None, index_uid="unit")
    fake = FakeIndex({"hits": [], "totalHits": 0, "facetDistribution": {}})
    backend.idx = fake  # type: ignore[assignment]
    filters: dict[str, FilterValue] = {"year": "2024", "kecamatan": ["Pontianak Kota", "Pontianak Timur"]}
    result = backend.query("", filters={**filters, "is_priority": True}, page=2, per_page=5)
    assert fake.params["filter"] == [
        ["years = 2024"],
        ['kecamatan = "Pontianak Kota"', 'kecamatan = "Pontianak Timur"'],
        ["is_priority = true"],
    ]
    assert fake.params["sort"] == ["published_at:desc"]  # an empty query lists the newest first, as embedded
    assert (fake.params["page"], fake.params["hitsPerPage"]) == (2, 5)
    assert result.total == 0 and (result.page, result.per_page) == (2, 5)
    backend.query("sampah", sort="relevance")
    assert "sort" not in fake.params
    backend.query("sampah", sort="title")
    assert fake.params["sort"] == ["title_key:asc"]


def test_bad_requests_are_refused_before_meilisearch_is_asked() -> None:
    backend = meili.MeiliBackend("http://127.0.0.1:1", None, index_uid="unit")
    backend.idx = NoIndex()  # type: ignore[assignment]
    with pytest.raises(SearchError, match="unknown filter"):
        backend.query("x", filters={"colour": "red"})
    with pytest.raises(SearchError, match="unknown sort"):
        backend.query("x", sort="random")  # type: ignore[arg-type]
    with pytest.raises(SearchError):
        backend.query("x", per_page=0)
    assert backend.suggest("  ") == []


def test_documents_carry_stems_and_a_title_key() -> None:
    document = meili.meili_document({"id": 7, "title": "Kependudukan Kota", "description": "Data pendidikan"})
    assert document["id"] == "7" and document["title_key"] == analysis.fold("Kependudukan Kota")
    assert {"penduduk", "didik"} <= set(document["stems"].split())
