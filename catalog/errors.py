"""Domain errors: each has a stable code, an HTTP status and a human message."""

import errno
from typing import Any


class CatalogError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.detail = detail


class Unauthorized(CatalogError):
    status = 401
    code = "unauthorized"


class Forbidden(CatalogError):
    status = 403
    code = "forbidden"


class NotFound(CatalogError):
    status = 404
    code = "not_found"


class Conflict(CatalogError):
    status = 409
    code = "conflict"


class TooLarge(CatalogError):
    status = 413
    code = "too_large"


class Invalid(CatalogError):
    status = 422
    code = "invalid"


class StorageFull(CatalogError):
    """The disk (or the account's quota) is full: nothing of the request was kept."""

    status = 507
    code = "storage_full"


STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
STORAGE_FULL_MESSAGE = "the server's storage is full, so nothing was stored; try again later and tell the administrator"


def is_storage_full(exc: BaseException | None) -> bool:
    """Whether an error, or one it was raised from, is a full disk or quota."""
    for _ in range(10):  # the chain of causes, not forever
        if exc is None:
            return False
        if isinstance(exc, StorageFull) or (isinstance(exc, OSError) and exc.errno in STORAGE_FULL_ERRNOS):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
