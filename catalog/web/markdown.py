"""Descriptions written in Markdown, rendered to HTML that cannot run anything (markdown-it-py, then nh3)."""

import html as html_lib
import json
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in a description is shown as text (html=False); nh3 then keeps only these tags and
# attributes and only web and mail links, so neither a <script>, an onerror= nor a javascript: URL survives.
TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render_markdown(text: str) -> Markup:
    html = _parser().render(text or "")
    # Headings start at h2: the page's own title is the only h1.
    for level in (3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(f"</h{level}>", f"</h{level + 1}>")
    clean = nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="nofollow noopener noreferrer"
    )
    return Markup(clean)


def safe_highlight(text: str) -> Markup:
    """A search highlight: the backend escapes the text around <mark>; only <mark> is kept, whatever it sent."""
    return Markup(nh3.clean(text or "", tags={"mark"}, attributes={}))


def plain_text(text: str, limit: int = 160) -> str:
    """Markdown reduced to its words, for meta descriptions."""
    words = html_lib.unescape(nh3.clean(_parser().render(text or ""), tags=set())).split()
    summary = " ".join(words)
    return summary if len(summary) <= limit else summary[: limit - 1].rsplit(" ", 1)[0] + "…"


def script_json(document: Any) -> Markup:
    """A JSON document to embed in ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` are written as
    JSON escapes, so no text in it (``</script>``, ``<!--``) can end the element; a JSON parser reads the same
    document back."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escaped)
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
