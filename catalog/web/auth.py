"""Signing in to the portal: signed session cookies and a CSRF token on every form.

The session cookie holds the user id, when it was issued and an HMAC over both and the account's password
hash, so a changed password or a deactivated account ends every session. The key is made once per data
folder (``portal-secret``), so that several app processes share it. Cookies are HttpOnly and SameSite=Lax,
and Secure when the request came over TLS. Every POST carries a CSRF token (double submit: a random
cookie echoed in a hidden field) and must come from the app's own origin.
"""

import hashlib
import hmac
import os
import secrets
import time
from functools import lru_cache
from typing import Annotated
from urllib.parse import urlparse

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from catalog.api.deps import SessionDep
from catalog.errors import Forbidden, Unauthorized
from catalog.models import User
from catalog.settings import get_settings

SESSION_COOKIE = "terbuka_sesi"
CSRF_COOKIE = "terbuka_csrf"
SESSION_SECONDS = 12 * 3600


@lru_cache
def portal_secret() -> bytes:
    path = get_settings().data_dir / "portal-secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as handle:
        key = secrets.token_bytes(32)
        handle.write(key)
    return key


def _signature(user: User, issued: int) -> str:
    message = f"{user.id}:{issued}:{user.password_hash}".encode()
    return hmac.new(portal_secret(), message, hashlib.sha256).hexdigest()


def session_value(user: User, issued: int | None = None) -> str:
    issued = issued or int(time.time())
    return f"{user.id}:{issued}:{_signature(user, issued)}"


def user_of_session(session: Session, value: str | None) -> User | None:
    """The signed-in user of a session cookie; None when it is missing, forged, expired or the account changed."""
    if not value or value.count(":") != 2:
        return None
    user_id, issued, signature = value.split(":")
    if not (user_id.isdigit() and issued.isdigit()) or time.time() - int(issued) > SESSION_SECONDS:
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.is_active or not user.password_hash:
        return None
    return user if hmac.compare_digest(signature, _signature(user, int(issued))) else None


def portal_user(request: Request, session: SessionDep) -> User | None:
    return user_of_session(session, request.cookies.get(SESSION_COOKIE))


def signed_in(user: Annotated[User | None, Depends(portal_user)]) -> User:
    if user is None:
        raise Unauthorized("sign in first", code="sign_in_required")
    return user


PortalUser = Annotated[User | None, Depends(portal_user)]
SignedIn = Annotated[User, Depends(signed_in)]


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https"


def start_session(request: Request, response: Response, user: User) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        session_value(user),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
    )
    response.set_cookie(
        CSRF_COOKIE, secrets.token_urlsafe(24), httponly=True, samesite="lax", secure=is_secure(request)
    )


def end_session(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=is_secure(request))


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", secure=is_secure(request))


def check_csrf(request: Request, csrf: Annotated[str, Form()] = "") -> None:
    """Refuses a form sent from another site: the token must match the cookie, and the origin must be ours."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and origin != "null" and urlparse(origin).netloc != request.url.netloc:
        raise Forbidden("this form was sent from another site", code="csrf_failed")
    if not cookie or not hmac.compare_digest(cookie, csrf):
        raise Forbidden("the form has expired; load the page again and resend it", code="csrf_failed")


CsrfChecked = Depends(check_csrf)
