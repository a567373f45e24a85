"""The Table Schema registry, and schema inference for stewards who have none."""

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

from catalog import permissions
from catalog.api.deps import CurrentUser
from catalog.api.openapi import answers
from catalog.errors import Invalid, NotFound
from catalog.services.files import format_of, safe_name
from schemas.registry import get_schema, infer_schema, list_schemas

router = APIRouter(prefix="/schemas", tags=["schemas"])
PUBLIC = [permissions.route_rule(permissions.PUBLIC)]


@router.get("", response_model=list[dict[str, Any]], dependencies=PUBLIC)
def list_registry() -> list[dict[str, Any]]:
    """List the registry's Table Schemas (name, version, title, description)."""
    return list_schemas()


@router.get("/{name}", response_model=dict[str, Any], dependencies=PUBLIC)
def latest_schema(name: str) -> dict[str, Any]:
    """Get the newest version of a registry Table Schema."""
    try:
        return get_schema(name)
    except LookupError as exc:
        raise NotFound(str(exc), code="schema_not_found") from exc


@router.get("/{name}/{version}", response_model=dict[str, Any], dependencies=PUBLIC)
def schema_version(name: str, version: str) -> dict[str, Any]:
    """Get one version of a registry Table Schema."""
    try:
        return get_schema(name, version)
    except LookupError as exc:
        raise NotFound(str(exc), code="schema_not_found") from exc


@router.post(
    "/infer",
    response_model=dict[str, Any],
    dependencies=[permissions.route_rule(permissions.SIGNED_IN)],
    responses=answers(413),
)
def infer(user: CurrentUser, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
    """Infer a Table Schema from a CSV or XLSX sample, to edit and attach to a release."""
    name = safe_name(file.filename or "sample.csv")
    if format_of(name) not in {"CSV", "TSV", "XLSX", "XLS"}:
        raise Invalid("send a CSV or XLSX file to infer a schema from", code="unsupported_format")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        try:
            return infer_schema(path)
        except (ValueError, LookupError) as exc:
            raise Invalid(f"could not infer a schema: {exc}", code="unreadable_file") from exc
