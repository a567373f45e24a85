"""``terbuka validate`` on a small Typer app registering the command."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from schemas.cli import validate
from tests.schemas.parity import write

app = typer.Typer()
app.command("validate")(validate)
app.command("noop")(lambda: None)
runner = CliRunner()
SCHEMA = {"fields": [{"name": "id", "type": "integer"}, {"name": "nama", "type": "string"}]}


def schema_file(tmp_path: Path) -> str:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(SCHEMA))
    return str(path)


def test_valid_file_exits_zero(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(write(tmp_path, "id,nama\n1,Ani\n")), "--schema", schema_file(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_errors_are_summarised_and_exit_one(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(write(tmp_path, "id,nama\nx,Ani\n2\n")), "--schema", schema_file(tmp_path)]
    )
    assert result.exit_code == 1
    assert "type-error" in result.output and "missing-cell" in result.output


def test_json_prints_only_the_frictionless_report(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(write(tmp_path, "id,nama\nx,Ani\n")), "--schema", schema_file(tmp_path), "--json"]
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["tasks"][0]["errors"][0]["type"] == "type-error"
    assert set(report) == {"valid", "stats", "warnings", "errors", "tasks"}


def test_unknown_schema_and_missing_file_exit_two(tmp_path: Path) -> None:
    data = str(write(tmp_path, "id\n1\n"))
    result = runner.invoke(app, ["validate", data, "--schema", "sensus"])
    assert result.exit_code == 2
    assert "unknown schema 'sensus'" in result.output
    result = runner.invoke(app, ["validate", str(tmp_path / "nothing.csv")])
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_an_unusable_schema_is_a_message_and_exit_two(tmp_path: Path) -> None:
    data = str(write(tmp_path, "id,nama\n1,Ani\n"))
    unusable = {
        "unknown type": ({"fields": [{"name": "id", "type": "bilangan"}]}, 'field type "bilangan" is not supported'),
        "broken pattern": (
            {"fields": [{"name": "id"}, {"name": "nama", "constraints": {"pattern": "(["}}]},
            "pattern '([' is not a regular expression",
        ),
        "minimum on a string": (
            {"fields": [{"name": "id"}, {"name": "nama", "type": "string", "constraints": {"minimum": 3}}]},
            'constraint "minimum" is not supported by type "string"',
        ),
        "primary key naming no field": (
            {"fields": [{"name": "id"}, {"name": "nama"}], "primaryKey": ["kode"]},
            "primary key \"['kode']\" does not match the fields",
        ),
        "foreign key without reference fields": (
            {"fields": [{"name": "id"}, {"name": "nama"}], "foreignKeys": [{"fields": "id"}]},
            "foreign key fields \"['id']\" does not match the reference fields",
        ),
    }
    for case, (descriptor, message) in unusable.items():
        path = tmp_path / "schema.json"
        path.write_text(json.dumps(descriptor))
        result = runner.invoke(app, ["validate", data, "--schema", str(path)])
        assert result.exit_code == 2, (case, result.output)
        assert message in " ".join(result.output.split()), case
        assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output, case
