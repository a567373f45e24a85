"""Rendering pages: one Jinja2 environment, the locale of the request, canonical and alternate URLs."""

import gzip
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from catalog.settings import get_settings
from catalog.web import i18n
from catalog.web.markdown import render_markdown, safe_highlight

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE = "lang"
YEAR = 365 * 24 * 3600

# The security headers (CSP: nothing but this host) come from catalog.api.headers for every response.
PAGE_HEADERS = {"Vary": "Cookie"}  # the language may come from the cookie


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n._, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(
        markdown=render_markdown,
        highlight=safe_highlight,
        number=i18n.number,
        percent=i18n.percent,
        bytes=i18n.byte_size,
        long_date=i18n.long_date,
        date_time=i18n.date_time,
    )
    return env


def request_locale(request: Request) -> str:
    """``?lang=`` wins (and is remembered in a cookie); then the cookie; Indonesian otherwise."""
    asked = request.query_params.get("lang")
    if asked in i18n.LOCALES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE)
    return remembered if remembered in i18n.LOCALES else i18n.DEFAULT_LOCALE


async def use_request_locale(request: Request) -> None:
    """Set the request's language before the page gathers its data (an async dependency runs in the request's
    context, which the page's thread inherits)."""
    i18n.set_locale(request_locale(request))


def url_with(request: Request, **changes: Any) -> str:
    """This page's path and query with some parameters replaced (None removes one); lists repeat the key."""
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    query = urlencode([(k, v) for k, values in params.items() for v in values])
    return request.url.path + (f"?{query}" if query else "")


def compressed(request: Request, html: str, status_code: int) -> HTMLResponse:
    """The page gzipped when the browser accepts it (pages only: files keep their bytes, ranges and ETags)."""
    body = html.encode()
    if "gzip" not in request.headers.get("accept-encoding", ""):
        return HTMLResponse(body, status_code=status_code, headers=PAGE_HEADERS)
    headers = {**PAGE_HEADERS, "Content-Encoding": "gzip", "Vary": "Cookie, Accept-Encoding"}
    return HTMLResponse(gzip.compress(body, compresslevel=6), status_code=status_code, headers=headers)


def render(
    request: Request,
    template: str,
    *,
    title: str,
    description: str,
    canonical_query: dict[str, Any] | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page as HTML, in the request's language, with its canonical URL (Indonesian, the default)."""
    locale = request_locale(request)
    i18n.set_locale(locale)
    base = get_settings().base_url.rstrip("/")
    query = urlencode({k: v for k, v in (canonical_query or {}).items() if v not in (None, "")}, doseq=True)
    canonical = base + request.url.path + (f"?{query}" if query else "")
    alternates = {
        code: canonical + ("&" if query else "?") + f"lang={code}" if code != i18n.DEFAULT_LOCALE else canonical
        for code in i18n.LOCALES
    }
    other = next(code for code in i18n.LOCALES if code != locale)
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            locale=locale,
            title=title,
            description=description,
            canonical=canonical,
            alternates=alternates,
            page_url=alternates[locale],
            other_locale=other,
            other_locale_url=url_with(request, lang=other),
            language_names=i18n.LANGUAGE_NAMES,
            url_with=lambda **changes: url_with(request, **changes),
            **context,
        )
    )
    response = compressed(request, html, status_code)
    if request.query_params.get("lang") in i18n.LOCALES and request.cookies.get(LANG_COOKIE) != locale:
        response.set_cookie(LANG_COOKIE, locale, max_age=YEAR, httponly=True, samesite="lax")
    return response
