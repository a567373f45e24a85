"""Reading CKAN action parameters as CKAN does: GET query strings, JSON bodies and multipart forms alike."""

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData, UploadFile

from catalog.errors import Invalid


class BadRequest(Exception):
    """A request CKAN answers with 400 "Bad request" (unreadable body, unknown action, GET on a write action)."""


class ParameterError(Invalid):
    """A parameter with a wrong value: answered as CKAN's "Validation Error" on that field."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}", code="invalid_parameter", detail={name: [message]})


@dataclass
class Params:
    values: dict[str, Any]
    uploads: dict[str, UploadFile] = field(default_factory=dict)

    def text(self, name: str, default: str = "") -> str:
        value = self.values.get(name, default)
        if isinstance(value, list):
            value = " ".join(str(v) for v in value)
        return default if value is None else str(value)

    def required(self, *names: str) -> str:
        for name in names:
            value = self.text(name).strip()
            if value:
                return value
        raise ParameterError(names[0], "Missing value")

    def integer(self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(str(value))
        except ValueError:
            raise ParameterError(name, "Invalid integer") from None
        if number < minimum:
            raise ParameterError(name, f"Must be a natural number of at least {minimum}")
        if maximum is not None and number > maximum:
            raise ParameterError(name, f"Must be less than or equal to {maximum}")
        return number

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes", "on")

    def strings(self, name: str) -> list[str]:
        """A list given as a JSON list, a JSON list in a string (CKAN's GET form), repeated keys or commas."""
        value = self.values.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, str) and value.strip().startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                raise ParameterError(name, "Invalid JSON list") from None
        if isinstance(value, str):
            return [part for part in value.replace(",", " ").split() if part]
        if isinstance(value, list):
            return [str(v) for v in value]
        raise ParameterError(name, "Must be a list")


def _collect(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in pairs:
        if key in values:
            previous = values[key]
            values[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[key] = value
    return values


def _form(form: FormData) -> Params:
    uploads = {key: value for key, value in form.multi_items() if isinstance(value, UploadFile)}
    fields = [(key, value) for key, value in form.multi_items() if not isinstance(value, UploadFile)]
    return Params(_collect(fields), uploads)


async def read_params(request: Request) -> Params:
    if request.method == "GET":
        return Params(_collect(list(request.query_params.multi_items())))
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return _form(await request.form())
    body = await request.body()
    if not body.strip():
        return Params(_collect(list(request.query_params.multi_items())))
    try:
        values = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(f"JSON Error: {exc}") from exc
    if not isinstance(values, dict):
        raise BadRequest("JSON Error: Request data JSON decoded to a value that is not a dictionary")
    return Params(values)
