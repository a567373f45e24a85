"""Marking matched words in titles and description snippets, HTML-escaped around the marks."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from search import analysis

_WORDS = re.compile(r"(\w+)")
_SPECIAL = re.compile("[&<>\"']")
SNIPPET_WORDS = 30
_BEFORE = 8


@dataclass
class Matcher:
    """The words and stems a query matched, to recognise them in the original text."""

    exact: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    _seen: set[str] = field(default_factory=set, repr=False, compare=False)
    _matched: set[str] = field(default_factory=set, repr=False, compare=False)

    def add(self, exact: set[str], stems: set[str]) -> None:
        self.exact |= exact
        self.stems |= stems
        self._seen.clear()
        self._matched.clear()

    def matching(self, words: set[str]) -> set[str]:
        """The words (as written) that match; each distinct word is folded and stemmed once."""
        for word in words - self._seen:
            folded = analysis.fold(word)
            if folded in self.exact or analysis.stem(folded) in self.stems:
                self._matched.add(word)
            self._seen.add(word)
        return words & self._matched

    def matches(self, word: str) -> bool:
        return bool(self.matching({word}))


def highlight(text: str, matcher: Matcher) -> str:
    return _marked(_WORDS.split(text), matcher, _SPECIAL.search(text) is not None)


def snippet(text: str, matcher: Matcher) -> str:
    """About thirty words of the text around the first match, highlighted."""
    parts = _WORDS.split(text)
    escape = _SPECIAL.search(text) is not None
    words = parts[1::2]
    if len(words) <= SNIPPET_WORDS:
        return _marked(parts, matcher, escape)
    first = next((i for i, word in enumerate(words) if matcher.matches(word)), 0)
    start = max(0, first - _BEFORE)
    end = min(len(words), start + SNIPPET_WORDS)
    piece = _marked(["", *parts[2 * start + 1 : 2 * end], ""], matcher, escape)
    return ("… " if start else "") + piece + (" …" if end < len(words) else "")


def _marked(parts: list[str], matcher: Matcher, escape: bool) -> str:
    """Non-words and words (at odd positions) joined again, matched words marked, the rest escaped."""
    if escape:
        parts = [part if i % 2 else html.escape(part) for i, part in enumerate(parts)]
    marked = matcher.matching(set(parts[1::2]))
    return "".join([f"<mark>{part}</mark>" if part in marked else part for part in parts])
