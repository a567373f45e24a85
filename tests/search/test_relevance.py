"""Relevance on a fixed corpus and judged queries: nDCG@10 and recall@10 must stay above the floor."""

from __future__ import annotations

import math
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
import yaml

from search.base import SearchBackend
from tests.search.corpus import build_corpus

JUDGEMENTS = Path(__file__).with_name("judgements.yaml")
# Set a little under the measured figures (see docs/search.md) so a regression fails.
NDCG_FLOOR = 0.95
RECALL_FLOOR = 0.95


def judged() -> list[tuple[str, dict[str, int]]]:
    slugs = [doc["slug"] for doc in build_corpus()]
    result = []
    for entry in yaml.safe_load(JUDGEMENTS.read_text()):
        grades: dict[str, int] = {}
        for pattern, grade in entry["relevant"].items():
            matched = [slug for slug in slugs if fnmatchcase(slug, pattern)]
            assert matched, f"judgement {entry['q']!r}: {pattern!r} names no dataset"
            for slug in matched:
                grades[slug] = max(grades.get(slug, 0), grade)
        result.append((entry["q"], grades))
    return result


def ndcg_at_10(ranked: list[str], grades: dict[str, int]) -> float:
    gain = sum((2 ** grades.get(slug, 0) - 1) / math.log2(i + 2) for i, slug in enumerate(ranked[:10]))
    ideal_grades = sorted(grades.values(), reverse=True)[:10]
    ideal = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal_grades))
    return gain / ideal


def recall_at_10(ranked: list[str], grades: dict[str, int]) -> float:
    """Share of the best-graded datasets found in the top ten (capped at ten wanted)."""
    best = max(grades.values())
    wanted = {slug for slug, g in grades.items() if g == best}
    return len(wanted & set(ranked[:10])) / min(10, len(wanted))


def measure(backend: SearchBackend) -> tuple[float, float, list[tuple[str, float]]]:
    queries = judged()
    ndcgs, recalls = [], []
    for q, grades in queries:
        ranked = [hit.slug for hit in backend.query(q, per_page=10).hits]
        ndcgs.append((q, ndcg_at_10(ranked, grades)))
        recalls.append(recall_at_10(ranked, grades))
    return sum(n for _, n in ndcgs) / len(ndcgs), sum(recalls) / len(recalls), ndcgs


@pytest.fixture
def indexed(backend: SearchBackend) -> SearchBackend:
    backend.reindex(build_corpus())
    return backend


def test_judgement_set_is_large_enough() -> None:
    assert len(build_corpus()) >= 300
    assert len(judged()) >= 60


def test_relevance_meets_the_floor(indexed: SearchBackend) -> None:
    ndcg, recall, per_query = measure(indexed)
    worst = sorted(per_query, key=lambda item: item[1])[:5]
    assert ndcg >= NDCG_FLOOR, f"nDCG@10 {ndcg:.3f}; worst queries: {worst}"
    assert recall >= RECALL_FLOOR, f"recall@10 {recall:.3f}"


def report(indexed: Any) -> None:
    ndcg, recall, per_query = measure(indexed)
    print(f"nDCG@10 {ndcg:.3f} recall@10 {recall:.3f}")
    for q, value in sorted(per_query, key=lambda item: item[1])[:15]:
        print(f"  {value:.3f} {q}")


if __name__ == "__main__":
    import tempfile

    from search.embedded import EmbeddedBackend

    embedded = EmbeddedBackend(Path(tempfile.mkdtemp()) / "search.db")
    embedded.reindex(build_corpus())
    report(embedded)
