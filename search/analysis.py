"""Indonesian text analysis shared by the search backends.

Words are folded to lower-case ASCII, stop words dropped, and each word is reduced to a root by a
small rule stemmer in the style of Nazief–Adriani / ECS: particles, possessives and derivational
suffixes come off, then up to two prefixes with their sound changes (meny- → s-, pem- → p-…).
A word is only reduced to a root listed in ``data/roots.txt``; words whose root is not listed keep
their form, apart from English plurals. Over-stemming is the costlier mistake here because stems
collide (penduduk → duduk), so backends rank exact-word matches above stem-only matches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

import yaml

WORD = re.compile(r"[0-9a-z]+")
MIN_TYPO_LENGTH = 5

_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
_DERIVATIONAL = ("kan", "an", "i")
_VOWELS = "aeiou"


def _data(name: str) -> str:
    return resources.files("search").joinpath("data", name).read_text(encoding="utf-8")


def _word_list(name: str) -> frozenset[str]:
    lines = (line.strip() for line in _data(name).splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


@cache
def stop_words() -> frozenset[str]:
    return _word_list("stopwords.txt")


@cache
def roots() -> frozenset[str]:
    return _word_list("roots.txt")


@cache
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Groups of equivalent phrases, each phrase already folded (see ``fold``)."""
    groups = yaml.safe_load(_data("synonyms.yaml"))
    return tuple(tuple(" ".join(words(str(p))) for p in group) for group in groups)


@cache
def _phrase_index() -> dict[str, list[tuple[tuple[str, ...], int]]]:
    """First word of a phrase → (phrase words, group number), to find phrases in a word stream."""
    index: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for number, group in enumerate(synonym_groups()):
        for phrase in group:
            parts = tuple(phrase.split())
            index.setdefault(parts[0], []).append((parts, number))
    return index


def fold(text: str) -> str:
    """Lower-case, accents removed: the form every comparison uses."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """All words of a text, folded, stop words kept (highlighting and phrases need them)."""
    return WORD.findall(fold(text))


def terms(text: str) -> list[str]:
    """Words of a text without stop words; if only stop words were typed, keep them."""
    found = words(text)
    kept = [w for w in found if w not in stop_words()]
    return kept or found


def synonyms_in(found: list[str]) -> set[str]:
    """Words of every synonym of every phrase occurring in the word list."""
    index = _phrase_index()
    starts = index.keys() & set(found)
    if not starts:
        return set()
    groups = synonym_groups()
    extra: set[str] = set()
    for position, word in enumerate(found):
        if word not in starts:
            continue
        for parts, number in index[word]:
            if tuple(found[position : position + len(parts)]) == parts:
                for phrase in groups[number]:
                    extra.update(phrase.split())
    return extra - stop_words()


def _suffix_forms(word: str) -> Iterator[str]:
    """The word with inflectional then derivational suffixes removed, least removed first."""
    yield word
    current = word
    for group in (_PARTICLES, _POSSESSIVES):
        for suffix in group:
            if current.endswith(suffix) and len(current) - len(suffix) >= 3:
                current = current[: -len(suffix)]
                yield current
                break
    for suffix in _DERIVATIONAL:
        if current.endswith(suffix) and len(current) - len(suffix) >= 3:
            yield current[: -len(suffix)]


def _prefix_forms(word: str) -> Iterator[str]:
    """Forms of the word with one prefix removed, with the sound changes the prefix caused."""
    for prefix in ("di", "ke", "se", "ter", "ber", "per", "be", "te"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            yield word[len(prefix) :]
    for nasal in ("me", "pe"):
        if not word.startswith(nasal):
            continue
        rest = word[2:]
        if rest.startswith("ng"):
            yield rest[2:]
            yield "k" + rest[2:]
        elif rest.startswith("ny"):
            yield "s" + rest[2:]
        elif rest.startswith("m"):
            yield rest[1:]
            yield "p" + rest[1:]
        elif rest.startswith("n"):
            yield rest[1:]
            yield "t" + rest[1:]
        elif rest[:1] and rest[0] in "lrwy":
            yield rest
        if rest.startswith("r"):
            yield rest[1:]


def _english_plural(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@cache
def stem(word: str) -> str:
    """The root of a folded word, or the word itself when no listed root is reachable."""
    known = roots()
    if word in known or word.isdigit():
        return word
    for form in _suffix_forms(word):
        if form in known:
            return form
        for once in _prefix_forms(form):
            if once in known:
                return once
            for twice in _prefix_forms(once):
                if twice in known:
                    return twice
    return _english_plural(word)


def stems(found: Iterable[str]) -> list[str]:
    return [stem(w) for w in found]


def deletes(word: str) -> set[str]:
    """The word and every form with one letter removed: two words within one edit share one."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def within_one_edit(a: str, b: str) -> bool:
    """Levenshtein distance at most one, counting a swap of neighbours as one edit."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
