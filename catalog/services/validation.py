"""Validating a release's tabular resources and keeping the reports (the check of Satu Data)."""

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from typing_extensions import TypedDict

from catalog.errors import Invalid, NotFound, TooLarge
from catalog.models import Release, Resource
from catalog.services.files import TABULAR_FORMATS, file_store, format_of, safe_name
from catalog.settings import get_settings
from catalog.storage import StoredFile
from schemas.budget import BudgetExceeded
from schemas.registry import table_schema
from schemas.report import Report, ReportSummary
from schemas.validation import report_has_errors, summarize_report, validate_file


def check_schema_reference(ref: str | dict[str, Any] | None) -> None:
    """Refuse an unknown schema name or a custom schema frictionless cannot use before anything is stored."""
    if ref is None:
        return
    try:
        table_schema(ref)
    except (LookupError, ValueError) as exc:
        raise Invalid(f"schema {ref if isinstance(ref, str) else '(custom)'}: {exc}", code="unknown_schema") from exc


@dataclass(frozen=True)
class Outcome:
    """A validation's verdict, its summary and where its full report is stored."""

    report_sha256: str
    valid: bool
    summary: ReportSummary


@dataclass(frozen=True)
class PreparedFile:
    """A file already stored and, when tabular, validated: the slow part of adding a resource, done ahead
    (and in another process) by bulk imports."""

    stored: StoredFile
    outcome: Outcome | None


def _report(path: Path, fmt: str, schema: str | dict[str, Any] | None) -> Report:
    """Validate ``path`` within the input budget; a file past it is refused (413, or 422 when it is not what
    its name says) with the limit named."""
    try:
        return validate_file(path, schema, format=fmt.lower(), limit_errors=get_settings().validation_error_limit)
    except BudgetExceeded as exc:
        refusal = TooLarge if exc.status == 413 else Invalid
        raise refusal(exc.message, code=exc.code) from exc


def _outcome(report: Report, sync: bool) -> Outcome:
    stored = file_store().put_bytes(json.dumps(report, ensure_ascii=False).encode(), sync=sync)
    return Outcome(report_sha256=stored.sha256, valid=not report_has_errors(report), summary=summarize_report(report))


def check_stored_file(
    sha256: str, fmt: str, schema: str | dict[str, Any] | None, *, sync: bool = True
) -> Outcome | None:
    """Validate a stored file of format ``fmt`` and store its full report; None when it is not tabular."""
    if fmt not in TABULAR_FORMATS:
        return None
    return _outcome(_report(file_store().open(sha256), fmt, schema), sync)


def prepare_file(path: Path, filename: str, schema: str | dict[str, Any] | None, *, sync: bool = False) -> PreparedFile:
    """Validate a file as a resource named ``filename`` would be, then store it and its report; touches no database.

    A file refused by the size limit or the input budget is not stored. Unless ``sync``, neither the
    file nor its report is forced to disk: call ``FileStore.sync()`` before committing."""
    check_schema_reference(schema)
    limit = get_settings().max_upload_bytes
    if path.stat().st_size > limit:
        raise TooLarge(f"file is larger than the limit of {limit:,} bytes", code="file_too_large")
    fmt = format_of(safe_name(filename))
    report = None
    if fmt in TABULAR_FORMATS:
        with _named_as_stored(path) as named:
            report = _report(named, fmt, schema)
    stored = file_store().put_path(path, max_bytes=limit, sync=sync)
    return PreparedFile(stored=stored, outcome=_outcome(report, sync) if report is not None else None)


@contextmanager
def _named_as_stored(path: Path) -> Iterator[Path]:
    """``path`` linked under the name the store will give it (its SHA-256), so that its report names the
    file as a report of the stored file does, whatever temporary name it arrived under."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    store = file_store()
    store.tmp.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=store.tmp, prefix="check-") as folder:
        named = Path(folder) / digest.hexdigest()
        try:
            os.link(path, named)
        except OSError:
            shutil.copyfile(path, named)
        yield named


def receive_file(stream: BinaryIO, filename: str, schema: str | dict[str, Any] | None) -> PreparedFile:
    """An uploaded file, stored once it has passed validation's input budget (a tabular file is first
    written to the store's temporary folder, removed whatever happens)."""
    limit = get_settings().max_upload_bytes
    if format_of(safe_name(filename)) not in TABULAR_FORMATS:
        return PreparedFile(stored=file_store().put_file(stream, max_bytes=limit), outcome=None)
    store = file_store()
    store.tmp.mkdir(parents=True, exist_ok=True)
    descriptor, name = tempfile.mkstemp(dir=store.tmp, prefix="upload-")
    try:
        with os.fdopen(descriptor, "wb") as out:
            size = 0
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"file is larger than the limit of {limit:,} bytes", code="file_too_large")
                out.write(chunk)
        return prepare_file(Path(name), filename, schema, sync=True)
    finally:
        Path(name).unlink(missing_ok=True)


def apply_outcome(resource: Resource, outcome: Outcome | None = None) -> None:
    """Set a resource's validation from ``outcome``, validating its stored file when none is given."""
    if resource.sha256 is None:
        return
    schema: str | dict[str, Any] | None = resource.table_schema or resource.schema_ref
    outcome = outcome or check_stored_file(resource.sha256, resource.format, schema)
    if outcome is not None:
        resource.report_sha256 = outcome.report_sha256
        resource.validation_valid = outcome.valid
        resource.validation_summary = cast(dict[str, Any], outcome.summary)


class ResourceValidation(TypedDict):
    """A resource's verdict (None when it is not tabular or not checked yet) and its report's summary."""

    resource_id: int
    name: str
    schema: str | None
    valid: bool | None
    summary: ReportSummary | None
    report_url: str | None


class ReleaseValidation(TypedDict):
    """A release's validation: valid when every checked resource is (None when none was checked)."""

    release_id: int
    valid: bool | None
    approval_justification: str | None
    resources: list[ResourceValidation]


def release_validation(release: Release) -> ReleaseValidation:
    """The validation view of a release: per resource, counts per error type and the first errors."""
    assert release.id is not None
    resources: list[ResourceValidation] = []
    for resource in release.resources:
        assert resource.id is not None
        resources.append(
            {
                "resource_id": resource.id,
                "name": resource.name,
                "schema": resource.schema_ref or ("custom" if resource.table_schema else None),
                "valid": resource.validation_valid,
                "summary": cast(ReportSummary | None, resource.validation_summary),
                "report_url": (
                    f"{get_settings().base_url}/api/v1/releases/{release.id}/resources/{resource.id}/report"
                    if resource.report_sha256
                    else None
                ),
            }
        )
    checked = [r["valid"] for r in resources if r["valid"] is not None]
    return {
        "release_id": release.id,
        "valid": all(checked) if checked else None,
        "approval_justification": release.approval_justification,
        "resources": resources,
    }


def report_path(resource: Resource) -> Path:
    if resource.report_sha256 is None:
        raise NotFound("this resource has no validation report", code="report_not_found")
    return file_store().open(resource.report_sha256)
