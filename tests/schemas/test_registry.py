"""The schema registry and the bundled region table."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import frictionless
import pytest

from schemas.registry import (
    REFERENCE_DIR,
    SchemaNotFound,
    get_schema,
    infer_schema,
    list_schemas,
    reference_table,
    resolve_schema,
)
from schemas.validation import validate_file
from tests.schemas.parity import assert_same_errors, write

EXPECTED = {
    "penduduk-kecamatan",
    "penduduk-kelurahan",
    "sekolah",
    "fasilitas-kesehatan",
    "apbd",
    "kemiskinan",
    "pasar",
    "titik-rawan-banjir",
    "jalan",
}


def wilayah() -> list[dict[str, str]]:
    with (REFERENCE_DIR / "wilayah.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_registry_lists_the_city_datasets_with_bilingual_descriptions() -> None:
    entries = list_schemas()
    assert {e["name"] for e in entries} == EXPECTED
    for entry in entries:
        assert entry["version"] == "1.0"
        assert " / " in entry["description"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_registry_schema_is_a_valid_table_schema(name: str) -> None:
    descriptor = get_schema(name)
    schema = frictionless.Schema.from_descriptor({k: v for k, v in descriptor.items() if k != "version"})
    assert schema.primary_key
    for field in descriptor["fields"]:
        assert field["name"] == field["name"].lower().replace("-", "_")
        assert field["title"] and " / " in field["description"]
    for fk in descriptor.get("foreignKeys", []):
        assert fk["reference"] == {"resource": "wilayah", "fields": ["kode_kemendagri"]}


def test_get_schema_picks_the_latest_version_and_refuses_unknown_names() -> None:
    assert get_schema("apbd")["version"] == "1.0"
    assert get_schema("apbd", "1.0") == resolve_schema("apbd/1.0")
    with pytest.raises(SchemaNotFound, match="unknown schema 'sensus'"):
        get_schema("sensus")
    with pytest.raises(SchemaNotFound, match=r"no version '9\.9'"):
        resolve_schema("apbd/9.9")
    assert issubclass(SchemaNotFound, LookupError)


def test_resolve_schema_takes_paths_and_inline_descriptors(tmp_path: Path) -> None:
    path = tmp_path / "custom.json"
    path.write_text(json.dumps({"fields": [{"name": "a"}]}))
    assert resolve_schema(path) == resolve_schema(str(path)) == {"fields": [{"name": "a"}]}
    assert resolve_schema({"fields": []}) == {"fields": []}
    with pytest.raises(ValueError, match="fields"):
        resolve_schema({"name": "x"})
    with pytest.raises(SchemaNotFound):
        resolve_schema(tmp_path / "missing.json")


def test_infer_schema_reads_semicolon_files(tmp_path: Path) -> None:
    inferred = infer_schema(write(tmp_path, "kecamatan;jumlah\nPontianak Kota;120\n"))
    assert [(f["name"], f["type"]) for f in inferred["fields"]] == [("kecamatan", "string"), ("jumlah", "integer")]


def test_reference_table_holds_pontianak_s_kecamatan_and_kelurahan() -> None:
    rows = wilayah()
    by_code = {r["kode_kemendagri"]: r for r in rows}
    kecamatan = {r["nama"]: (r["kode_kemendagri"], r["kode_bps"]) for r in rows if r["kode_induk"] == "61.71"}
    assert kecamatan == {
        "Pontianak Selatan": ("61.71.01", "6171010"),
        "Pontianak Timur": ("61.71.02", "6171020"),
        "Pontianak Barat": ("61.71.03", "6171030"),
        "Pontianak Utara": ("61.71.04", "6171040"),
        "Pontianak Kota": ("61.71.05", "6171031"),
        "Pontianak Tenggara": ("61.71.06", "6171011"),
    }
    kelurahan = [r for r in rows if r["kode_kemendagri"].startswith("61.71.") and r["tingkat"] != "kecamatan"]
    assert len(kelurahan) == 29 and {r["tingkat"] for r in kelurahan} == {"kelurahan"}
    assert all(by_code[r["kode_induk"]]["tingkat"] == "kecamatan" for r in kelurahan)
    # Kemendagri's numbering (idn-area-data 4.0.1): Pontianak Selatan's kelurahan start at 1002.
    assert "61.71.01.1001" not in by_code
    assert {
        code: by_code[code]["nama"]
        for code in (
            "61.71.01.1002",
            "61.71.02.1001",
            "61.71.02.1003",
            "61.71.05.1001",
            "61.71.06.1001",
            "61.71.06.1003",
        )
    } == {
        "61.71.01.1002": "Benuamelayu Laut",
        "61.71.02.1001": "Paritmayor",
        "61.71.02.1003": "Saigon",
        "61.71.05.1001": "Sungaibangkong",
        "61.71.06.1001": "Bansir Laut",
        "61.71.06.1003": "Bangkabelitung Laut",
    }
    aliases = {r["nama"]: r["alias"] for r in kelurahan}
    assert aliases["Benuamelayu Laut"] == "Benua Melayu Laut" and aliases["Pallima"] == "Pal Lima"
    assert aliases["Bangkabelitung Darat"] == "Bangka Belitung Darat" and aliases["Saigon"] == "Saigon"
    assert by_code["61.71"]["kode_bps"] == "6171" and by_code["61.71"]["nama"] == "Kota Pontianak"


TINGKAT_CODE = {
    "provinsi": r"[0-9]{2}",
    "kabupaten": r"[0-9]{2}\.(0[1-9]|[1-6][0-9])",
    "kota": r"[0-9]{2}\.[7-9][0-9]",
    "kecamatan": r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}",
    "kelurahan": r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.1[0-9]{3}",
    "desa": r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.2[0-9]{3}",
}
PARENT_TINGKAT = {
    "provinsi": set(),
    "kabupaten": {"provinsi"},
    "kota": {"provinsi"},
    "kecamatan": {"kabupaten", "kota"},
    "kelurahan": {"kecamatan"},
    "desa": {"kecamatan"},
}
BPS_DIGITS = {"provinsi": 2, "kabupaten": 4, "kota": 4, "kecamatan": 7, "kelurahan": 10, "desa": 10}


def test_reference_table_is_a_consistent_tree() -> None:
    rows = wilayah()
    assert list(rows[0]) == ["kode_kemendagri", "kode_bps", "nama", "alias", "tingkat", "kode_induk"]
    by_code = {r["kode_kemendagri"]: r for r in rows}
    assert len(by_code) == len(rows), "kode_kemendagri is not unique"
    bps = [r["kode_bps"] for r in rows if r["kode_bps"]]
    assert len(set(bps)) == len(bps), "kode_bps is not unique"
    counts: dict[str, int] = {}
    for r in rows:
        code, tingkat, parent = r["kode_kemendagri"], r["tingkat"], r["kode_induk"]
        counts[tingkat] = counts.get(tingkat, 0) + 1
        assert re.fullmatch(TINGKAT_CODE[tingkat], code), f"{code} is not a {tingkat} code"
        assert r["nama"] and r["nama"] == r["nama"].strip() and r["alias"] == r["alias"].strip(), code
        if tingkat == "provinsi":
            assert parent == ""
        else:
            assert parent == code.rsplit(".", 1)[0], f"{code} has parent {parent!r}"
            assert by_code[parent]["tingkat"] in PARENT_TINGKAT[tingkat], f"{code}: parent {parent} missing or wrong"
        if r["kode_bps"]:
            assert re.fullmatch(rf"[0-9]{{{BPS_DIGITS[tingkat]}}}", r["kode_bps"]), code
            parent_bps = by_code[parent]["kode_bps"] if parent else ""
            assert not parent_bps or r["kode_bps"].startswith(parent_bps), f"{code}: BPS code outside its parent's"
    # Provinsi Kalimantan Barat as idn-area-data 4.0.1 gives it.
    assert counts == {"provinsi": 1, "kabupaten": 12, "kota": 2, "kecamatan": 174, "kelurahan": 99, "desa": 2046}
    assert {r["kode_kemendagri"][:2] for r in rows} == {"61"}


def test_reference_table_passes_its_own_schema() -> None:
    path, schema = reference_table("wilayah")
    assert validate_file(path, schema)["valid"]


def test_registry_foreign_keys_resolve_in_both_validators(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "tahun,semester,kode_kecamatan,kecamatan,laki_laki,perempuan,jumlah,kepala_keluarga\n"
        "2024,2,61.71.05,Pontianak Kota,60000,61000,121000,30000\n"
        "2024,2,61.71.09,Pontianak Kota,1,1,2,\n"
        "2024,3,61.71.01,Pontianak Selatan,-1,1,0,1\n",
    )
    report = assert_same_errors(path, "penduduk-kecamatan")
    assert {(e["type"], e["rowNumber"]) for e in report["tasks"][0]["errors"]} == {
        ("constraint-error", 3),
        ("foreign-key", 3),
        ("constraint-error", 4),
    }
