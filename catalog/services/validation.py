"""Validating a release's tabular resources and keeping the reports (the check of Satu Data)."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from typing_extensions import TypedDict

from catalog.errors import Invalid, NotFound
from catalog.models import Release, Resource
from catalog.services.files import TABULAR_FORMATS, file_store, format_of, safe_name
from catalog.settings import get_settings
from catalog.storage import StoredFile
from schemas.registry import table_schema
from schemas.report import ReportSummary
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


def check_stored_file(
    sha256: str, fmt: str, schema: str | dict[str, Any] | None, *, sync: bool = True
) -> Outcome | None:
    """Validate a stored file of format ``fmt`` and store its full report; None when it is not tabular."""
    if fmt not in TABULAR_FORMATS:
        return None
    report = validate_file(
        file_store().open(sha256), schema, format=fmt.lower(), limit_errors=get_settings().validation_error_limit
    )
    stored = file_store().put_bytes(json.dumps(report, ensure_ascii=False).encode(), sync=sync)
    return Outcome(report_sha256=stored.sha256, valid=not report_has_errors(report), summary=summarize_report(report))


def prepare_file(path: Path, filename: str, schema: str | dict[str, Any] | None) -> PreparedFile:
    """Store a file and validate it as a resource named ``filename`` would be; touches no database.

    Neither the file nor its report is forced to disk: call ``FileStore.sync()`` before committing."""
    check_schema_reference(schema)
    stored = file_store().put_path(path, max_bytes=get_settings().max_upload_bytes, sync=False)
    fmt = format_of(safe_name(filename))
    return PreparedFile(stored=stored, outcome=check_stored_file(stored.sha256, fmt, schema, sync=False))


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
