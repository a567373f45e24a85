"""Sets of document numbers as Python ints, one bit per document: built, read back and combined."""

from __future__ import annotations

from collections.abc import Iterable

_WORD_MASK = (1 << 64) - 1


def union(bitmaps: Iterable[int]) -> int:
    result = 0
    for bits in bitmaps:
        result |= bits
    return result


def bitmap(numbers: Iterable[int]) -> int:
    bits = bytearray()
    for n in numbers:
        byte = n >> 3
        if byte >= len(bits):
            bits.extend(bytes(byte - len(bits) + 1))
        bits[byte] |= 1 << (n & 7)
    return int.from_bytes(bits, "little")


def packed(words: Iterable[tuple[int, int]]) -> int:
    """A bitmap from (number >> 6, sum of 1 << (number & 63)) rows, as SQLite aggregates them."""
    data = bytearray()
    for word, bits in words:
        end = (word + 1) * 8
        if end > len(data):
            data.extend(bytes(end - len(data)))
        data[end - 8 : end] = (bits & _WORD_MASK).to_bytes(8, "little")
    return int.from_bytes(data, "little")


def members(bits: int) -> list[int]:
    """The document numbers of a bitmap, in ascending order."""
    text = bin(bits)[:1:-1]
    found: list[int] = []
    position = text.find("1")
    while position >= 0:
        found.append(position)
        position = text.find("1", position + 1)
    return found
