"""Bounds on what people type into the catalogue: sizes, counts and characters that cannot be seen.

A title made of zero-width spaces passes a length check but shows nothing; a bidi override makes a
title read differently from what it says; a NUL byte breaks PostgreSQL. These checks refuse them with
a clear message (the API answers 422 naming the field) before anything is stored.
"""

import unicodedata

MAX_DESCRIPTION = 50_000  # characters: several pages of Markdown
MAX_TAGS = 50
MAX_TAG_LENGTH = 60
# Extras also keep what a harvested source declares beyond the model (DCAT properties by name, a
# distribution's details under its URL, a spatial geometry): bounded, but room for that.
MAX_EXTRAS = 200
MAX_EXTRA_KEY = 500
MAX_EXTRA_VALUE = 20_000
# Unicode "format" characters (bidi controls, zero-width spaces and joiners, BOM), and controls.
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}
LINE_CONTROLS = {"\n", "\r", "\t"}


def invisible_characters(text: str, *, allow_lines: bool = False) -> list[str]:
    """The code points of ``text`` that cannot be seen (as U+XXXX), line breaks and tabs allowed on request."""
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if unicodedata.category(ch) in INVISIBLE_CATEGORIES and not (allow_lines and ch in LINE_CONTROLS)
    ]


def check_title(title: str, *, minimum: int = 3) -> str:
    hidden = invisible_characters(title)
    if hidden:
        raise ValueError(f"a title may not contain control, bidi or zero-width characters ({', '.join(hidden[:5])})")
    if len(title.strip()) < minimum:
        raise ValueError(f"a title needs at least {minimum} visible characters")
    return title


def check_description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION:
        raise ValueError(f"a description is at most {MAX_DESCRIPTION:,} characters")
    hidden = [code for code in invisible_characters(description, allow_lines=True) if code in BIDI_AND_NUL]
    if hidden:
        raise ValueError(f"a description may not contain NUL or bidi control characters ({', '.join(hidden[:5])})")
    return description


BIDI_AND_NUL = {"U+0000", "U+061C", "U+200E", "U+200F", *(f"U+{c:04X}" for c in range(0x202A, 0x202F))}
BIDI_AND_NUL |= {f"U+{c:04X}" for c in range(0x2066, 0x206A)}


def check_tags(tags: list[str]) -> list[str]:
    if len(tags) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    for tag in tags:
        if len(tag) > MAX_TAG_LENGTH:
            raise ValueError(f"a tag is at most {MAX_TAG_LENGTH} characters")
        if invisible_characters(tag):
            raise ValueError("a tag may not contain control, bidi or zero-width characters")
    return tags


def check_extras(extras: dict[str, str]) -> dict[str, str]:
    if len(extras) > MAX_EXTRAS:
        raise ValueError(f"at most {MAX_EXTRAS} extras")
    for key, value in extras.items():
        if len(key) > MAX_EXTRA_KEY or len(value) > MAX_EXTRA_VALUE:
            raise ValueError(f"an extra's key is at most {MAX_EXTRA_KEY} characters, its value {MAX_EXTRA_VALUE:,}")
        if "\x00" in key or "\x00" in value:
            raise ValueError("an extra may not contain NUL characters")
    return extras
