"""The region table as plain data: what the catalogue, the demo and the benchmarks read from it."""

from __future__ import annotations

import csv

from catalog.demo.regions import KECAMATAN, KOTA_BPS
from catalog.services.search_index import kecamatan_of
from schemas.registry import REFERENCE_DIR
from schemas.wilayah import KOTA_PONTIANAK, children, kecamatan_names, regions

PONTIANAK = [
    "Pontianak Selatan",
    "Pontianak Timur",
    "Pontianak Barat",
    "Pontianak Utara",
    "Pontianak Kota",
    "Pontianak Tenggara",
]


def test_every_row_is_read_once_per_process() -> None:
    with (REFERENCE_DIR / "wilayah.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(regions()) == len(rows) == 2334
    assert regions() is regions()
    assert regions()["61.71.05"].bps == "6171031"


def test_pontianak_has_six_kecamatan_and_29_kelurahan() -> None:
    assert kecamatan_names() == PONTIANAK
    assert [k.kemendagri for k in children(KOTA_PONTIANAK)] == [f"61.71.0{n}" for n in range(1, 7)]
    kelurahan = [kel for kec in children(KOTA_PONTIANAK) for kel in children(kec.kemendagri)]
    assert len(kelurahan) == 29 and {k.level for k in kelurahan} == {"kelurahan"}
    assert children("61.71.03")[0].name == "Pallima" and children("61.71.03")[0].alias == "Pal Lima"
    assert children("61.71.06.1001") == ()


def test_the_demo_and_the_kecamatan_facet_name_the_same_regions() -> None:
    assert [k.name for k in KECAMATAN] == PONTIANAK and KOTA_BPS == "6171"
    assert sum(len(k.kelurahan) for k in KECAMATAN) == 29
    assert "Benua Melayu Laut" in KECAMATAN[0].kelurahan
    assert kecamatan_of(["61.71.05.1001", "61.71.02"]) == ["Pontianak Kota", "Pontianak Timur"]
    assert kecamatan_of(["61.71"]) == kecamatan_of(["61"]) == sorted(PONTIANAK)
    assert kecamatan_of(["61.01.01", "99"]) == []
