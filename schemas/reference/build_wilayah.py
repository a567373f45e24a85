"""Build ``wilayah.csv`` from an unpacked copy of the npm package ``idn-area-data`` (4.x).

Development-time tool only: it reads local files and downloads nothing. Get the package with

    cd /tmp && npm pack idn-area-data@4 && tar xzf idn-area-data-4.*.tgz

and run, from the repository root,

    python schemas/reference/build_wilayah.py /tmp/package

which rewrites ``schemas/reference/wilayah.csv`` (``--output`` to write elsewhere, ``--province`` for another
province). The package's data is under the Open Database License 1.0; see README.md beside this file.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

HEADER = ["kode_kemendagri", "kode_bps", "nama", "alias", "tingkat", "kode_induk"]
LEVEL_ORDER = {"provinsi": 0, "kabupaten": 1, "kota": 1, "kecamatan": 2, "kelurahan": 3, "desa": 3}

# BPS codes are not in idn-area-data. These are the ones checked against BPS's own Kemendagri-BPS bridging
# table (sig.bps.go.id/bridging-kode, Kode Wilayah Kerja Statistik 2020 semester 2, as exported in the
# GitHub repository zakiego/Kode-Wilayah-Administrasi-Indonesia-Relasi-BPS-Kemendagri on 22 May 2022).
# Every other kode_bps is left empty: never fill one in from memory.
BPS_CODES = {
    "61": "61",
    "61.01": "6101",
    "61.02": "6104",
    "61.03": "6105",
    "61.04": "6106",
    "61.05": "6107",
    "61.06": "6108",
    "61.07": "6102",
    "61.08": "6103",
    "61.09": "6109",
    "61.10": "6110",
    "61.11": "6111",
    "61.12": "6112",
    "61.71": "6171",
    "61.72": "6172",
    "61.71.01": "6171010",
    "61.71.02": "6171020",
    "61.71.03": "6171030",
    "61.71.04": "6171040",
    "61.71.05": "6171031",
    "61.71.06": "6171011",
}

# Kemendagri writes several Pontianak kelurahan as one word; these are the spellings people use.
ALIASES = {
    "61.71.01.1002": "Benua Melayu Laut",
    "61.71.01.1003": "Benua Melayu Darat",
    "61.71.01.1004": "Parit Tokaya",
    "61.71.01.1005": "Kota Baru",
    "61.71.02.1001": "Parit Mayor",
    "61.71.02.1006": "Dalam Bugis",
    "61.71.02.1007": "Tambelan Sampit",
    "61.71.03.1001": "Pal Lima",
    "61.71.03.1002": "Sungai Jawi Dalam",
    "61.71.03.1003": "Sungai Jawi Luar",
    "61.71.03.1004": "Sungai Beliung",
    "61.71.04.1004": "Batu Layang",
    "61.71.05.1001": "Sungai Bangkong",
    "61.71.05.1002": "Darat Sekip",
    "61.71.05.1005": "Sungai Jawi",
    "61.71.06.1003": "Bangka Belitung Laut",
    "61.71.06.1004": "Bangka Belitung Darat",
}

ROMAN = re.compile(r"^[IVX]+$")
CODE = {
    "provinsi": re.compile(r"^\d{2}$"),
    "kabupaten": re.compile(r"^\d{2}\.(0[1-9]|[1-6]\d)$"),
    "kota": re.compile(r"^\d{2}\.(7\d|[89]\d)$"),
    "kecamatan": re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    "kelurahan": re.compile(r"^\d{2}\.\d{2}\.\d{2}\.1\d{3}$"),
    "desa": re.compile(r"^\d{2}\.\d{2}\.\d{2}\.2\d{3}$"),
}


def title(name: str) -> str:
    """``name`` with every word capitalised (roman numerals kept), e.g. ``Karya baru`` -> ``Karya Baru``."""
    name = re.sub(r"\s*-\s*", "-", " ".join(name.split()))

    def word(w: str) -> str:
        return w if ROMAN.match(w) else w[:1].upper() + w[1:].lower()

    return " ".join("-".join(word(part) for part in w.split("-")) for w in name.split(" "))


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _regency_level(code: str, name: str) -> str:
    level = "kota" if name.startswith("Kota ") else "kabupaten"
    if (level == "kota") != (int(code.split(".")[1]) >= 71) or not name.startswith(("Kota ", "Kabupaten ")):
        raise ValueError(f"cannot tell whether {code} {name!r} is a kabupaten or a kota")
    return level


def rows(folder: Path, province: str) -> Iterator[list[str]]:
    """The rows of wilayah.csv for ``province``, from the package unpacked in ``folder``."""
    found: list[tuple[str, str, str, str]] = []  # code, name, tingkat, parent
    for p in _read(folder, "provinces"):
        if p["code"] == province:
            found.append((p["code"], p["name"], "provinsi", ""))
    for r in _read(folder, "regencies"):
        if r["province_code"] == province:
            found.append((r["code"], r["name"], _regency_level(r["code"], r["name"]), r["province_code"]))
    for d in _read(folder, "districts"):
        if d["regency_code"].split(".")[0] == province:
            found.append((d["code"], d["name"], "kecamatan", d["regency_code"]))
    for v in _read(folder, "villages"):
        if v["district_code"].split(".")[0] == province:
            level = "kelurahan" if v["code"].split(".")[-1].startswith("1") else "desa"
            found.append((v["code"], v["name"], level, v["district_code"]))
    if not found:
        raise ValueError(f"province {province!r} is not in {folder}")

    codes = {code for code, *_ in found}
    if len(codes) != len(found):
        raise ValueError("duplicate codes in the package")
    for code, name, level, parent in found:
        if not CODE[level].match(code) or (parent and (code.rsplit(".", 1)[0] != parent or parent not in codes)):
            raise ValueError(f"inconsistent row in the package: {code} {name!r} ({level}, parent {parent!r})")
        if not name.strip():
            raise ValueError(f"{code} has no name")
    unknown = (set(BPS_CODES) | set(ALIASES)) - codes
    if unknown:
        raise ValueError(f"codes no longer in the package: {sorted(unknown)}")

    found.sort(key=lambda row: (LEVEL_ORDER[row[2]], row[0]))
    for code, name, level, parent in found:
        yield [code, BPS_CODES.get(code, ""), name, ALIASES.get(code, title(name)), level, parent]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the unpacked idn-area-data folder (holding data/ and package.json)")
    parser.add_argument("--province", default="61", help="Kemendagri province code (default 61, Kalimantan Barat)")
    parser.add_argument("--output", type=Path, default=Path(__file__).with_name("wilayah.csv"))
    args = parser.parse_args(argv)

    meta = json.loads((args.package / "package.json").read_text(encoding="utf-8"))
    if meta.get("name") != "idn-area-data":
        parser.error(f"{args.package} is not the idn-area-data package")
    table = list(rows(args.package, args.province))
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(table)
    counts: dict[str, int] = {}
    for row in table:
        counts[row[4]] = counts.get(row[4], 0) + 1
    print(f"idn-area-data {meta.get('version')}: wrote {len(table)} rows to {args.output} {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
