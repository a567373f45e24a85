"""The types of a validation report: frictionless's report descriptor (the shape of its ``report/types.py``,
with the error descriptors spelled out) and Terbuka's summary of it.

``typing_extensions.TypedDict`` because pydantic (the API's ``response_model``) needs it before Python 3.12.
"""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict


class ReportError(TypedDict):
    """One error as frictionless writes it; which of the optional keys are present depends on its type
    (a row error has ``rowNumber`` and ``cells``, a cell error also ``cell``, ``fieldName`` and
    ``fieldNumber``, a label error ``label`` and ``labels``, a foreign-key error the key's fields)."""

    type: str
    title: str
    description: str
    message: str
    tags: list[str]
    note: str
    rowNumber: NotRequired[int]
    cells: NotRequired[list[str]]
    cell: NotRequired[str]
    fieldName: NotRequired[str]
    fieldNumber: NotRequired[int]
    label: NotRequired[str]
    labels: NotRequired[list[str]]
    rowNumbers: NotRequired[list[int]]
    fieldNames: NotRequired[list[str]]
    fieldCells: NotRequired[list[str]]
    referenceName: NotRequired[str]
    referenceFieldNames: NotRequired[list[str]]


class ReportTaskStats(TypedDict):
    """A task's counts; the file's size, hashes, fields and rows once it could be read."""

    errors: int
    warnings: int
    seconds: float
    md5: NotRequired[str]
    sha256: NotRequired[str]
    bytes: NotRequired[int]
    fields: NotRequired[int]
    rows: NotRequired[int]


class ReportTask(TypedDict):
    """The validation of one file (a report of Terbuka's holds exactly one)."""

    valid: bool
    name: NotRequired[str]
    type: NotRequired[str]
    title: NotRequired[str]
    description: NotRequired[str]
    place: NotRequired[str]
    labels: NotRequired[list[str]]
    stats: ReportTaskStats
    warnings: list[str]
    errors: list[ReportError]


class ReportStats(TypedDict):
    """The report's totals over its tasks."""

    tasks: int
    errors: int
    warnings: int
    seconds: float


class Report(TypedDict):
    """frictionless's report descriptor, as ``validate_file`` returns it and the stored report holds it."""

    valid: bool
    stats: ReportStats
    warnings: list[str]
    errors: list[ReportError]
    tasks: list[ReportTask]


class ReportSummary(TypedDict):
    """What a resource keeps of its report: counts per error type and the first errors of each type."""

    valid: bool
    error_count: int
    counts: dict[str, int]
    first: dict[str, list[ReportError]]
    warnings: list[str]
