"""What a document becomes in the embedded index: its row, its six FTS5 column texts, its facet values,
its type-ahead suggestions and the words it adds to the typo vocabulary.

Stop words, synonyms and stems are applied here in Python (``search.analysis``) rather than in an
FTS5 tokenizer, which keeps the index readable by any SQLite. Exact words and stems go to separate
columns, so bm25 column weights rank an exact-word match above a stem-only one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from search import analysis
from search.base import document_facets

# Suggestion ranks: what the user most likely means comes first.
ORG, TAG, TITLE, INNER = 0, 1, 2, 3
SUGGESTION_RANKS = (ORG, TAG, TITLE, INNER)
_MAX_TITLE_POSITIONS = 6

SuggestionRow = tuple[int, str, str, str, str]  # rank, key, kind, label, value


def suggestion_rows(doc: dict[str, Any]) -> set[SuggestionRow]:
    rows: set[SuggestionRow] = set()
    org = doc.get("organization") or ""
    for label in (doc.get("organization_abbreviation"), doc.get("organization_name")):
        if label:
            found = analysis.words(label)
            for position in range(len(found)):
                rank = ORG if position == 0 else INNER
                rows.add((rank, " ".join(found[position:]), "organization", label, org))
    for tag in doc.get("tags") or []:
        rows.add((TAG, " ".join(analysis.words(tag)), "tag", tag, tag))
    title = doc.get("title") or ""
    found = analysis.words(title)
    for position in range(min(len(found), _MAX_TITLE_POSITIONS)):
        rank = TITLE if position == 0 else INNER
        rows.add((rank, " ".join(found[position:]), "dataset", title, doc.get("slug") or ""))
    return {row for row in rows if row[1]}


def fts_row(doc: dict[str, Any]) -> tuple[list[str], set[str]]:
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


@dataclass
class AnalysedBatch:
    """A batch of documents analysed, ready to write: what costs Python time, done before the write lock."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)  # docs table rows, without n
    columns: list[list[str]] = field(default_factory=list)  # FTS column texts
    facets: list[list[tuple[str, str]]] = field(default_factory=list)
    suggestions: list[SuggestionRow] = field(default_factory=list)
    vocab: set[str] = field(default_factory=set)


def analyse(batch: list[dict[str, Any]]) -> AnalysedBatch:
    analysed = AnalysedBatch()
    for doc in batch:
        columns, found = fts_row(doc)
        analysed.vocab.update(w for w in found if len(w) >= analysis.MIN_TYPO_LENGTH - 1)
        title = doc.get("title") or ""
        analysed.rows.append(
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
        analysed.columns.append(columns)
        analysed.facets.append(list(document_facets(doc)))
        analysed.suggestions.extend(suggestion_rows(doc))
    return analysed
