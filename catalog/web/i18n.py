"""The portal's languages: Indonesian first, English on request; catalogues compiled from the .po files at start."""

import gettext
import io
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.units import format_unit

from catalog.settings import get_settings

LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"
CATALOGUES = Path(__file__).parent / "i18n"
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}

_locale: ContextVar[str] = ContextVar("portal_locale", default=DEFAULT_LOCALE)


def po_path(locale: str) -> Path:
    return CATALOGUES / locale / "LC_MESSAGES" / "messages.po"


@lru_cache
def translations(locale: str) -> gettext.GNUTranslations:
    """The locale's catalogue, compiled in memory from its .po file (no .mo files to keep in step)."""
    with po_path(locale).open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def set_locale(locale: str) -> None:
    _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def current_locale() -> str:
    return _locale.get()


def _(message: str, **values: object) -> str:
    """The message in the current language, with ``%(name)s`` placeholders filled from ``values``."""
    translated = translations(current_locale()).gettext(message)
    return translated % values if values else translated


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def number(value: float | int | None, digits: int = 1) -> str:
    """1.234,5 in Indonesian, 1,234.5 in English."""
    if value is None:
        return "–"
    return format_decimal(value, format=f"#,##0.{'#' * digits}" if digits else "#,##0", locale=current_locale())


def percent(share: float | None) -> str:
    return "–" if share is None else format_percent(share, locale=current_locale())


def byte_size(size: int | None) -> str:
    if size is None:
        return "–"
    for unit, scale in (("gigabyte", 1e9), ("megabyte", 1e6), ("kilobyte", 1e3)):
        if size >= scale:
            return format_unit(round(size / scale, 1), f"digital-{unit}", length="short", locale=current_locale())
    return format_unit(size, "digital-byte", length="short", locale=current_locale())


def long_date(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(get_settings().timezone)).date()
    return format_date(value, format="long", locale=current_locale())


def date_time(value: datetime | None) -> str:
    if value is None:
        return "–"
    zone = ZoneInfo(get_settings().timezone)
    return format_datetime(value, format="medium", tzinfo=zone, locale=current_locale())
