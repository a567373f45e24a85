"""The datastore: validated tabular resources of published releases as typed Parquet files queried with DuckDB.

``ingest`` loads a resource (worker, after publication), ``tables`` says which tables are published and
under which names, ``query`` answers filters, sorts and aggregates, ``exports`` writes CSV/XLSX/Parquet,
``sandbox`` runs read-only SQL, ``ckan`` gives CKAN's ``datastore_search`` and ``datastore_search_sql``.
"""
