"""The search contract every backend keeps, and the plain data it takes and returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Sort = Literal["relevance", "newest", "title", "downloads"]
FilterValue = list[str] | str | bool
Progress = Callable[[int, int], None]

# Filter / facet name → document field. Facets are conjunctive: a facet's counts are taken
# under the query and every active filter, its own included, so each count is exactly the
# number of results the user gets by adding that value.
FACET_FIELDS: dict[str, str] = {
    "organization": "organization",
    "theme": "themes",
    "tag": "tags",
    "format": "formats",
    "license": "license",
    "frequency": "frequency",
    "year": "years",
    "kecamatan": "kecamatan",
    "is_priority": "is_priority",
    "validation_status": "validation_status",
}
SORTS: tuple[Sort, ...] = ("relevance", "newest", "title", "downloads")


@dataclass(frozen=True)
class Hit:
    id: str
    slug: str
    title: str
    organization: str
    highlights: dict[str, str]
    score: float


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    page: int = 1
    per_page: int = 20


class SearchError(ValueError):
    """A request the backend cannot answer: an unknown filter or sort."""


class SearchBackend(Protocol):
    def index(self, docs: Iterable[dict[str, Any]]) -> None:
        """Add or replace documents by id."""

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""

    def reindex(self, docs: Iterable[dict[str, Any]], progress: Progress | None = None) -> None:
        """Replace the whole index with these documents; progress(done, total) after each batch."""

    def query(
        self,
        q: str,
        *,
        filters: dict[str, FilterValue] | None = None,
        sort: Sort = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> SearchResult:
        """Hits for a page, the total and the facet counts under the query and filters."""

    def suggest(self, q: str, limit: int = 8) -> list[dict[str, str]]:
        """Type-ahead: titles, organisations and tags starting with what was typed."""


def facet_value(value: Any) -> str:
    """Facet values are strings on every backend: booleans as true/false, years as digits."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def document_facets(doc: dict[str, Any]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, key in FACET_FIELDS.items():
        value = doc.get(key)
        if value is None or value == "":
            continue
        values = value if isinstance(value, list) else [value]
        pairs.extend((name, facet_value(v)) for v in dict.fromkeys(values))
    return pairs


def normalise_filters(filters: dict[str, FilterValue] | None) -> dict[str, list[str]]:
    """Filters as name → allowed string values; values within a filter are alternatives."""
    result: dict[str, list[str]] = {}
    for name, value in (filters or {}).items():
        if name not in FACET_FIELDS:
            raise SearchError(f"unknown filter: {name}")
        values = value if isinstance(value, list) else [value]
        cleaned = [facet_value(v) for v in values if v is not None and v != ""]
        if cleaned:
            result[name] = cleaned
    return result


def check_paging(sort: str, page: int, per_page: int) -> None:
    if sort not in SORTS:
        raise SearchError(f"unknown sort: {sort}")
    if page < 1 or not 1 <= per_page <= 1000:
        raise SearchError("page must be ≥ 1 and per_page between 1 and 1000")
