"""`terbuka source …` and `terbuka harvest …`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from catalog.errors import CatalogError

if TYPE_CHECKING:
    from catalog.models import HarvestJob

# Commands import the catalogue and the harvesters when they run, so `terbuka --help` stays quick.

source_app = typer.Typer(help="Harvest sources: where OPDs already publish their data.", no_args_is_help=True)
harvest_app = typer.Typer(help="Harvest jobs.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


@source_app.command("add")
def source_add(
    org: Annotated[str, typer.Argument(help="the owner OPD's slug")],
    type: Annotated[str, typer.Option("--type", help="ckan, dcat, datapackage or files")],
    url: Annotated[str, typer.Option("--url")],
    publish: Annotated[str, typer.Option(help="auto (trusted source) or review (walidata)")] = "review",
    on_removed: Annotated[str, typer.Option(help="flag or withdraw datasets gone at source")] = "flag",
    schema: Annotated[str | None, typer.Option(help="default Table Schema for its files")] = None,
    schedule: Annotated[
        str | None,
        typer.Option(help="hourly, daily, weekly, monthly or a crontab line ('30 2 * * 1'), in TERBUKA_TIMEZONE"),
    ] = None,
    filter: Annotated[
        list[str] | None,
        typer.Option("--filter", help="KEY=VALUE, repeatable; for CKAN an fq clause such as organization=dinkes"),
    ] = None,
) -> None:
    """Register a source and print its id."""
    from catalog.db import session_scope
    from harvesters import sources

    pairs = [item.partition("=") for item in filter or []]
    if any(not key or not sep for key, sep, _ in pairs):
        errors.print("[red]error[/red]: --filter takes KEY=VALUE")
        raise typer.Exit(2)
    try:
        with session_scope() as session:
            source = sources.add_source(
                session,
                organization=org,
                type=type,
                url=url,
                publish=publish,
                on_removed=on_removed,
                default_schema=schema,
                schedule=schedule,
                filters={key: value for key, _, value in pairs},
            )
            typer.echo(source.id)
    except CatalogError as exc:
        errors.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        raise typer.Exit(1) from exc


@source_app.command("list")
def source_list() -> None:
    """List the harvest sources."""
    from catalog.db import session_scope
    from harvesters import sources

    table = Table("id", "organization", "type", "url", "publish", "on removed", "schedule")
    with session_scope() as session:
        for source in sources.list_sources(session):
            table.add_row(
                str(source.id),
                str(source.organization_id),
                source.type,
                source.url,
                source.publish,
                source.on_removed,
                source.schedule or "",
            )
    console.print(table)


def _line(job: HarvestJob) -> str:
    counts = ", ".join(f"{count} {name}" for name, count in job.counts.items())
    return f"job {job.id} {job.status}: {counts}" + (f" ({job.error})" if job.error else "")


def _summary(job: HarvestJob) -> Table:
    table = Table("job", "source", "status", *job.counts.keys(), "error")
    table.add_row(str(job.id), str(job.source_id), job.status, *(str(v) for v in job.counts.values()), job.error or "")
    return table


@harvest_app.command("run")
def harvest_run(
    source: Annotated[int, typer.Argument(help="the source id")],
    wait: Annotated[
        bool,
        typer.Option(help="harvest here and now with a progress bar; exit non-zero only when the job itself fails"),
    ] = False,
) -> None:
    """Queue a harvest for the worker (prints the job id), or with --wait run it here; item errors are recorded."""
    from rich.progress import Progress

    from catalog.db import session_scope
    from harvesters import sources

    try:
        with session_scope() as session:
            if not wait:
                from harvesters.tasks import enqueue

                job = enqueue(sources.queue_run(session, source_id=source))
                typer.echo(job.id)
                errors.print(
                    f"job {job.id} queued; `terbuka worker` runs it, `terbuka harvest status {job.id}` follows it"
                )
                return
            with Progress(console=errors, transient=True) as bar:
                task = bar.add_task("harvesting", total=None)
                job = sources.run_source(
                    session,
                    source_id=source,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            console.print(_summary(job))
            typer.echo(_line(job))
    except CatalogError as exc:
        errors.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        raise typer.Exit(1) from exc
    if job.status == "failed":
        raise typer.Exit(1)


@harvest_app.command("status")
def harvest_status(
    job: Annotated[int | None, typer.Argument(help="a job id; the latest jobs if omitted")] = None,
) -> None:
    """Show harvest jobs and their counts."""
    from catalog.db import session_scope
    from catalog.models import HarvestJob
    from harvesters import sources

    with session_scope() as session:
        jobs = [session.get(HarvestJob, job)] if job else sources.list_jobs(session)
        found = [j for j in jobs if j is not None]
        if not found:
            errors.print("no such harvest job")
            raise typer.Exit(1)
        for entry in found:
            console.print(_summary(entry))
        if job:
            failed = sources.list_items(session, source_id=found[0].source_id, status="error", job_id=job)
            if failed:
                table = Table("remote id", "stage", "error", title="items in error")
                for item in failed:
                    for error in item.errors:
                        table.add_row(item.remote_id, error.get("stage", ""), error.get("message", ""))
                console.print(table)
            typer.echo(_line(found[0]))
