"""Marking matched words in titles and description snippets, HTML-escaped around the marks."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from search import analysis

_WORD = re.compile(r"\w+")
SNIPPET_WORDS = 30
_BEFORE = 8


@dataclass
class Matcher:
    """The words and stems a query matched, to recognise them in the original text."""

    exact: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)

    def add(self, exact: set[str], stems: set[str]) -> None:
        self.exact |= exact
        self.stems |= stems

    def matches(self, word: str) -> bool:
        folded = analysis.fold(word)
        return folded in self.exact or analysis.stem(folded) in self.stems


def highlight(text: str, matcher: Matcher) -> str:
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        if matcher.matches(match.group()):
            out.append(html.escape(text[last:match.start()]))
            out.append(f"<mark>{html.escape(match.group())}</mark>")
            last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def snippet(text: str, matcher: Matcher) -> str:
    """About thirty words of the text around the first match, highlighted."""
    found = list(_WORD.finditer(text))
    if len(found) <= SNIPPET_WORDS:
        return highlight(text, matcher)
    first = next((i for i, m in enumerate(found) if matcher.matches(m.group())), 0)
    start = max(0, first - _BEFORE)
    end = min(len(found), start + SNIPPET_WORDS)
    piece = text[found[start].start():found[end - 1].end()]
    return ("… " if start else "") + highlight(piece, matcher) + (" …" if end < len(found) else "")
