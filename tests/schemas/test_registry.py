"""The schema registry and the bundled region table."""

from __future__ import annotations

import csv
import json
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

EXPECTED = {"penduduk-kecamatan", "penduduk-kelurahan", "sekolah", "fasilitas-kesehatan", "apbd", "kemiskinan",
            "pasar", "titik-rawan-banjir", "jalan"}


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
    kecamatan = {r["nama"]: (r["kode_kemendagri"], r["kode_bps"]) for r in rows if r["tingkat"] == "kecamatan"}
    assert kecamatan == {
        "Pontianak Selatan": ("61.71.01", "6171010"), "Pontianak Timur": ("61.71.02", "6171020"),
        "Pontianak Barat": ("61.71.03", "6171030"), "Pontianak Utara": ("61.71.04", "6171040"),
        "Pontianak Kota": ("61.71.05", "6171031"), "Pontianak Tenggara": ("61.71.06", "6171011"),
    }
    kelurahan = [r for r in rows if r["tingkat"] == "kelurahan"]
    assert len(kelurahan) == 29
    assert all(r["kode_kemendagri"].split(".")[3].startswith("1") for r in kelurahan)
    assert all(by_code[r["kode_induk"]]["tingkat"] == "kecamatan" for r in kelurahan)
    aliases = {r["nama"]: r["alias"] for r in kelurahan if r["alias"]}
    assert aliases["Benuamelayu Laut"] == "Benua Melayu Laut" and aliases["Pallima"] == "Pal Lima"
    assert by_code["61.71"]["kode_bps"] == "6171"


def test_reference_table_passes_its_own_schema() -> None:
    path, schema = reference_table("wilayah")
    assert validate_file(path, schema)["valid"]


def test_registry_foreign_keys_resolve_in_both_validators(tmp_path: Path) -> None:
    path = write(tmp_path, "tahun,semester,kode_kecamatan,kecamatan,laki_laki,perempuan,jumlah,kepala_keluarga\n"
                           "2024,2,61.71.05,Pontianak Kota,60000,61000,121000,30000\n"
                           "2024,2,61.71.09,Pontianak Kota,1,1,2,\n"
                           "2024,3,61.71.01,Pontianak Selatan,-1,1,0,1\n")
    report = assert_same_errors(path, "penduduk-kecamatan")
    assert {(e["type"], e["rowNumber"]) for e in report["tasks"][0]["errors"]} == {
        ("constraint-error", 3), ("foreign-key", 3), ("constraint-error", 4),
    }
