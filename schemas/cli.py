"""``terbuka validate FILE [--schema NAME|PATH] [--json]``: the validator on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from schemas.budget import BudgetExceeded
from schemas.registry import InvalidSchema, SchemaNotFound
from schemas.report import Report

# The validator (frictionless, DuckDB) is imported when a file is validated, not when the command line starts.

EXIT_INVALID = 1
EXIT_USAGE = 2


def _print_summary(console: Console, file: Path, report: Report) -> None:
    from schemas.validation import summarize_report

    summary = summarize_report(report)
    for warning in summary["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    if summary["valid"]:
        console.print(f"[green]valid[/green]: {file} ({report['tasks'][0]['stats'].get('rows', 0)} rows)")
        return
    counts = Table(title=f"{file}: {summary['error_count']} errors")
    counts.add_column("error type")
    counts.add_column("count", justify="right")
    for error_type, count in sorted(summary["counts"].items(), key=lambda item: -item[1]):
        counts.add_row(error_type, str(count))
    console.print(counts)
    first = Table(title="first errors")
    first.add_column("row", justify="right")
    first.add_column("field")
    first.add_column("message")
    for errors in summary["first"].values():
        for error in errors:
            first.add_row(str(error.get("rowNumber", "")), str(error.get("fieldName", "")), error["message"])
    console.print(first)


def validate(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file to validate")],
    schema: Annotated[
        str | None, typer.Option("--schema", help="registry name (NAME or NAME/VERSION) or a JSON file")
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="print the full report (frictionless format; indented at a terminal)")
    ] = False,
) -> None:
    """Validate FILE against a Table Schema and summarise the errors (exit 1 when there are some)."""
    from schemas.validation import FAST_PATH_BYTES, report_has_errors, validate_file

    console = Console()
    errors = Console(stderr=True)
    if not file.is_file():
        errors.print(f"[red]error:[/red] cannot read {file}: no such file")
        raise typer.Exit(EXIT_USAGE)
    large = file.stat().st_size >= FAST_PATH_BYTES
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
        disable=not large,
    ) as bar:
        task = bar.add_task(f"validating {file.name}", total=file.stat().st_size)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            report = validate_file(file, schema, progress=advance)
        except BudgetExceeded as exc:
            errors.print(f"[red]refused:[/red] {escape(str(file))}: {escape(exc.message)}")
            raise typer.Exit(EXIT_USAGE) from exc
        except (SchemaNotFound, InvalidSchema) as exc:
            errors.print(f"[red]error:[/red] {exc.args[0] if exc.args else exc}")
            raise typer.Exit(EXIT_USAGE) from exc
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            errors.print(f"[red]error:[/red] cannot validate {file}: {exc}")
            raise typer.Exit(EXIT_USAGE) from exc
    if json_output:
        # Indented for a person at a terminal; one line for a program, which json's C encoder writes many
        # times faster (and written as it is: the report holds no terminal colours to strip).
        indent = 2 if sys.stdout.isatty() else None
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=indent) + "\n")
    else:
        _print_summary(console, file, report)
    if report_has_errors(report):
        raise typer.Exit(EXIT_INVALID)
