"""Validation speed: frictionless against Terbuka's validator on a generated 8-column CSV or XLSX.

    python benchmarks/validate.py [--rows 1000000] [--skip-frictionless]
    python benchmarks/validate.py --xlsx [--rows 100000] [--skip-frictionless]
    python benchmarks/validate.py --whole-process [--rows 400000]

Generates a clean file and one with about 10% bad rows, validates each with both, checks the two
validators report the same (type, row, field) errors and prints times, rows/s, peak memory and
the speed-up. The workbook holds typed cells as Excel writes them (numbers, dates, booleans) and
is checked by the XLSX fast path itself, so a fallback to frictionless cannot hide in the figures.
Both validators first check a small file, so neither run pays for loading modules;
the peak memory printed is that of each run alone (on Linux; elsewhere the process's peak so far).

``--whole-process`` times what a user waits for instead: ``terbuka validate FILE --schema S --json`` and a
``python -c`` frictionless process that validates the same file and prints its report as JSON, each a whole
process (start-up, imports, validation, output), on a CSV with about 6% bad rows; two rounds, best of each.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import frictionless
import openpyxl

from schemas.fastpath.xlsx import validate_xlsx
from schemas.sniff import frictionless_resource, sniff_dialect
from schemas.validation import validate_file
from schemas.wilayah import kecamatan_names

KECAMATAN = kecamatan_names()
SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "integer", "constraints": {"unique": True}},
        {"name": "nama", "type": "string", "constraints": {"required": True}},
        {"name": "kecamatan", "type": "string", "constraints": {"enum": KECAMATAN}},
        {"name": "tanggal", "type": "date"},
        {"name": "nilai", "type": "number"},
        {"name": "aktif", "type": "boolean"},
        {"name": "umur", "type": "integer", "constraints": {"minimum": 0, "maximum": 120}},
        {"name": "kode", "type": "string", "constraints": {"pattern": "[0-9]{2}\\.[0-9]{2}\\.[0-9]{2}"}},
    ]
}


def generate(path: Path, rows: int, error_rate: float, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("id,nama,kecamatan,tanggal,nilai,aktif,umur,kode\n")
        for i in range(1, rows + 1):
            cells = [
                str(i),
                f"Warga {rng.randrange(100000)}",
                rng.choice(KECAMATAN),
                f"20{rng.randrange(10, 25)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                f"{rng.randrange(1000000) / 100}",
                rng.choice(("true", "false")),
                str(rng.randrange(121)),
                f"{rng.randrange(100):02d}.{rng.randrange(100):02d}.{rng.randrange(100):02d}",
            ]
            if rng.random() < error_rate:
                column = rng.randrange(8)
                cells[column] = ["1", "", "Pontianak", "2024-02-30", "1,5", "ya", "150", "6.1.7"][column]
            handle.write(",".join(cells) + "\n")


def generate_xlsx(path: Path, rows: int, error_rate: float, seed: int = 7) -> None:
    """The same table as ``generate`` in a workbook (openpyxl's write-only mode), typed as Excel stores it."""
    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("data")
    sheet.append([f["name"] for f in SCHEMA["fields"]])
    bad: list[Any] = [1, None, "Pontianak", "2024-02-30", "1,5", "ya", 150, "6.1.7"]
    for i in range(1, rows + 1):
        cells: list[Any] = [
            i,
            f"Warga {rng.randrange(100000)}",
            rng.choice(KECAMATAN),
            datetime(rng.randrange(2010, 2025), rng.randrange(1, 13), rng.randrange(1, 29)),
            rng.randrange(1000000) / 100,
            rng.choice((True, False)),
            rng.randrange(121),
            f"{rng.randrange(100):02d}.{rng.randrange(100):02d}.{rng.randrange(100):02d}",
        ]
        if rng.random() < error_rate:
            column = rng.randrange(8)
            cells[column] = bad[column]
        sheet.append(cells)
    book.save(path)


def error_set(errors: list[dict[str, Any]]) -> set[tuple[str, int, str]]:
    return {(e["type"], e.get("rowNumber", 0), e.get("fieldName", "")) for e in errors}


def reset_peak_rss() -> bool:
    """Start a new peak-RSS measurement (Linux's clear_refs); False where the peak cannot be reset."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_rss_mib() -> float:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")) / 1024


def measure(label: str, run: Any) -> tuple[float, set[tuple[str, int, str]]]:
    """Time one validator and print the peak RSS of its run."""
    scope = "run" if reset_peak_rss() else "process"
    started = time.perf_counter()
    errors = run()
    seconds = time.perf_counter() - started
    print(
        f"  {label:<13} {seconds:8.2f} s   {scope} peak RSS {peak_rss_mib():7.0f} MiB   {len(errors)} errors",
        flush=True,
    )
    return seconds, error_set(errors)


def run_frictionless(path: Path) -> list[dict[str, Any]]:
    resource = frictionless_resource(
        path, schema=frictionless.Schema.from_descriptor(SCHEMA), dialect=sniff_dialect(path)
    )
    return list(resource.validate(limit_errors=10**12).to_descriptor()["tasks"][0]["errors"])


def run_terbuka(path: Path) -> list[dict[str, Any]]:
    if path.suffix == ".xlsx":
        schema = frictionless.Schema.from_descriptor(SCHEMA)
        return list(validate_xlsx(path, schema, sniff_dialect(path))["errors"])
    return list(validate_file(path, SCHEMA, engine="fast")["tasks"][0]["errors"])


# The frictionless side of --whole-process: what a user of frictionless alone would run.
FRICTIONLESS_PROCESS = (
    "import json, sys, frictionless\n"
    "schema = frictionless.Schema.from_descriptor(json.load(open(sys.argv[2])))\n"
    "report = frictionless.Resource(sys.argv[1], schema=schema).validate(limit_errors=10**12)\n"
    "json.dump(report.to_descriptor(), sys.stdout)\n"
)


def timed_process(command: list[str], output: Path) -> float:
    """Seconds a whole process takes, run in the output's folder (frictionless reads relative paths only),
    its standard output written to ``output``."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    started = time.perf_counter()
    with output.open("wb") as handle:
        subprocess.run(command, stdout=handle, env=env, cwd=output.parent, check=False)
    return time.perf_counter() - started


def whole_process(rows: int) -> int:
    """``terbuka validate --json`` against a ``python -c`` frictionless process, each timed as a whole process."""
    terbuka = str(Path(sys.executable).with_name("terbuka"))
    with tempfile.TemporaryDirectory() as tmp:
        data, schema = Path(tmp) / "data.csv", Path(tmp) / "schema.json"
        generate(data, rows, 0.06)
        schema.write_text(json.dumps(SCHEMA))
        print(f"{rows:,} rows, {data.stat().st_size / 2**20:.1f} MiB, about 6% bad rows; whole processes:")
        commands = {
            "terbuka": [terbuka, "validate", data.name, "--schema", schema.name, "--json"],
            "frictionless": [sys.executable, "-c", FRICTIONLESS_PROCESS, data.name, schema.name],
        }
        best: dict[str, float] = {}
        found: dict[str, set[tuple[str, int, str]]] = {}
        for round_ in (1, 2):
            for name, command in commands.items():
                output = Path(tmp) / f"{name}.json"
                seconds = timed_process(command, output)
                best[name] = min(seconds, best.get(name, seconds))
                found[name] = error_set(json.loads(output.read_bytes())["tasks"][0]["errors"])
                print(f"  round {round_} {name:<13} {seconds:8.2f} s   {len(found[name])} errors", flush=True)
        same = found["terbuka"] == found["frictionless"]
        print(
            f"  best: terbuka {best['terbuka']:.2f} s, frictionless {best['frictionless']:.2f} s; "
            f"speed-up {best['frictionless'] / best['terbuka']:.1f}x; same errors: {same}"
        )
    return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="1,000,000 for CSV, 100,000 for XLSX")
    parser.add_argument("--xlsx", action="store_true", help="an Excel workbook rather than a CSV file")
    parser.add_argument("--skip-frictionless", action="store_true")
    parser.add_argument("--whole-process", action="store_true", help="terbuka validate against python -c frictionless")
    args = parser.parse_args()
    if args.whole_process:
        return whole_process(args.rows or 400_000)
    rows = args.rows or (100_000 if args.xlsx else 1_000_000)
    suffix, write = (".xlsx", generate_xlsx) if args.xlsx else (".csv", generate)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        warm_up = Path(tmp) / f"warm-up{suffix}"
        write(warm_up, 5000, 0.1)
        run_terbuka(warm_up)
        if not args.skip_frictionless:
            run_frictionless(warm_up)
        files = {name: Path(tmp) / f"{name}{suffix}" for name in ("clean", "dirty")}
        for name, rate in (("clean", 0.0), ("dirty", 0.1)):
            write(files[name], rows, rate)
        # Terbuka's runs first: a run after frictionless's would start from the memory frictionless left behind.
        fast = {}
        for name, path in files.items():
            print(f"{name}: {rows:,} rows, {path.stat().st_size / 2**20:.1f} MiB")
            fast[name] = measure("terbuka", lambda p=path: run_terbuka(p))
            print(f"  terbuka: {rows / fast[name][0]:,.0f} rows/s")
        for name, path in files.items():
            if args.skip_frictionless:
                break
            print(f"{name}:")
            slow_seconds, slow_errors = measure("frictionless", lambda p=path: run_frictionless(p))
            fast_seconds, fast_errors = fast[name]
            same = slow_errors == fast_errors
            ok = ok and same
            print(
                f"  frictionless: {rows / slow_seconds:,.0f} rows/s; "
                f"speed-up {slow_seconds / fast_seconds:.1f}x; same errors: {same}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
