"""Operating commands: `terbuka doctor`, `terbuka backup`, `terbuka restore` (services imported when run)."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()
errors = Console(stderr=True)


def doctor(
    repair: Annotated[bool, typer.Option("--repair", help="mend what is safe to mend (orphans, index)")] = False,
    quick: Annotated[bool, typer.Option("--quick", help="check that files exist without hashing them")] = False,
) -> None:
    """Check the catalogue's integrity: stored files, validation reports, leftovers, the search index."""
    from rich.progress import Progress

    from catalog.db import session_scope
    from catalog.services.integrity import examine
    from catalog.services.integrity import repair as mend

    with session_scope() as session:
        with Progress(console=errors, transient=True) as bar:
            task = bar.add_task("checking stored files", total=None)
            found = examine(
                session,
                verify_hashes=not quick,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        if repair:
            mend(session, found)
    for finding in found.findings:
        mark = "[green]repaired[/green]" if finding in found.repaired else "[red]problem[/red]"
        console.print(f"{mark} {finding.check}: {finding.subject}: {finding.message}")
    console.print(f"{found.files_checked} stored files checked; {len(found.findings)} findings")
    if not found.healthy:
        hint = "" if repair else " (run 'terbuka doctor --repair' for what can be mended)"
        errors.print(f"[red]the catalogue needs attention[/red]{hint}")
        raise typer.Exit(code=1)


def backup(
    archive: Annotated[Path, typer.Argument(help="the archive to write: NAME.tar or NAME.tar.gz")],
) -> None:
    """Write the whole catalogue (database and stored files, with checksums) into one archive."""
    from catalog.db import get_engine
    from catalog.errors import CatalogError
    from catalog.services.backup import create_backup
    from catalog.services.files import file_store

    try:
        manifest = create_backup(get_engine(), file_store(), archive, progress=errors.print)
    except CatalogError as exc:
        errors.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        raise typer.Exit(code=1) from exc
    rows = sum(t["rows"] for t in manifest["tables"].values())
    console.print(f"backup written to {archive}: {rows} rows, {len(manifest['files'])} files")


def restore(
    archive: Annotated[Path, typer.Argument(help="an archive written by 'terbuka backup'", exists=True)],
) -> None:
    """Restore a backup into an empty catalogue (TERBUKA_DATABASE_URL, TERBUKA_DATA_DIR), then rebuild search."""
    from catalog.db import get_engine, session_scope
    from catalog.errors import CatalogError
    from catalog.services.backup import restore_backup
    from catalog.services.files import file_store
    from catalog.services.search_index import reindex
    from catalog.settings import get_settings

    try:
        manifest = restore_backup(
            get_engine(), get_settings().database_url, file_store(), archive, progress=errors.print
        )
    except CatalogError as exc:
        errors.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        raise typer.Exit(code=1) from exc
    with session_scope() as session:
        indexed = reindex(session)
    console.print(f"restored {archive} (made {manifest['created']}); {indexed} published datasets indexed")
