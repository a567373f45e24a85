"""The columnar validator: the checks of frictionless, run by DuckDB over whole columns."""
