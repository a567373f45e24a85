"""The dataset page's preview table and chart, read from the datastore when the table is loaded there.

Paging and sorting run in DuckDB over the whole typed table (not only its first rows), and the chart is
one ``GROUP BY``. While the current release is not loaded yet (or has no table the datastore takes), the
page falls back to reading the first rows of the stored CSV (``catalog.web.preview``).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from babel.numbers import format_decimal
from sqlmodel import Session

from catalog.datastore.columns import ROW_ID
from catalog.datastore.query import NUMERIC, TableQuery, run
from catalog.datastore.tables import PublishedTable, release_tables
from catalog.models import Release, Resource
from catalog.web.i18n import current_locale
from catalog.web.preview import CODE_COLUMN, PAGE_ROWS, Chart, chart_of, previewable, read_preview, sorted_rows

MAX_POINTS = 40  # bars or years a chart draws at most


@dataclass
class PreviewPage:
    """One page of a table's rows as text, with what the table header and the pager need."""

    resource: Resource
    columns: list[str]
    numeric: list[str]
    rows: list[list[str]]
    total: int  # rows in the table (or read from the file)
    read_all: bool  # False when the file preview stopped before the end of the file
    page: int
    pages: int
    sort: str | None
    from_datastore: bool


@dataclass
class TableView:
    preview: PreviewPage | None
    chart: Chart | None
    tables: dict[int, PublishedTable]  # resource id → its loaded table


def cell(value: Any) -> str:
    """A typed value as the preview shows it (numbers with the language's decimal sign, dates in ISO 8601)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_decimal(value, format="0.##########", locale=current_locale())
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return str(value)


def _find(columns: list[str], pattern: str) -> str | None:
    return next((c for c in columns if re.search(pattern, c.lower()) and not CODE_COLUMN.search(c.lower())), None)


def _pages(total: int, page: int) -> tuple[int, int]:
    pages = max(1, -(-total // PAGE_ROWS))
    return min(page, pages), pages


def datastore_preview(
    table: PublishedTable, resource: Resource, *, sort: str | None, descending: bool, page: int
) -> PreviewPage:
    columns = [c.name for c in table.columns]
    numeric = [c.name for c in table.columns if c.sql_type in NUMERIC and not CODE_COLUMN.search(c.name.lower())]
    page, pages = _pages(table.rows, page)
    sort = sort if sort in columns else None
    order = [(sort, descending)] if sort else []
    query = TableQuery(
        fields=[ROW_ID, *columns],
        sort=[*order, (ROW_ID, False)],  # file order among equal values
        limit=PAGE_ROWS,
        offset=(page - 1) * PAGE_ROWS,
    )
    rows = [[cell(v) for v in row[1:]] for row in run(table, query, with_total=False).rows]
    return PreviewPage(resource, columns, numeric, rows, table.rows, True, page, pages, sort, True)


def datastore_chart(table: PublishedTable, numeric: list[str], value: str | None) -> Chart | None:
    """Bars of a numeric column summed per kecamatan (of the latest period), or a line of it per year."""
    columns = [c.name for c in table.columns]
    kecamatan = _find(columns, r"kecamatan")
    year = _find(columns, r"^(tahun|year)$")
    period = _find(columns, r"^(tanggal|periode)") or year
    candidates = [c for c in numeric if c not in (year, period)]
    category = kecamatan or year
    if not candidates or category is None:
        return None
    if value not in candidates:
        value = "jumlah" if "jumlah" in candidates else candidates[0]
    filters: dict[str, Any] = {}
    latest = None
    if kecamatan and period:
        latest = run(table, TableQuery(aggregates=[("max", period)], limit=None), with_total=False).rows[0][0]
        filters = {period: latest} if latest is not None else {}
    total = f"sum_{value}"
    query = TableQuery(
        filters=filters,
        group_by=[category],
        aggregates=[("sum", value)],
        sort=[(total, True)] if kecamatan else [(category, False)],
        limit=MAX_POINTS,
    )
    rows = run(table, query, with_total=False).rows
    points = [(cell(label), float(amount or 0)) for label, amount in rows if label is not None]
    return Chart(
        kind="bar" if kecamatan else "line",
        category=category,
        value=value,
        period=cell(latest) if latest is not None else None,
        points=points,
    )


def file_preview(resource: Resource, *, sort: str | None, descending: bool, page: int) -> PreviewPage:
    """The first rows of the stored CSV, sorted and paged in Python (the datastore has no table yet)."""
    read = read_preview(resource)
    rows = sorted_rows(read, sort, descending)
    page, pages = _pages(len(rows), page)
    shown = rows[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
    sort = sort if sort in read.columns else None
    return PreviewPage(resource, read.columns, read.numeric, shown, len(rows), read.read_all, page, pages, sort, False)


def table_view(
    session: Session,
    release: Release | None,
    *,
    sort: str | None,
    descending: bool,
    page: int,
    chart_column: str | None,
) -> TableView:
    """The preview and chart of the release's first table: from the datastore when loaded, else from the file."""
    if release is None:
        return TableView(None, None, {})
    loaded = release_tables(session, dataset_id=release.dataset_id, release_id=release.id or 0)
    tables = {t.resource_id: t for t in loaded}
    first = next((r for r in release.resources if r.id in tables), None)
    if first is not None:
        table = tables[first.id or 0]
        preview = datastore_preview(table, first, sort=sort, descending=descending, page=page)
        return TableView(preview, datastore_chart(table, preview.numeric, chart_column), tables)
    file = previewable(release)
    if file is None:
        return TableView(None, None, tables)
    preview = file_preview(file, sort=sort, descending=descending, page=page)
    return TableView(preview, chart_of(read_preview(file), chart_column), tables)
