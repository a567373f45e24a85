"""The Meilisearch backend, for production: same contract as the embedded one.

Meilisearch has no Indonesian stemmer, so each document carries a ``stems`` field computed by
``search.analysis`` and searched last; synonyms and stop words come from the same data files as
the embedded backend and are applied by ``ensure_settings()`` at start-up, never by hand.
"""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import Iterable
from typing import Any

import meilisearch
from meilisearch.errors import MeilisearchApiError

from search import analysis
from search.base import (
    FACET_FIELDS,
    FilterValue,
    Hit,
    Progress,
    SearchResult,
    Sort,
    check_paging,
    facet_value,
    normalise_filters,
)

BATCH = 5000
TASK_TIMEOUT_MS = 120_000
SEARCHABLE = [
    "title",
    "organization_abbreviation",
    "organization_name",
    "tags",
    "themes",
    "kecamatan",
    "description",
    "stems",
]
SORTABLE = ["published_at", "title_key", "downloads"]
_SORT = {"newest": ["published_at:desc"], "title": ["title_key:asc"], "downloads": ["downloads:desc"]}
_FIELD_FACET = {field: name for name, field in FACET_FIELDS.items()}
# Meilisearch marks matches with these private-use characters, which survive HTML escaping and
# then become <mark> tags, so the text around the marks is escaped like the embedded backend's.
_PRE, _POST = "\ue000", "\ue001"


def synonym_settings() -> dict[str, list[str]]:
    """Every member of a synonym group maps to all the others, as Meilisearch expects."""
    result: dict[str, list[str]] = {}
    for group in analysis.synonym_groups():
        for member in group:
            result.setdefault(member, []).extend(other for other in group if other != member)
    return result


def index_settings() -> dict[str, Any]:
    return {
        "searchableAttributes": SEARCHABLE,
        "filterableAttributes": [*FACET_FIELDS.values(), "organization_name", "organization_abbreviation"],
        "sortableAttributes": SORTABLE,
        "displayedAttributes": ["id", "slug", "title", "description", "organization"],
        "synonyms": synonym_settings(),
        "stopWords": sorted(analysis.stop_words()),
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": analysis.MIN_TYPO_LENGTH, "twoTypos": 9}},
        "faceting": {"maxValuesPerFacet": 200},
        "pagination": {"maxTotalHits": 10_000},
    }


def meili_document(doc: dict[str, Any]) -> dict[str, Any]:
    text = " ".join([doc.get("title") or "", doc.get("description") or ""])
    stop = analysis.stop_words()
    found = [w for w in analysis.words(text) if w not in stop]
    return {
        **doc,
        "id": str(doc["id"]),
        "title_key": analysis.fold(doc.get("title") or ""),
        "stems": " ".join(sorted(set(analysis.stems(found)))),
    }


def marked(formatted: str) -> str:
    """A Meilisearch-formatted field as HTML: escaped, with <mark> around the matches."""
    return html.escape(formatted).replace(_PRE, "<mark>").replace(_POST, "</mark>")


def _literal(field: str, value: str) -> str:
    if field == "is_priority":
        return "true" if value == "true" else "false"
    if field == "years" and value.isdigit():
        return value
    return json.dumps(value, ensure_ascii=False)


class MeiliBackend:
    def __init__(self, url: str, key: str | None, index_uid: str = "datasets") -> None:
        self.client = meilisearch.Client(url, key)
        self.index_uid = index_uid
        self.idx = self.client.index(index_uid)

    def _wait(self, task: Any) -> None:
        done = self.client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
        if done.status != "succeeded":
            raise RuntimeError(f"Meilisearch task {task.task_uid} {done.status}: {done.error}")

    def ensure_settings(self) -> None:
        """Create the index if needed and apply the settings this code expects."""
        # Creating fails when the index exists; the settings below still bring it up to date.
        with contextlib.suppress(MeilisearchApiError, RuntimeError):
            self._wait(self.client.create_index(self.index_uid, {"primaryKey": "id"}))
        self._wait(self.idx.update_settings(index_settings()))

    def drop(self) -> None:
        self._wait(self.client.delete_index(self.index_uid))

    def index(self, docs: Iterable[dict[str, Any]]) -> None:
        batch = [meili_document(doc) for doc in docs]
        for start in range(0, len(batch), BATCH):
            self._wait(self.idx.add_documents(batch[start : start + BATCH], primary_key="id"))

    def delete(self, ids: Iterable[str]) -> None:
        wanted = [str(i) for i in ids]
        if wanted:
            self._wait(self.idx.delete_documents(wanted))

    def reindex(self, docs: Iterable[dict[str, Any]], progress: Progress | None = None) -> None:
        all_docs = list(docs)
        self._wait(self.idx.delete_all_documents())
        for start in range(0, len(all_docs), BATCH):
            self.index(all_docs[start : start + BATCH])
            if progress is not None:
                progress(min(start + BATCH, len(all_docs)), len(all_docs))
        if not all_docs and progress is not None:
            progress(0, 0)

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
        expression = [
            [f"{FACET_FIELDS[name]} = {_literal(FACET_FIELDS[name], v)}" for v in values]
            for name, values in normalise_filters(filters).items()
        ]
        order = _SORT.get(sort) or ([] if q.strip() else _SORT["newest"])
        params: dict[str, Any] = {
            "filter": expression,
            "facets": list(FACET_FIELDS.values()),
            "page": page,
            "hitsPerPage": per_page,
            "attributesToHighlight": ["title", "description"],
            "highlightPreTag": _PRE,
            "highlightPostTag": _POST,
            "attributesToCrop": ["description"],
            "cropLength": 30,
            "showRankingScore": True,
        }
        if order:
            params["sort"] = order
        response = self.idx.search(q, params)
        hits = [
            Hit(
                id=str(h["id"]),
                slug=h.get("slug", ""),
                title=h.get("title", ""),
                organization=h.get("organization", ""),
                score=round(float(h.get("_rankingScore", 0.0)), 4),
                highlights={
                    "title": marked(h["_formatted"].get("title", "")),
                    "description": marked(h["_formatted"].get("description", "")),
                },
            )
            for h in response["hits"]
        ]
        facets = {
            _FIELD_FACET[field]: {facet_value(v): count for v, count in values.items()}
            for field, values in response.get("facetDistribution", {}).items()
            if values
        }
        return SearchResult(
            hits=hits, total=response.get("totalHits", len(hits)), facets=facets, page=page, per_page=per_page
        )

    def suggest(self, q: str, limit: int = 8) -> list[dict[str, str]]:
        if not q.strip():
            return []
        found: dict[tuple[str, str], dict[str, str]] = {}
        for field, kind in (
            ("organization_abbreviation", "organization"),
            ("organization_name", "organization"),
            ("tags", "tag"),
        ):
            for value in self.idx.facet_search(field, q).get("facetHits", []):
                found.setdefault(
                    (kind, value["value"]), {"text": value["value"], "kind": kind, "value": value["value"]}
                )
        response = self.idx.search(q, {"limit": limit, "attributesToRetrieve": ["title", "slug"]})
        for h in response["hits"]:
            found.setdefault(("dataset", h["title"]), {"text": h["title"], "kind": "dataset", "value": h["slug"]})
        return list(found.values())[:limit]
