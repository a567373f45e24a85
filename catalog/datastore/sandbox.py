"""Read-only SQL over the published tables, in a throwaway DuckDB locked down for one query.

Two walls. First an allow-list check of the parsed statement: exactly one SELECT (or WITH … SELECT);
only published tables by their names (see ``tables``), no table functions (``read_csv``, ``query``,
``glob``…), no ``DESCRIBE``/``SHOW``, no function that reads settings, files or the environment.
Then the engine itself: a new in-memory database that sees only the Parquet files of the tables the
query names (``allowed_paths``), with external access disabled and its configuration locked, so
``ATTACH``, ``COPY … TO``, ``INSTALL``/``LOAD``, ``SET`` and ``PRAGMA`` fail even if the check missed
them. Each query gets its own memory cap, a statement timeout (the connection is interrupted) and a
row cap (``truncated`` says when rows were left out).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import duckdb
from sqlmodel import Session

from catalog.datastore.columns import Column
from catalog.datastore.engine import quote_identifier, quote_literal
from catalog.datastore.tables import PublishedTable, published_tables
from catalog.errors import CatalogError, TooLarge
from catalog.settings import get_settings

MAX_SQL_CHARS = 20_000
# Functions no published-data query needs: settings, environment, files, extensions, secrets.
DENIED_FUNCTION_WORDS = ("setting", "getenv", "variable", "read_", "write", "glob", "file", "extension", "secret")
DUCKDB_TYPES = {
    "BIGINT": "integer",
    "INTEGER": "integer",
    "HUGEINT": "integer",
    "SMALLINT": "integer",
    "TINYINT": "integer",
    "UBIGINT": "integer",
    "DOUBLE": "number",
    "FLOAT": "number",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "datetime",
    "TIME": "time",
}


class SqlRefused(CatalogError):
    status = 400
    code = "sql_not_allowed"


class SqlTimeout(CatalogError):
    status = 408
    code = "sql_timeout"


@dataclass
class SqlResult:
    columns: list[Column]
    rows: list[tuple[Any, ...]]
    truncated: bool
    tables: list[PublishedTable]


def _parse(sql: str) -> tuple[str, dict[str, Any]]:
    """The one SELECT statement of ``sql`` (without its semicolon) and its syntax tree, or 400."""
    if len(sql) > MAX_SQL_CHARS:
        raise SqlRefused(f"the query is longer than {MAX_SQL_CHARS:,} characters", code="sql_too_long")
    if "\x00" in sql:
        raise SqlRefused("the query holds a NUL character", code="sql_syntax_error")
    try:
        sql.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SqlRefused("the query is not valid UTF-8 text", code="sql_syntax_error") from exc
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise SqlRefused(f"the query does not parse: {exc}", code="sql_syntax_error") from exc
    if len(statements) != 1:
        raise SqlRefused("send exactly one SELECT statement", code="sql_one_statement")
    if statements[0].type != duckdb.StatementType.SELECT:
        raise SqlRefused(f"only SELECT is allowed, not {statements[0].type.name}")
    statement = statements[0].query.strip().rstrip(";").strip()
    with duckdb.connect() as parser:
        row = parser.execute("SELECT json_serialize_sql($1)", [statement]).fetchone()
    tree: dict[str, Any] = json.loads(row[0]) if row else {"error": True}
    if tree.get("error") or len(list(tree.get("statements") or [])) != 1:
        raise SqlRefused(f"only SELECT is allowed: {tree.get('error_message', 'not a plain query')}")
    return statement, tree


def referenced_tables(sql: str) -> tuple[str, set[str]]:
    """The statement to run and the table names it reads; raises ``SqlRefused`` on anything but plain reads."""
    statement, tree = _parse(sql)
    tables: set[str] = set()
    ctes: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind in ("TABLE_FUNCTION", "SHOW_REF"):
            name = node.get("function", {}).get("function_name", "DESCRIBE/SHOW")
            raise SqlRefused(f"{name} is not allowed: query the published tables by name")
        if kind == "BASE_TABLE":
            if node.get("schema_name") or node.get("catalog_name"):
                raise SqlRefused("tables are named without a schema or catalogue")
            tables.add(str(node["table_name"]))
        if node.get("class") == "FUNCTION":
            name = str(node.get("function_name", "")).lower()
            if name.startswith(("duckdb_", "pragma_")) or any(word in name for word in DENIED_FUNCTION_WORDS):
                raise SqlRefused(f"function {name} is not allowed")
        for entry in (node.get("cte_map") or {}).get("map", []):
            ctes.add(str(entry.get("key", "")).lower())
        for value in node.values():
            walk(value)

    walk(tree["statements"])
    return statement, {t for t in tables if t.lower() not in ctes}


def _sandbox(tables: dict[str, PublishedTable]) -> duckdb.DuckDBPyConnection:
    """A fresh database seeing only ``tables`` (name → table), locked down."""
    settings = get_settings()
    con = duckdb.connect(config={"memory_limit": settings.datastore_sql_memory, "threads": 1})
    paths = sorted({str(t.path) for t in tables.values()})
    con.execute(f"SET allowed_paths = [{', '.join(quote_literal(p) for p in paths)}]")
    for name, table in tables.items():
        con.execute(
            f"CREATE VIEW {quote_identifier(name)} AS SELECT * FROM read_parquet({quote_literal(str(table.path))})"
        )
    con.execute("SET enable_progress_bar = false")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def run_sql(session: Session, sql: str, *, row_cap: int | None = None, timeout: float | None = None) -> SqlResult:
    """Run one read-only query over the published tables: 400 refused, 408 too slow, 413 too much memory."""
    settings = get_settings()
    cap = min(row_cap or settings.datastore_sql_row_cap, settings.datastore_sql_row_cap)
    statement, names = referenced_tables(sql)
    by_name = {name.lower(): t for t in published_tables(session) for name in t.names}
    unknown = sorted(n for n in names if n.lower() not in by_name)
    if unknown:
        raise SqlRefused(
            f"no published table {', '.join(repr(n) for n in unknown)}: see /api/v1/datastore for the names",
            code="sql_unknown_table",
        )
    chosen = {name: by_name[name.lower()] for name in names}
    con = _sandbox(chosen)
    timer = threading.Timer(timeout or settings.datastore_sql_timeout, con.interrupt)
    timer.start()
    try:
        result = con.execute(f"SELECT * FROM (\n{statement}\n) AS query LIMIT {cap + 1}")
        rows = result.fetchall()
        described = result.description or []
    except duckdb.InterruptException as exc:
        seconds = timeout or settings.datastore_sql_timeout
        raise SqlTimeout(f"the query ran longer than {seconds:g} s and was stopped") from exc
    except duckdb.OutOfMemoryException as exc:
        raise TooLarge(
            f"the query needs more than {settings.datastore_sql_memory} of memory", code="sql_memory_limit"
        ) from exc
    except duckdb.Error as exc:
        raise SqlRefused(str(exc).split("\n")[0], code="sql_error") from exc
    finally:
        timer.cancel()
        con.close()
    columns = [
        Column(name=str(d[0]), type=DUCKDB_TYPES.get(str(d[1]), "string"), sql_type=str(d[1])) for d in described
    ]
    return SqlResult(columns=columns, rows=rows[:cap], truncated=len(rows) > cap, tables=list(chosen.values()))
