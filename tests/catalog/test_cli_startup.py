"""The command line starts without loading what a command does not use (checked on sys.modules, not timing)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Each of these costs a noticeable part of a second to import. (pydantic is not listed: Typer itself loads
# it to convert some parameters.)
HEAVY = [
    "catalog.db",
    "catalog.models",
    "catalog.services",
    "harvesters.sources",
    "harvesters.tasks",
    "schemas.validation",
    "search",
    "sqlalchemy",
    "sqlmodel",
    "fastapi",
    "frictionless",
    "duckdb",
    "openpyxl",
    "huey",
    "httpx",
]
RUN = """
import json, sys
from catalog.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def loaded(*args: str) -> set[str]:
    """The modules a whole `terbuka ARGS` process has imported when it ends."""
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args], cwd=ROOT, env={"PYTHONPATH": str(ROOT)}, capture_output=True, text=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def heavy_in(modules: set[str]) -> list[str]:
    return [name for name in HEAVY if name in modules]


def test_help_loads_no_heavy_module() -> None:
    modules = loaded("--help")
    assert "typer" in modules and "catalog.cli" in modules
    assert heavy_in(modules) == []
    assert heavy_in(loaded("harvest", "--help")) == []
    assert heavy_in(loaded("validate", "--help")) == []


def test_validate_loads_the_validator_but_not_the_catalogue(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("id,nama\n1,Warga\n2,Warga\n")
    modules = loaded("validate", str(data))
    assert "schemas.validation" in modules
    assert heavy_in(modules - {"schemas.validation", "frictionless", "duckdb", "openpyxl"}) == []
