"""Where the datastore's files live and the DuckDB connection the query service reads them with."""

import threading
from functools import lru_cache
from pathlib import Path

import duckdb

from catalog.settings import get_settings

QUERY_MEMORY_LIMIT = "512MB"
_lock = threading.Lock()


def datastore_dir() -> Path:
    return get_settings().data_dir / "datastore"


def parquet_path(resource_id: int) -> Path:
    return datastore_dir() / f"{resource_id}.parquet"


@lru_cache
def _connection(root: str) -> duckdb.DuckDBPyConnection:
    """One in-memory database per process and data folder; each query runs on a cursor of its own."""
    con = duckdb.connect(config={"memory_limit": QUERY_MEMORY_LIMIT, "threads": 2})
    con.execute("SET parquet_metadata_cache = true")
    con.execute("SET enable_progress_bar = false")
    return con


def cursor() -> duckdb.DuckDBPyConnection:
    """A connection of its own for one request's queries (DuckDB connections are not shared across threads)."""
    with _lock:
        return _connection(str(datastore_dir())).cursor()


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parquet_source(resource_id: int) -> str:
    """SQL reading a resource's table."""
    return f"read_parquet({quote_literal(str(parquet_path(resource_id)))})"
