"""The input budget, file by file: each hostile file refused while being read, quickly and in bounded memory.

Every file is built here (small on disk, huge once inflated or parsed). ``terbuka validate`` runs as a
subprocess, its time and peak memory measured by the operating system.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from schemas.budget import BudgetExceeded, LineLengths
from schemas.validation import validate_file
from tests.schemas import hostile

ROOT = Path(__file__).resolve().parents[2]
# Wall time of one refusal, Python's start-up and imports included (generous: the CI machine is shared).
SECONDS = 60
PEAK_RSS_BYTES = 400 * 1024 * 1024


def _run_validate(path: Path) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """``terbuka validate path`` in a child process: its result, wall seconds and peak resident memory.

    The peak is the child's own VmHWM, read as it exits: a forked child's rusage also counts the pages it
    shared with this (large) test process before it ran the command."""
    peak_file = path.with_name(path.name + ".peak")
    script = (
        "import atexit, sys\n"
        "target = sys.argv[2]\n"
        "def peak():\n"
        "    with open('/proc/self/status') as status, open(target, 'w') as out:\n"
        "        out.write(next(line.split()[1] for line in status if line.startswith('VmHWM')))\n"
        "atexit.register(peak)\n"
        "from catalog.cli import app\n"
        "sys.argv = ['terbuka', 'validate', sys.argv[1]]\n"
        "app()\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", script, str(path), str(peak_file)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    seconds = time.monotonic() - started
    return result, seconds, int(peak_file.read_text()) * 1024


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "sheet of 1.1 GB of rows": (lambda p: hostile.rows_bomb(p / "baris.xlsx", 1100 << 20), "inflates_too_much"),
    "one cell of 1.1 GB": (lambda p: hostile.cell_bomb(p / "sel.xlsx", 1100 << 20), "inflates_too_much"),
    "2 GiB sheet": (lambda p: hostile.rows_bomb(p / "bom.xlsx", 2 << 30), "inflates_too_much"),
    "2 GiB sheet declaring 10 MB": (
        lambda p: hostile.rows_bomb(p / "bohong.xlsx", 2 << 30, declared=10 << 20),
        "compression_ratio_too_high",
    ),
    "2 GiB sheet declaring 1 MB": (
        lambda p: hostile.rows_bomb(p / "dusta.xlsx", 2 << 30, declared=1 << 20),
        "declared_size_false",
    ),
    "10,000 columns": (lambda p: hostile.wide_csv(p / "lebar.csv", 10_000), "too_many_columns"),
    "50 MB on one line": (lambda p: hostile.one_line_csv(p / "satu-baris.csv", 50 << 20), "line_too_long"),
    "5 MB of commas": (lambda p: hostile.one_line_csv(p / "koma.csv", 5 << 20, b","), "line_too_long"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_while_read(case: str, tmp_path: Path) -> None:
    build, code = HOSTILE[case]
    path = build(tmp_path)
    started = time.monotonic()
    with pytest.raises(BudgetExceeded) as refused:
        validate_file(path)
    assert refused.value.code == code
    assert "TERBUKA_INPUT_MAX_" in refused.value.message or refused.value.status == 422
    assert time.monotonic() - started < SECONDS


@pytest.mark.parametrize("case", ["one cell of 1.1 GB", "2 GiB sheet declaring 10 MB", "50 MB on one line"])
def test_terbuka_validate_refuses_hostile_files_quickly_in_bounded_memory(case: str, tmp_path: Path) -> None:
    path = HOSTILE[case][0](tmp_path)
    result, seconds, peak = _run_validate(path)
    assert result.returncode == 2, result.stderr
    assert "refused" in result.stderr and ("TERBUKA_INPUT_MAX_" in result.stderr or "zip bomb" in result.stderr)
    assert seconds < SECONDS
    assert peak < PEAK_RSS_BYTES, f"{peak:,} bytes"


def test_a_line_past_the_budget_deep_in_a_large_file_is_refused_by_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERBUKA_INPUT_MAX_LINE_BYTES", "4096")
    path = tmp_path / "panjang.csv"
    with path.open("w") as out:
        out.write("a,b\n" + "1,2\n" * 100_000 + "1," + "9" * 10_000 + "\n" + "1,2\n" * 10)
    with pytest.raises(BudgetExceeded) as refused:
        validate_file(path, {"fields": [{"name": "a", "type": "integer"}, {"name": "b", "type": "integer"}]})
    assert refused.value.code == "line_too_long"


def test_a_row_wider_than_the_budget_below_the_header_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERBUKA_INPUT_MAX_COLUMNS", "50")
    path = tmp_path / "baris-lebar.csv"
    path.write_text("a,b\n1,2\n" + ",".join(["1"] * 200) + "\n")
    with pytest.raises(BudgetExceeded) as refused:
        validate_file(path)
    assert refused.value.code == "too_many_columns"


def test_the_cells_budget_is_enforced_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERBUKA_INPUT_MAX_CELLS", "1000")
    path = tmp_path / "banyak.csv"
    path.write_text("a,b\n" + "1,2\n" * 2000)
    with pytest.raises(BudgetExceeded) as refused:
        validate_file(path)
    assert refused.value.code == "too_many_cells"


def test_a_workbook_past_the_ratio_is_refused_from_its_directory(tmp_path: Path) -> None:
    path = hostile.rows_bomb(tmp_path / "rasio.xlsx", 50 << 20)
    with pytest.raises(BudgetExceeded) as refused:
        validate_file(path, {"fields": [{"name": "nama"}, {"name": "nilai", "type": "integer"}]})
    assert refused.value.code == "compression_ratio_too_high"
    assert "TERBUKA_INPUT_MAX_COMPRESSION_RATIO" in refused.value.message


def test_a_sheet_row_longer_than_the_line_budget_is_refused_while_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Within the inflated and ratio budgets: only the streamed row gives it away.
    monkeypatch.setenv("TERBUKA_INPUT_MAX_COMPRESSION_RATIO", "2000")
    monkeypatch.setenv("TERBUKA_INPUT_MAX_LINE_BYTES", str(1 << 20))
    path = hostile.cell_bomb(tmp_path / "sel.xlsx", 20 << 20)
    started = time.monotonic()
    with pytest.raises(BudgetExceeded) as refused:
        validate_file(path, {"fields": [{"name": "nama"}, {"name": "nilai", "type": "integer"}]})
    assert refused.value.code == "line_too_long"
    assert time.monotonic() - started < SECONDS


def test_a_workbook_without_schema_is_not_loaded_whole_past_the_memory_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERBUKA_INPUT_MAX_COMPRESSION_RATIO", "2000")
    monkeypatch.setenv("TERBUKA_INPUT_MAX_MEMORY_BYTES", str(64 << 20))
    path = hostile.rows_bomb(tmp_path / "besar.xlsx", 20 << 20)
    with pytest.raises(BudgetExceeded) as refused:
        validate_file(path)
    assert refused.value.code == "too_much_memory"
    assert "with a schema a plain sheet is streamed" in refused.value.message


def test_the_seconds_budget_stops_frictionless_mid_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERBUKA_INPUT_MAX_SECONDS", "0.5")
    path = tmp_path / "lambat.csv"
    path.write_text("a,b\n" + "1,2\n" * 200_000)
    started = time.monotonic()
    with pytest.raises(BudgetExceeded) as refused:
        validate_file(path, engine="frictionless")
    assert refused.value.code == "too_slow"
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("data.xlsx", b"a,b\n1,2\n", "text, not a zip archive"),
        ("data.csv", b"PK\x03\x04" + b"\x00" * 60, "a zip archive"),
        ("data.csv", b"%PDF-1.7\n", "a PDF document"),
    ],
)
def test_a_file_whose_name_lies_about_its_format_gets_a_clear_error(
    tmp_path: Path, name: str, content: bytes, said: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BudgetExceeded) as refused:
        validate_file(path)
    assert refused.value.status == 422 and refused.value.code == "format_mismatch"
    assert said in refused.value.message


def test_malformed_utf8_is_read_as_windows_1252_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("kecamatan,jumlah\nPontianak Selatan,1\nCaf\xe9 \xff,2\n".encode("latin-1"))
    report = validate_file(path)
    assert report["valid"]
    warnings = report["tasks"][0]["warnings"]
    assert any("not UTF-8" in w and "Windows-1252" in w for w in warnings)
    clean = tmp_path / "utf8.csv"
    clean.write_text("kecamatan,jumlah\nPontianak Selatan,1\n", encoding="utf-8")
    assert not any("UTF-8" in w for w in validate_file(clean)["tasks"][0]["warnings"])


def test_a_large_file_with_old_mac_line_ends_is_not_one_long_line(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"a,b\r" + b"1,2\r" * 400_000)
    report = validate_file(path, {"fields": [{"name": "a", "type": "integer"}, {"name": "b", "type": "integer"}]})
    assert report["valid"] and report["tasks"][0]["stats"]["rows"] == 400_000


def test_a_real_xls_is_not_called_text(tmp_path: Path) -> None:
    path = tmp_path / "lama.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    try:
        validate_file(path)
    except BudgetExceeded as refused:
        raise AssertionError(refused.message) from refused
    except Exception:
        pass  # frictionless has its own say about an XLS file


def test_a_few_thousand_columns_are_validated_within_the_budget(tmp_path: Path) -> None:
    path = hostile.wide_csv(tmp_path / "lebar.csv", 2_000)
    started = time.monotonic()
    report = validate_file(path)
    assert report["valid"] and report["tasks"][0]["stats"]["fields"] == 2_000
    assert time.monotonic() - started < SECONDS


def test_line_lengths_are_exact_across_windows() -> None:
    for window in (1, 3, 7, 64):
        lengths = LineLengths(window)
        for chunk in (b"ab\ncdefgh", b"ij\n\nk", b"lmnopqrstu\nv", b"w\rxyz\r\n"):
            lengths.feed(chunk)
        assert lengths.longest == len(b"klmnopqrstu"), window
