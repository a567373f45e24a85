"""Synthetic but plausible tables for the demo, one function per dataset.

Every generator takes a seed and the period end dates a release covers (oldest first) and returns
a Table. Values for a period depend only on the seed and that period, so a newer release repeats
the older periods exactly and adds its own.
"""

import random
from collections.abc import Callable
from datetime import date

from catalog.demo.files import Table
from catalog.demo.regions import Kecamatan

Generator = Callable[[str, list[date]], Table]

BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def rng_for(seed: str, *parts: object) -> random.Random:
    return random.Random(":".join([seed, *map(str, parts)]))


def kecamatan_cells(kecamatan: Kecamatan) -> list[str | int]:
    """The three columns every per-kecamatan table starts with: both codes and the name."""
    return [kecamatan.kemendagri, int(kecamatan.bps), kecamatan.name]


KECAMATAN_HEADER = ["kode_kecamatan_kemendagri", "kode_kecamatan_bps", "kecamatan"]


def point_in(kecamatan: Kecamatan, rng: random.Random) -> tuple[float, float]:
    """A latitude and longitude near the kecamatan's centre (the city lies just south of the equator)."""
    lat, lon = kecamatan.centre
    return round(lat + rng.uniform(-0.01, 0.01), 6), round(lon + rng.uniform(-0.012, 0.012), 6)


def semester_of(end: date) -> str:
    return "I" if end.month == 6 else "II"
