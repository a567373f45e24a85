"""Meilisearch backend pieces that need no server."""

from __future__ import annotations

from typing import Any

from search import meili


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
