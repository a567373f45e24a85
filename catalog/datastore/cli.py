"""``terbuka datastore``: load published data now, or again."""

from typing import Annotated

import typer
from rich.console import Console

datastore_app = typer.Typer(help="The datastore (published tables queried with DuckDB).", no_args_is_help=True)
console = Console()


@datastore_app.command("sync")
def sync() -> None:
    """Load every published tabular resource not loaded yet and drop withdrawn data (the worker does this too)."""
    from catalog.worker import sync_datastore

    console.print(f"loaded {sync_datastore()} tables")


@datastore_app.command("load")
def load(
    resource: Annotated[int, typer.Option(help="resource id")],
    force: Annotated[bool, typer.Option(help="load again even when loaded")] = False,
) -> None:
    """Load one resource of a published release now (again with --force); exit 1 when it fails."""
    from catalog.datastore.ingest import load_resource

    table = load_resource(resource, force=force)
    if table is None:
        console.print(f"no resource {resource}")
        raise typer.Exit(1)
    console.print(f"resource {resource}: {table.status} ({table.rows or 0} rows) {table.error or ''}".rstrip())
    if table.status not in ("ready", "skipped"):
        raise typer.Exit(1)
