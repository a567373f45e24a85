"""The regions of the bundled reference table ``reference/wilayah.csv``, read once per process.

The one source of region names and codes: the catalogue's kecamatan facet, the demo catalogue and
the benchmarks take Kota Pontianak's kecamatan and kelurahan from here. Plain data, no database.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from schemas.registry import REFERENCE_DIR

KOTA_PONTIANAK = "61.71"


@dataclass(frozen=True)
class Region:
    kemendagri: str  # PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD
    bps: str  # empty where not checked against BPS (see reference/README.md)
    name: str  # the official spelling (Benuamelayu Laut)
    alias: str  # the spelling people write (Benua Melayu Laut)
    level: str  # provinsi, kabupaten, kota, kecamatan, kelurahan or desa
    parent: str  # the parent's Kemendagri code, empty for the provinsi


@cache
def regions() -> dict[str, Region]:
    """Every region of the table by Kemendagri code, in the table's order (by code)."""
    with (REFERENCE_DIR / "wilayah.csv").open(encoding="utf-8", newline="") as handle:
        return {
            row["kode_kemendagri"]: Region(
                kemendagri=row["kode_kemendagri"],
                bps=row["kode_bps"],
                name=row["nama"],
                alias=row["alias"],
                level=row["tingkat"],
                parent=row["kode_induk"],
            )
            for row in csv.DictReader(handle)
        }


@cache
def children(code: str) -> tuple[Region, ...]:
    """The regions one level below the region with this Kemendagri code (a kota's kecamatan, …)."""
    return tuple(region for region in regions().values() if region.parent == code)


def kecamatan_names(kota: str = KOTA_PONTIANAK) -> list[str]:
    """The names of a kota's (or kabupaten's) kecamatan, by code."""
    return [region.name for region in children(kota)]
