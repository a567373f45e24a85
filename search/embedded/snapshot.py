"""What queries keep in memory for one index generation, as bitmaps (``search.embedded.bitmaps``).

One bitmap per facet value, stored ready-made in ``facet_bits``; one per phrase (a query word in the
exact columns or a stem in the stem columns), read from FTS5 on first use; chunks of each sort order.
Matching, filters, the total and the facet counts are bit operations on them. Every write bumps the
generation number, and the next query starts a new snapshot.
"""

from __future__ import annotations

import sqlite3
import threading

from search.embedded.bitmaps import bitmap, members, packed, union

# A phrase is an exact word, searched in the first four columns, or a stem, in the last two.
Phrase = tuple[int, str]
EXACT, STEM = 0, 1
KIND_FILTER = ("{title meta description synonyms}", "{title_stems other_stems}")
_KIND_TITLE = ("title", "title_stems")
_SORT_SQL = {"newest": "published_at DESC, n", "title": "title_key, n", "downloads": "downloads DESC, n"}
# Documents per chunk of a sort order.
ORDER_CHUNK = 1024
# Phrase bitmaps kept per index generation before the cache starts afresh.
PHRASE_CACHE = 2000


def quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class Order:
    """The documents in one sort order: each one's position, and bitmaps of consecutive chunks."""

    def __init__(self, numbers: list[int]) -> None:
        self.position = {n: i for i, n in enumerate(numbers)}
        self.chunks = [bitmap(numbers[i : i + ORDER_CHUNK]) for i in range(0, len(numbers), ORDER_CHUNK)]
        self.all = union(self.chunks)

    def first(self, bits: int, count: int, total: int) -> list[int]:
        """The first `count` of the `total` documents of the bitmap in this order."""
        if total <= ORDER_CHUNK:
            return sorted(members(bits), key=self.position.__getitem__)[:count]
        found: list[int] = []
        for chunk in self.chunks:
            if len(found) >= count:
                break
            part = bits & chunk
            if part:
                found.extend(sorted(members(part), key=self.position.__getitem__))
        return found[:count]


class Snapshot:
    """The bitmaps and FTS5 totals of one index generation, filled in as queries need them."""

    def __init__(self, generation: int) -> None:
        self.generation = generation
        self._lock = threading.Lock()
        self._orders: dict[str, Order] = {}
        self._facets: dict[tuple[str, str], int] | None = None
        self._phrases: dict[tuple[Phrase, bool], int] = {}
        self._stats: tuple[int, float] | None = None
        self._everything: dict[str, dict[str, int]] | None = None

    def order(self, conn: sqlite3.Connection, sort: str) -> Order:
        order = self._orders.get(sort)
        if order is None:
            with self._lock:
                order = self._orders.get(sort)
                if order is None:
                    numbers = [n for (n,) in conn.execute(f"SELECT n FROM docs ORDER BY {_SORT_SQL[sort]}")]
                    order = self._orders[sort] = Order(numbers)
        return order

    def facets(self, conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
        with self._lock:
            if self._facets is None:
                data: dict[tuple[str, str], bytearray] = {}
                for name, value, chunk, bits in conn.execute("SELECT name, value, chunk, bits FROM facet_bits"):
                    found = data.setdefault((name, value), bytearray())
                    end = (chunk + 1) * len(bits)
                    if end > len(found):
                        found.extend(bytes(end - len(found)))
                    found[end - len(bits) : end] = bits
                self._facets = {key: int.from_bytes(found, "little") for key, found in data.items()}
            return self._facets

    def facet_counts(self, conn: sqlite3.Connection, bits: int, everything: bool) -> dict[str, dict[str, int]]:
        """Counts per facet value among the documents of the bitmap; kept when that is every document."""
        if everything and self._everything is not None:
            return {name: dict(values) for name, values in self._everything.items()}
        if not bits:
            return {}
        counts: dict[str, dict[str, int]] = {}
        for (name, value), value_bits in self.facets(conn).items():
            count = (value_bits & bits).bit_count()
            if count:
                counts.setdefault(name, {})[value] = count
        result = {
            name: dict(sorted(values.items(), key=lambda item: (-item[1], item[0]))) for name, values in counts.items()
        }
        if everything:
            self._everything = {name: dict(values) for name, values in result.items()}
        return result

    def phrase(self, conn: sqlite3.Connection, phrase: Phrase, title: bool = False) -> int:
        """Documents holding the phrase in its columns, or in the title column of its kind."""
        bits = self._phrases.get((phrase, title))
        if bits is None:
            kind, term = phrase
            columns = _KIND_TITLE[kind] if title else KIND_FILTER[kind]
            bits = packed(
                conn.execute(
                    "SELECT rowid >> 6, sum(1 << (rowid & 63)) FROM fts WHERE fts MATCH ? GROUP BY 1",
                    (f"{columns} : {quote(term)}",),
                )
            )
            if len(self._phrases) >= PHRASE_CACHE:
                self._phrases.clear()
            self._phrases[(phrase, title)] = bits
        return bits

    def stats(self, conn: sqlite3.Connection) -> tuple[int, float]:
        """Rows and average tokens per row, from the FTS5 averages record, as bm25 takes them."""
        if self._stats is None:
            row = conn.execute("SELECT block FROM fts_data WHERE id = 1").fetchone()
            values = _varints(row[0]) if row else []
            rows = values[0] if values else 0
            self._stats = (rows, sum(values[1:]) / rows if rows else 1.0)
        return self._stats


def _varints(data: bytes) -> list[int]:
    """SQLite variable-length integers, as FTS5 stores its row and token totals."""
    values: list[int] = []
    value = length = 0
    for byte in data:
        if length == 8:
            values.append(value << 8 | byte)
            value = length = 0
            continue
        value = value << 7 | byte & 0x7F
        length += 1
        if byte < 0x80:
            values.append(value)
            value = length = 0
    return values
