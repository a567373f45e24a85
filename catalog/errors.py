"""Domain errors: each has a stable code, an HTTP status and a human message."""

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
