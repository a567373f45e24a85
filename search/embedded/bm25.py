"""Relevance: FTS5's bm25 with column weights, computed in Python for a few documents only.

All matches are scored when they are few; otherwise the candidates are those whose titles hold the
rarest query words (``rank``). Scores equal ``-bm25(fts, *WEIGHTS)`` as FTS5 computes it.
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from itertools import product

from search.embedded.bitmaps import members, union
from search.embedded.snapshot import Phrase, Snapshot

# bm25 weights for: title, meta (organisation, tags, themes, places), description, synonyms,
# title stems, other stems. Exact columns outweigh their stem columns.
WEIGHTS = (10.0, 5.0, 2.0, 3.0, 4.0, 1.0)
_COLUMNS = ("title", "meta", "description", "synonyms", "title_stems", "other_stems")
# bm25 constants as FTS5 has them; a word in more than half the rows gets this idf.
_K1, _B, _NO_IDF = 1.2, 0.75, 1e-6
# Exact words are searched in the first four columns, stems in the last two (see snapshot.Phrase).
_KIND_WEIGHTS = (tuple((c, WEIGHTS[c]) for c in range(4)), tuple((c, WEIGHTS[c]) for c in range(4, 6)))
# A relevance query scores this many documents beyond the page asked for; with more matches
# than that, the candidates come from title bitmaps (see rank).
CANDIDATES = 30
# The query words that make the candidate tiers.
_TIER_WORDS = 4


def idf(conn: sqlite3.Connection, snapshot: Snapshot, phrase: Phrase) -> float:
    rows, _ = snapshot.stats(conn)
    hits = snapshot.phrase(conn, phrase).bit_count()
    value = math.log((rows - hits + 0.5) / (hits + 0.5)) if rows else 0.0
    return value if value > 0 else _NO_IDF


def scores(conn: sqlite3.Connection, snapshot: Snapshot, phrases: list[Phrase], numbers: list[int]) -> dict[int, float]:
    """FTS5's bm25 with the column weights, computed here for the given documents only."""
    _, average = snapshot.stats(conn)
    weighted = [
        (f" {term} ", _KIND_WEIGHTS[kind], idf(conn, snapshot, (kind, term)) * uses)
        for (kind, term), uses in Counter(phrases).items()
    ]
    found: dict[int, float] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for n, *texts in conn.execute(f"SELECT rowid, {', '.join(_COLUMNS)} FROM fts WHERE rowid IN ({marks})", chunk):
            norm = _K1 * (1 - _B + _B * sum(text.count(" ") + 1 for text in texts if text) / average)
            # Every word between two spaces of its own, so that count() finds repeated words.
            columns = [f" {text.replace(' ', '  ')} " for text in texts]
            score = 0.0
            for needle, weights, word_idf in weighted:
                freq = 0.0
                for column, weight in weights:
                    freq += weight * columns[column].count(needle)
                score += word_idf * freq * (_K1 + 1) / (freq + norm)
            found[n] = score
    return found


def rank(
    conn: sqlite3.Connection, snapshot: Snapshot, groups: list[list[Phrase]], bits: int, total: int, count: int
) -> dict[int, float]:
    """The first `count` matches and their bm25 scores, best first, newest first among equals.

    Up to CANDIDATES more than asked for are scored exactly. When there are more matches than
    that, the candidates are those whose titles hold the rarest query words (tiers by the summed
    idf of the words found in the title), newest first within a tier.
    """
    limit = CANDIDATES + count
    chosen = members(bits) if total <= limit else _candidates(conn, snapshot, groups, bits, limit)
    found = scores(conn, snapshot, [phrase for group in groups for phrase in group], chosen)
    position = snapshot.order(conn, "newest").position
    return {n: found[n] for n in sorted(chosen, key=lambda n: (-found[n], position[n]))[:count]}


def _candidates(
    conn: sqlite3.Connection, snapshot: Snapshot, groups: list[list[Phrase]], bits: int, limit: int
) -> list[int]:
    idfs = sorted(((max(idf(conn, snapshot, p) for p in group), group) for group in groups), key=lambda item: -item[0])
    weighted = [
        (word_idf, union(snapshot.phrase(conn, p, title=True) for p in group))
        for word_idf, group in idfs[:_TIER_WORDS]
        if word_idf > _NO_IDF
    ]
    tiers = sorted(
        product((True, False), repeat=len(weighted)),
        key=lambda picks: (-sum(w for (w, _), on in zip(weighted, picks, strict=True) if on), -sum(picks)),
    )
    newest = snapshot.order(conn, "newest")
    found: list[int] = []
    for picks in tiers:
        part = bits
        for (_, title), on in zip(weighted, picks, strict=True):
            part &= title if on else ~title
        if part:
            found.extend(newest.first(part, limit - len(found), part.bit_count()))
            if len(found) >= limit:
                break
    return found
